"""Counting what a run emits: dead letters by reason, and the streaming heartbeat of every branch.

``CountDeadLetters`` passes dead letters through and counts them in Beam metrics by reason
(``DeadLetters.<reason>``). ``PipelineHeartbeat`` counts what the pipeline emits (polls, new entries,
articles, dead letters, acknowledged messages) under the Beam metric names and, at every tick it is given
(a ``PeriodicImpulse`` in a run), emits a ``Heartbeat`` with the cumulative counts. The heartbeat travels through Kafka like
every other record, so operators get it on every runner and every worker, whether or not the runner reports
Beam metrics (the bundle-based DirectRunner under-counts them). Pure: the publishing is the graph's.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection
from apache_beam.transforms.userstate import ReadModifyWriteRuntimeState, ReadModifyWriteStateSpec

from transforms.dead_letters import utc_now
from transforms.records import Article, DeadLetter, FeedEntry, FeedPoll, Heartbeat

DEAD_LETTERS = "DeadLetters"  # the Beam metrics namespace of dead letters, one counter per reason
TICK = "__tick__"
_SEQUENCE = "__sequence__"


def dead_letter_counter_name(letter: DeadLetter) -> str:
    """The counter a dead letter adds to: ``DeadLetters.<reason>``."""
    return f"{DEAD_LETTERS}.{letter.reason}"


class _CountDeadLettersFn(beam.DoFn):
    def __init__(self) -> None:
        self.total = Metrics.counter(DEAD_LETTERS, "dead_lettered")

    def process(self, letter: DeadLetter) -> Iterator[DeadLetter]:
        self.total.inc()
        # one counter per reason: the set of reasons is small and fixed by the stages' code
        Metrics.counter(DEAD_LETTERS, letter.reason).inc()
        yield letter


class CountDeadLetters(beam.PTransform[PCollection[DeadLetter], PCollection[DeadLetter]]):
    """Dead letters → the same dead letters, counted in Beam metrics by reason (``DeadLetters.<reason>``)."""

    def expand(self, letters: PCollection[DeadLetter]) -> PCollection[DeadLetter]:
        counted: PCollection[DeadLetter] = letters | "Count" >> beam.ParDo(_CountDeadLettersFn())
        return counted


# What each kind of element adds to the heartbeat's counters: pure functions, tested without Beam.


def poll_counts(poll: FeedPoll) -> list[tuple[str, int]]:
    """Counters of one feed poll (same names as PollFeeds' Beam metrics)."""
    counts = [("PollFeeds.polls", 1), ("PollFeeds.entries_seen", poll.entries)]
    if poll.status is not None:
        counts.append(("PollFeeds.feeds_polled", 1))
    if poll.outcome == "not_modified":
        counts.append(("PollFeeds.not_modified", 1))
    if poll.consecutive_failures > 0:
        counts.append(("PollFeeds.poll_failures", 1))
    return counts


def entry_counts(entry: FeedEntry) -> list[tuple[str, int]]:
    """Counters of an entry that passed DropDuplicates."""
    return [("DropDuplicates.new_articles" if entry.version == 1 else "DropDuplicates.updated_articles", 1)]


def article_counts(article: Article) -> list[tuple[str, int]]:
    """Counters of an article that left FlagRegulation."""
    counts = [("ExtractArticles.extracted", 1), ("FlagRegulation.checked", 1)]
    if article.text_source == "feed":
        counts.append(("ExtractArticles.fallback_to_feed", 1))
    if article.regulation is not None and article.regulation.flagged:
        counts.append(("FlagRegulation.flagged", 1))
    return counts


def dead_letter_counts(letter: DeadLetter) -> list[tuple[str, int]]:
    """Counters of one dead letter."""
    return [(f"{DEAD_LETTERS}.dead_lettered", 1), (dead_letter_counter_name(letter), 1)]


def acked_counts(acked: tuple[str, str]) -> list[tuple[str, int]]:
    """Counters of one message the broker acknowledged, in total and per topic kind."""
    topic, _key = acked
    return [("PublishToKafka.published", 1), (f"PublishToKafka.published_{topic.rsplit('.', 1)[-1]}", 1)]


class _HeartbeatFn(beam.DoFn):
    """Keeps the cumulative counters in per-key state (one key) and emits a heartbeat per tick."""

    COUNTS = ReadModifyWriteStateSpec("heartbeat_counts", PickleCoder())

    def __init__(self, job: str, started_at: str, interval: float) -> None:
        self._job = job
        self._started_at = started_at
        self._interval = interval

    def process(
        self,
        keyed: tuple[str, tuple[str, int]],
        counts: ReadModifyWriteRuntimeState = beam.DoFn.StateParam(COUNTS),  # type: ignore[assignment]  # Beam passes the runtime state
    ) -> Iterator[Heartbeat]:
        _, (name, amount) = keyed
        current: dict[str, int] = counts.read() or {}
        if name != TICK:
            current[name] = current.get(name, 0) + amount
            counts.write(current)
            return
        sequence = current.get(_SEQUENCE, 0) + 1
        current[_SEQUENCE] = sequence
        counts.write(current)
        yield Heartbeat(
            job=self._job,
            at=utc_now(),
            mode="streaming",
            started_at=self._started_at,
            sequence=sequence,
            interval=self._interval,
            counters=tuple(sorted((k, v) for k, v in current.items() if k != _SEQUENCE)),
        )


class PipelineHeartbeat(beam.PTransform[dict[str, PCollection[Any]], PCollection[Heartbeat]]):
    """``{"ticks", "polls", "entries", "articles", "dead", "acked"}`` collections → a ``Heartbeat`` per tick.

    Streaming only. Each element of ``ticks`` sends a heartbeat with the counts so far; a run ticks every
    ``interval`` seconds from its start, so the monitor sees a pipeline as soon as it runs.
    """

    def __init__(self, *, job: str, interval: float) -> None:
        super().__init__()
        if interval <= 0:
            raise ValueError("the heartbeat interval must be positive")
        self._job = job
        self._interval = interval

    def expand(self, inputs: dict[str, PCollection[Any]]) -> PCollection[Heartbeat]:
        counting = {
            "polls": poll_counts,
            "entries": entry_counts,
            "articles": article_counts,
            "dead": dead_letter_counts,
            "acked": acked_counts,
        }
        parts = [inputs[name] | f"Count{name.title()}" >> beam.FlatMap(fn) for name, fn in counting.items()]
        ticks = inputs["ticks"] | "AsTick" >> beam.Map(lambda _tick: (TICK, 0))
        heartbeats: PCollection[Heartbeat] = (
            [*parts, ticks]
            | "AllCounts" >> beam.Flatten()
            | "OneKey" >> beam.Map(lambda count: ("pipeline", count))
            | "Beat" >> beam.ParDo(_HeartbeatFn(self._job, utc_now(), self._interval))
        )
        return heartbeats
