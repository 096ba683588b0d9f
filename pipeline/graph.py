"""The graph: feeds → poll → de-duplicate → fetch → extract → flag → publish, dead letters beside it.

```
 ReadFeedList ─▶ PollFeeds ─▶ DropDuplicates ─▶ FetchPages ─▶ ExtractArticles ─▶ FlagRegulation ─▶ ArticleRecords ─▶ Publish
                   ├─ polls ─▶ OpsRecords ─────────────────────────────────────────────────────────────────────────▶ Publish
                   └─ dead ─────┴─────────────────┴─────────────┴──────────────────┴─────────────────┴─▶ CountDeadLetters ─▶ DeadLetterRecords ─▶ Publish
 streaming only: Clock ─┬─ ticks ─▶ ReadFeedList
                        └─ heartbeat ticks ─▶ PipelineHeartbeat (counts of every branch) ─▶ HeartbeatRecords ─▶ PublishHeartbeats
```
A bounded (``--once``) run reads its feed list once; a streaming run reads it at every tick of its clock
(``WallClock``), which also times the heartbeats. The clock and the publishing sink are the graph's edges
to the world, and ``build_graph`` takes both as arguments: a run keeps the defaults, the wiring test puts
a ``TestStream`` and an in-memory sink there. Each branch publishes as it goes (no Flatten before
``PublishToKafka``). Labels are stable: they name the metrics and the dead letters' ``stage``. Every stage
turns an exception raised for one element into a dead letter and goes on
(``transforms.dead_letters.ElementFailures``); only a failure that hits every element stops the run, as
``LooksLikeABug``.
"""

from __future__ import annotations

import time
from typing import Protocol

import apache_beam as beam
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.utils.shared import Shared
from apache_beam.utils.timestamp import Timestamp

from connectors.article_extraction import ExtractArticles
from connectors.feed_polling import PollFeeds
from connectors.kafka_publish import PublishToKafka
from connectors.kafka_settings import KafkaSettings
from connectors.page_fetching import FetchPages, RouteEntriesBySite
from connectors.wire import article_records, dead_letter_record, heartbeat_record, poll_record
from pipeline.config import PipelineConfig
from transforms.dedup import DropDuplicates, Published
from transforms.failures import GuardedFlatMap
from transforms.flagging import FlagRegulation
from transforms.records import Feed
from transforms.run_counts import CountDeadLetters, PipelineHeartbeat

FOREVER = 10 * 365 * 24 * 3600.0
POLL_TICKS = "poll"  # the clock's output that wakes the feed list
HEARTBEAT_TICKS = "heartbeat"  # the clock's output that sends a heartbeat


class Clock(Protocol):
    """Makes a streaming run's clock: PBegin → ``{POLL_TICKS: ..., HEARTBEAT_TICKS: ...}``, one element a tick."""

    def __call__(
        self, *, tick: float, heartbeat_interval: float, duration: float | None
    ) -> beam.PTransform: ...


class Publisher(Protocol):
    """Makes a sink of Kafka records: records, or a tuple of branches of them → ``(topic, key)`` of every
    acknowledged message (``PublishToKafka``'s contract)."""

    def __call__(
        self, settings: KafkaSettings, *, dead_letter_topic: str | None = None
    ) -> beam.PTransform: ...


class WallClock(beam.PTransform):
    """A tick every ``tick`` seconds to poll, and one every ``heartbeat_interval`` seconds to send a
    heartbeat, from now until ``duration`` seconds have passed (None: for ever)."""

    def __init__(self, *, tick: float, heartbeat_interval: float, duration: float | None) -> None:
        super().__init__()
        self._tick = tick
        self._heartbeat_interval = heartbeat_interval
        self._duration = duration

    def expand(self, begin: beam.pvalue.PBegin) -> dict[str, beam.PCollection]:
        # start, stop and interval always explicit: PeriodicImpulse's default start is the time its module
        # was imported, which would fire every tick missed since then at once
        start = time.time()
        stop = start + (self._duration if self._duration is not None else FOREVER)

        def every(seconds: float) -> PeriodicImpulse:
            return PeriodicImpulse(
                start_timestamp=Timestamp.of(start), stop_timestamp=Timestamp.of(stop), fire_interval=seconds
            )

        return {
            POLL_TICKS: begin | "Ticks" >> every(self._tick),
            HEARTBEAT_TICKS: begin | "HeartbeatTicks" >> every(self._heartbeat_interval),
        }


class ReadFeedList(beam.PTransform):
    """The feeds to poll: each once from the pipeline's start (bounded), or all of them at every tick
    (streaming: applied to the clock's ticks)."""

    def __init__(self, feeds: tuple[Feed, ...]) -> None:
        super().__init__()
        self._feeds = feeds

    def expand(self, start: beam.pvalue.PBegin | beam.PCollection) -> beam.PCollection[Feed]:
        feeds = self._feeds
        if isinstance(start, beam.pvalue.PBegin):
            return start | "Feeds" >> beam.Create(list(feeds))
        return start | "EveryFeed" >> beam.FlatMap(lambda _tick: feeds)


def build_graph(
    pipeline: beam.Pipeline,
    config: PipelineConfig,
    *,
    published: Published | None = None,
    extraction_pools_ahead: Shared | None = None,
    several_workers: bool = False,
    clock: Clock = WallClock,
    publish: Publisher = PublishToKafka,
) -> None:
    """Add the whole ingestion graph for ``config`` to ``pipeline``.

    Streaming runs also get the ``PipelineHeartbeat`` branch: a heartbeat of run ``config.job`` on the ops
    topic at every heartbeat tick of ``clock`` (a ``--once`` run's launcher sends its one heartbeat at the
    end). ``published``: what earlier runs published, so a restart does not publish it again.
    ``extraction_pools_ahead``: the handle of extraction pools the launcher started before the run
    (``connectors.article_extraction.extraction_pools_ahead``), for ExtractArticles to take.
    ``several_workers``: the runner may hand work to several workers
    (``pipeline.runner_choice.spreads_over_workers``), so entries are routed by site between them.
    ``publish`` makes every sink of Kafka records.
    """
    topics = config.topics
    ticks: dict[str, beam.PCollection] = {}
    if config.once:
        feeds = pipeline | "ReadFeedList" >> ReadFeedList(config.feeds)
    else:
        timing = {"tick": config.tick, "heartbeat_interval": config.heartbeat_interval}
        ticks = pipeline | "Clock" >> clock(**timing, duration=config.duration)
        feeds = ticks[POLL_TICKS] | "ReadFeedList" >> ReadFeedList(config.feeds)
    entries, poll_dead, polls = feeds | "PollFeeds" >> PollFeeds(config.http, at_once=config.once)
    fresh, dedup_dead = entries | "DropDuplicates" >> DropDuplicates(published)
    if several_workers:
        # Several workers: break fusion on the small entries, never on the pages (serialising every page's
        # HTML between workers slows the whole run), and route them by site so that one worker owns each
        # site's politeness limit (RouteEntriesBySite); different sites still spread over the workers.
        fresh = (
            fresh
            | "RouteEntriesBySite" >> RouteEntriesBySite(batch_size=config.max_in_flight)
            | "OneSiteAtATime" >> beam.FlatMap(lambda batch: batch[1])
        )
    pages, fetch_dead = fresh | "FetchPages" >> FetchPages(
        config.http,
        max_in_flight=config.max_in_flight,
        ignore_robots_for=frozenset(feed.name for feed in config.feeds if not feed.respect_robots),
    )
    articles, extract_dead = pages | "ExtractArticles" >> ExtractArticles(
        processes=config.extraction_processes, pools_ahead=extraction_pools_ahead
    )
    # a bounded run builds only the lexicons of the languages it meets, after its first pages arrive;
    # a streaming run builds them all at setup so that no article waits for its language's build
    flagged, flag_dead = articles | "FlagRegulation" >> FlagRegulation(warm_up_models=not config.once)
    article_messages, record_dead = flagged | "ArticleRecords" >> GuardedFlatMap(
        "ArticleRecords", article_records, topics
    )
    dead = (
        (poll_dead, dedup_dead, fetch_dead, extract_dead, flag_dead, record_dead)
        | "CollectDeadLetters" >> beam.Flatten()
        | "CountDeadLetters" >> CountDeadLetters()
    )
    records = (
        article_messages,
        dead | "DeadLetterRecords" >> beam.Map(dead_letter_record, topics),
        polls | "OpsRecords" >> beam.Map(poll_record, topics),
    )
    # no Flatten before publishing: each branch publishes as it goes (see PublishToKafka)
    acked = records | "PublishToKafka" >> publish(config.kafka, dead_letter_topic=topics.deadletter)
    if not config.once:
        counted = {
            "ticks": ticks[HEARTBEAT_TICKS],
            "polls": polls,
            "entries": fresh,
            "articles": flagged,
            "dead": dead,
            "acked": acked,
        }
        _ = (
            counted
            | "PipelineHeartbeat" >> PipelineHeartbeat(job=config.job, interval=config.heartbeat_interval)
            | "HeartbeatRecords" >> beam.Map(heartbeat_record, topics)
            | "PublishHeartbeats" >> publish(config.kafka)
        )
