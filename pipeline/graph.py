"""The graph: feeds → poll → de-duplicate → fetch → extract → flag → publish, dead letters beside it.

```
 ReadFeedList ─▶ PollFeeds ─▶ DropDuplicates ─▶ FetchPages ─▶ ExtractArticles ─▶ FlagRegulation ─▶ ArticleRecords ─▶ Publish
                   ├─ polls ─▶ OpsRecords ─────────────────────────────────────────────────────────────────────────▶ Publish
                   └─ dead ─────┴─────────────────┴─────────────┴──────────────────┴─────────────────┴─▶ CountDeadLetters ─▶ DeadLetterRecords ─▶ Publish
 streaming only: PipelineHeartbeat (counts of every branch) ─▶ HeartbeatRecords ─▶ PublishHeartbeats
```
Each branch publishes as it goes (no Flatten before ``PublishToKafka``). Labels are stable: they name the
metrics and the dead letters' ``stage``. Every stage turns an exception raised for one element into a
dead letter and goes on (``transforms.dead_letters.ElementFailures``); only a failure that hits every
element stops the run, as ``LooksLikeABug``.
"""

from __future__ import annotations

import time

import apache_beam as beam
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.utils.shared import Shared
from apache_beam.utils.timestamp import Timestamp

from connectors.article_extraction import ExtractArticles
from connectors.feed_polling import PollFeeds
from connectors.kafka_publish import PublishToKafka
from connectors.page_fetching import FetchPages, RouteEntriesBySite
from connectors.wire import article_records, dead_letter_record, heartbeat_record, poll_record
from pipeline.config import PipelineConfig
from transforms.dedup import DropDuplicates, Published
from transforms.failures import GuardedFlatMap
from transforms.flagging import FlagRegulation
from transforms.records import Feed
from transforms.run_counts import CountDeadLetters, PipelineHeartbeat

FOREVER = 10 * 365 * 24 * 3600.0


class ReadFeedList(beam.PTransform):
    """The feeds to poll: each once (bounded), or all of them at every tick (streaming)."""

    def __init__(self, feeds: tuple[Feed, ...], *, once: bool, tick: float, duration: float | None) -> None:
        super().__init__()
        self._feeds = feeds
        self._once = once
        self._tick = tick
        self._duration = duration

    def expand(self, begin: beam.pvalue.PBegin) -> beam.PCollection[Feed]:
        if self._once:
            return begin | "Feeds" >> beam.Create(list(self._feeds))
        # start, stop and interval always explicit: PeriodicImpulse's default start is import time (FACTS.md)
        start = time.time()
        stop = start + (self._duration if self._duration is not None else FOREVER)
        feeds = self._feeds
        return (
            begin
            | "Ticks"
            >> PeriodicImpulse(
                start_timestamp=Timestamp.of(start),
                stop_timestamp=Timestamp.of(stop),
                fire_interval=self._tick,
            )
            | "EveryFeed" >> beam.FlatMap(lambda _tick: feeds)
        )


def build_graph(
    pipeline: beam.Pipeline,
    config: PipelineConfig,
    *,
    published: Published | None = None,
    extraction_pools_ahead: Shared | None = None,
    several_workers: bool = False,
) -> None:
    """Add the whole ingestion graph for ``config`` to ``pipeline``.

    Streaming runs also get the ``PipelineHeartbeat`` branch: a heartbeat of run ``config.job`` on the ops
    topic every ``config.heartbeat_interval`` seconds (a ``--once`` run's launcher sends its one heartbeat
    at the end). ``published``: what earlier runs published, so a restart does not publish it again.
    ``extraction_pools_ahead``: the handle of extraction pools the launcher started before the run
    (``connectors.article_extraction.extraction_pools_ahead``), for ExtractArticles to take.
    ``several_workers``: the runner may hand work to several workers
    (``pipeline.runner_choice.spreads_over_workers``), so entries are routed by site between them.
    """
    topics = config.topics
    feeds = pipeline | "ReadFeedList" >> ReadFeedList(
        config.feeds, once=config.once, tick=config.tick, duration=config.duration
    )
    entries, poll_dead, polls = feeds | "PollFeeds" >> PollFeeds(config.http, at_once=config.once)
    fresh, dedup_dead = entries | "DropDuplicates" >> DropDuplicates(published)
    if several_workers:
        # Several workers: break fusion on the small entries, never on the HTML (a reshuffle of pages cost
        # 16-20%, FACTS.md), and route them by site so that one worker owns each site's politeness limit
        # (RouteEntriesBySite); different sites still spread over the workers.
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
    flagged, flag_dead = articles | "FlagRegulation" >> FlagRegulation()
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
    acked = records | "PublishToKafka" >> PublishToKafka(config.kafka, dead_letter_topic=topics.deadletter)
    if not config.once:
        start = time.time()
        stop = start + (config.duration if config.duration is not None else FOREVER)
        counted = {"polls": polls, "entries": fresh, "articles": flagged, "dead": dead, "acked": acked}
        _ = (
            counted
            | "PipelineHeartbeat"
            >> PipelineHeartbeat(job=config.job, start=start, stop=stop, interval=config.heartbeat_interval)
            | "HeartbeatRecords" >> beam.Map(heartbeat_record, topics)
            | "PublishHeartbeats" >> PublishToKafka(config.kafka)
        )
