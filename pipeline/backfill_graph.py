"""The backfill's graph: web archives → the live graph's stages from extraction on → the same topics.

```
 ReadArchives ─▶ ExtractArticles ─▶ FlagRegulation ─▶ KeepLanguages ─▶ Fingerprints ─▶ ArticleRecords ─▶ Publish
   ├─ progress ─▶ ProgressRecords ───────────────────────────────────────────────────────────────────────▶ Publish
   └─ dead ──────────────┴───────────────────┴───────────────────────────────────────────────┴─▶ CountDeadLetters ─▶ DeadLetterRecords ─▶ Publish
```
Bounded on every runner: the source is a list of files (``connectors.warc_reading.ReadArchives``), whose
parts spread over the workers; it reads each file twice, the records' headers first to choose one capture
per article (the latest, none published before: ``transforms.captures.LatestCaptures``), then the chosen
captures' pages, which stream on through extraction to Kafka. ExtractArticles, FlagRegulation, ArticleRecords and the publishing are the
live graph's own stages with the same labels, so an archived page becomes the article a fetched one would
(same id for the same canonical URL, same extraction and flagging, same topics and schema), marked
``text_source: archive`` and seen at its WARC-Date. The run's final heartbeat is the launcher's, as for
any ``--once`` run.
"""

from __future__ import annotations

import apache_beam as beam
from apache_beam.utils.shared import Shared

from connectors.article_extraction import ExtractArticles
from connectors.kafka_publish import PublishToKafka
from connectors.warc_reading import ReadArchives
from connectors.wire import archive_progress_record, article_records, dead_letter_record
from pipeline.config import PipelineConfig
from pipeline.graph import Publisher
from transforms.captures import KeepLanguages, fingerprinted
from transforms.dedup import Published
from transforms.failures import GuardedFlatMap
from transforms.flagging import FlagRegulation
from transforms.run_counts import CountDeadLetters


def build_backfill_graph(
    pipeline: beam.Pipeline,
    config: PipelineConfig,
    *,
    published: Published | None = None,
    extraction_pools_ahead: Shared | None = None,
    publish: Publisher = PublishToKafka,
) -> None:
    """Add the backfill graph for ``config`` (its ``backfill`` set) to ``pipeline``.

    ``published``: what earlier runs published; those article ids are not published again.
    ``extraction_pools_ahead`` and ``publish``: as for ``pipeline.graph.build_graph``.
    """
    backfill = config.backfill
    if backfill is None:
        raise ValueError("build_backfill_graph needs a config with a backfill (--warc)")
    topics = config.topics
    pages, read_dead, progress = pipeline | "ReadArchives" >> ReadArchives(
        backfill.patterns,
        backfill.wanted,
        job=config.job,
        split_bytes=backfill.split_bytes,
        published=published,
    )
    articles, extract_dead = pages | "ExtractArticles" >> ExtractArticles(
        processes=config.extraction_processes, pools_ahead=extraction_pools_ahead
    )
    # a bounded run builds only the lexicons of the languages it meets
    flagged, flag_dead = articles | "FlagRegulation" >> FlagRegulation(warm_up_models=False)
    wanted = (
        flagged
        | "KeepLanguages" >> KeepLanguages(backfill.languages)
        | "Fingerprints" >> beam.Map(fingerprinted)
    )
    article_messages, record_dead = wanted | "ArticleRecords" >> GuardedFlatMap(
        "ArticleRecords", article_records, topics
    )
    dead = (
        (read_dead, extract_dead, flag_dead, record_dead)
        | "CollectDeadLetters" >> beam.Flatten()
        | "CountDeadLetters" >> CountDeadLetters()
    )
    records = (
        article_messages,
        dead | "DeadLetterRecords" >> beam.Map(dead_letter_record, topics),
        progress | "ProgressRecords" >> beam.Map(archive_progress_record, topics),
    )
    _ = records | "PublishToKafka" >> publish(config.kafka, dead_letter_topic=topics.deadletter)
