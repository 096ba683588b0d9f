"""The wall-clock budget of extraction: a watchdog thread, and ExtractArticles' extraction_timeout."""

from __future__ import annotations

import threading
import time

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.article_extraction import ExtractArticles
from connectors.watchdog import TimedOut, Watchdog
from tests.conftest import SAMPLES
from tests.waiting import wait_for
from transforms.records import FeedEntry, Page


def test_result_and_errors_come_back() -> None:
    watchdog = Watchdog()
    assert watchdog.run(lambda: 42, timeout=5) == 42
    with pytest.raises(ZeroDivisionError):
        watchdog.run(lambda: 1 / 0, timeout=5)


def test_overrun_is_abandoned_and_the_number_of_abandoned_calls_is_bounded() -> None:
    release = threading.Event()
    watchdog = Watchdog(max_abandoned=1)
    with pytest.raises(TimedOut):
        watchdog.run(release.wait, timeout=0.05)
    assert watchdog.abandoned == 1
    release.set()  # the abandoned call ends; the next one may start
    assert watchdog.run(lambda: "next", timeout=5) == "next"
    wait_for(lambda: watchdog.abandoned == 0, 5, "the abandoned helper to exit", interval=0.01)


def test_extraction_over_budget_is_dead_lettered_and_falls_back_to_the_feed() -> None:
    body = (SAMPLES / "en" / "sec-custody-rule.html").read_bytes()
    entry = FeedEntry(
        article_id="a1", feed="f", feed_url="http://e.org/rss", url="http://e.org/a", guid=None,
        title="SEC custody", summary="The feed's own summary of the story.", content="",
        published=None, language_hint="en",
    )  # fmt: skip
    page = Page(entry=entry, final_url=entry.url, status=200, body=body, content_type="text/html")
    with TestPipeline(runner="FnApiRunner") as pipeline:
        articles, dead = pipeline | beam.Create([page]) | ExtractArticles(timeout=1e-4)
        assert_that(
            articles | beam.Map(lambda a: (a.article_id, a.text_source, a.fetch_error.split(":")[0])),
            equal_to([("a1", "feed", "extraction_timeout")]),
            label="articles",
        )
        assert_that(
            dead | beam.Map(lambda d: (d.stage, d.reason, d.key)),
            equal_to([("ExtractArticles", "extraction_timeout", "a1")]),
            label="dead",
        )


def test_calls_reuse_one_helper_thread_until_one_overruns() -> None:
    watchdog = Watchdog(max_abandoned=2)
    first = watchdog.run(threading.get_ident, timeout=5)
    assert watchdog.run(threading.get_ident, timeout=5) == first  # the same helper, kept warm
    assert first != threading.get_ident()
    release = threading.Event()
    with pytest.raises(TimedOut):
        watchdog.run(release.wait, timeout=0.05)
    after = watchdog.run(threading.get_ident, timeout=5)
    assert after != first  # the overrunning helper was abandoned, never handed a new call
    release.set()
    wait_for(
        lambda: watchdog.abandoned == 0, 5, "the abandoned helper to exit once its call ended", interval=0.01
    )


def test_concurrent_callers_get_a_helper_each_and_close_stops_the_idle_ones() -> None:
    watchdog = Watchdog()
    both_in = threading.Barrier(2, timeout=5)
    helpers: list[int] = []

    def call() -> None:
        helpers.append(watchdog.run(lambda: (both_in.wait(), threading.get_ident())[1], timeout=5))

    callers = [threading.Thread(target=call) for _ in range(2)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(timeout=10)
    assert len(set(helpers)) == 2  # both calls ran at once, so on two helpers
    named = [t for t in threading.enumerate() if t.ident in helpers]
    assert len(named) == 2
    watchdog.close()
    for thread in named:
        thread.join(timeout=5)
        assert not thread.is_alive()


def test_waiting_for_room_among_abandoned_calls_counts_against_the_budget() -> None:
    release = threading.Event()
    watchdog = Watchdog(max_abandoned=1)
    with pytest.raises(TimedOut):
        watchdog.run(release.wait, timeout=0.05)
    started = time.monotonic()
    with pytest.raises(TimedOut, match="still running"):
        watchdog.run(lambda: "never started", timeout=0.2)  # the abandoned call holds the only room
    assert time.monotonic() - started < 3  # its own 0.2 s budget, not the abandoned call's end
    release.set()
    assert watchdog.run(lambda: "next", timeout=5) == "next"
