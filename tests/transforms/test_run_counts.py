"""What a run's counters add up: dead letters by reason, and each kind of element's heartbeat counters."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.records import DeadLetter, FeedPoll
from transforms.run_counts import (
    CountDeadLetters,
    acked_counts,
    dead_letter_counter_name,
    dead_letter_counts,
    poll_counts,
)


def _letter(reason: str) -> DeadLetter:
    return DeadLetter(
        stage="FetchPages", reason=reason, error_class="TimeoutError", message="x", feed="f", url="u", key="k",
        input=None, at="2026-12-04T00:00:00Z",
    )  # fmt: skip


def test_a_dead_letter_counts_in_total_and_under_its_reason() -> None:
    letter = _letter("timeout")
    assert dead_letter_counter_name(letter) == "DeadLetters.timeout"
    assert dead_letter_counts(letter) == [("DeadLetters.dead_lettered", 1), ("DeadLetters.timeout", 1)]


def test_an_acknowledged_message_counts_under_its_topic_kind() -> None:
    assert acked_counts(("news.regulation", "id")) == [
        ("PublishToKafka.published", 1),
        ("PublishToKafka.published_regulation", 1),
    ]


def test_a_poll_counts_what_it_saw() -> None:
    poll = FeedPoll(
        feed="f", url="u", at="2026-12-04T00:00:00Z", status=304, outcome="not_modified", entries=0,
        duration=0.1, next_poll="2026-12-04T00:05:00Z", consecutive_failures=0,
    )  # fmt: skip
    assert poll_counts(poll) == [
        ("PollFeeds.polls", 1),
        ("PollFeeds.entries_seen", 0),
        ("PollFeeds.feeds_polled", 1),
        ("PollFeeds.not_modified", 1),
    ]


def test_count_dead_letters_passes_them_through() -> None:
    letters = [_letter("timeout"), _letter("no_text")]
    with TestPipeline(runner="FnApiRunner") as pipeline:
        counted = pipeline | beam.Create(letters) | CountDeadLetters()
        assert_that(counted | beam.Map(lambda letter: letter.reason), equal_to(["timeout", "no_text"]))
