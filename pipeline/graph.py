"""The graph: feeds → poll → de-duplicate → fetch → extract → flag → publish, dead letters beside it.

```
 Feeds ─▶ PollFeeds ─▶ DropDuplicates ─▶ FetchPages ─▶ ExtractArticles ─▶ FlagRegulation ─▶ ArticleRecords ─┐
             │  └─ polls ─▶ OpsRecords ───────────────────────────────────────────────────────────────────┤
             └─ dead ─┬──────────────────────────── dead ─┬─────────────────── dead ─┐                      ├─▶ PublishToKafka
                      └──────────────────────────────────┴──────────────────────────┴─▶ DeadLetterRecords ┘
```
Labels are stable: they name the metrics and the dead letters' ``stage``.
"""

from __future__ import annotations

import time

import apache_beam as beam
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.utils.timestamp import Timestamp

from connectors.feed_polling import PollFeeds
from connectors.kafka_publish import PublishToKafka
from connectors.page_fetching import FetchPages
from connectors.wire import article_records, dead_letter_record, poll_record
from pipeline.config import PipelineConfig
from transforms.dedup import DropDuplicates
from transforms.extraction import ExtractArticles
from transforms.flagging import FlagRegulation
from transforms.records import Feed

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


def build_graph(pipeline: beam.Pipeline, config: PipelineConfig) -> None:
    """Add the whole ingestion graph for ``config`` to ``pipeline``."""
    topics = config.topics
    feeds = pipeline | "ReadFeedList" >> ReadFeedList(
        config.feeds, once=config.once, tick=config.tick, duration=config.duration
    )
    entries, poll_dead, polls = feeds | "PollFeeds" >> PollFeeds(config.http)
    pages = (
        entries
        | "DropDuplicates" >> DropDuplicates()
        | "FetchPages" >> FetchPages(config.http, max_in_flight=config.max_in_flight)
    )
    articles, extract_dead = pages | "ExtractArticles" >> ExtractArticles()
    flagged, flag_dead = articles | "FlagRegulation" >> FlagRegulation()
    dead = (poll_dead, extract_dead, flag_dead) | "CollectDeadLetters" >> beam.Flatten()
    records = (
        flagged | "ArticleRecords" >> beam.FlatMap(article_records, topics),
        dead | "DeadLetterRecords" >> beam.Map(dead_letter_record, topics),
        polls | "OpsRecords" >> beam.Map(poll_record, topics),
    ) | "AllRecords" >> beam.Flatten()
    _ = records | "PublishToKafka" >> PublishToKafka(config.kafka)
