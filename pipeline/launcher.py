"""Run the ingestion job: options → config → topics → graph → runner → summary.

The graph is the live one (``pipeline.graph``), or the backfill's when the options name web archives
(``--warc``: ``pipeline.backfill_graph``).

The launcher is the process ``newsbeam run`` starts: it creates the topics, reads back what earlier runs
published, builds the graph, runs it on the chosen runner until it finishes, and reports the runner's
metrics (a ``--once`` run also sends its one, final heartbeat).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions
from apache_beam.runners.runner import PipelineResult, PipelineRunner
from apache_beam.utils.shared import Shared

from connectors.article_extraction import extraction_pools_ahead
from connectors.kafka_topics import default_specs, ensure_topics
from connectors.ops_events import publish_heartbeat
from connectors.published_articles import read_published
from pipeline.backfill_graph import build_backfill_graph
from pipeline.config import PipelineConfig
from pipeline.graph import build_graph
from pipeline.options import config_from_options
from pipeline.runner_choice import choose_runner, describe_runner, one_worker_here, spreads_over_workers
from transforms.dead_letters import utc_now
from transforms.records import Heartbeat

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a finished run did, from the runner's metrics."""

    runner: str
    state: str
    counters: dict[str, int] = field(default_factory=dict)
    # name → {"count", "sum", "min", "max"} of the runner's distributions (fetch latency, extraction time...)
    distributions: dict[str, dict[str, int]] = field(default_factory=dict)
    job: str = ""


# Given the validated config before the runner starts, returns a context that watches the run
# (the terminal progress bar); entered around the run, left when it finished.
RunWatcher = Callable[[PipelineConfig], AbstractContextManager[Any]]


def run(argv: Sequence[str], *, watch: RunWatcher | None = None) -> RunSummary:
    """Run the pipeline with command-line style ``argv`` (newsbeam options plus any Beam options)."""
    options = PipelineOptions(list(argv))
    return run_config(config_from_options(options), options, watch=watch)


def run_config(
    config: PipelineConfig, options: PipelineOptions, *, watch: RunWatcher | None = None
) -> RunSummary:
    """Run the pipeline of ``config`` with the Beam ``options`` it was made from (the runner's among them)."""
    started_at = utc_now()
    # workers import our packages from the installed distribution, never from the launcher's state
    options.view_as(SetupOptions).save_main_session = False
    runner = choose_runner(options, once=config.once)
    runner_name = describe_runner(runner, options)  # before Beam builds the runner named in the options
    # the run's one worker is this process: its extraction processes start now, beside the set-up below
    ahead = config.extraction_processes if one_worker_here(options, once=config.once) else 0
    with (
        extraction_pools_ahead(ahead) as pools_ahead,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="final-heartbeat") as heartbeat,
    ):
        pipeline = _prepare(runner, runner_name, options, config, pools_ahead)
        with watch(config) if watch is not None else contextlib.nullcontext():
            result = pipeline.run()
            result.wait_until_finish()
            counters, distributions = runner_metrics(result)
            if config.once:  # sent while the progress display reads the topics to their end
                heartbeat.submit(_send_final_heartbeat, config, started_at, counters)
    return RunSummary(
        runner=runner_name,
        state=str(result.state),
        counters=counters,
        distributions=distributions,
        job=config.job,
    )


def runner_metrics(result: PipelineResult) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """The runner's counters by ``namespace.name``, and its distributions (count, sum, min, max)."""
    counters: dict[str, int] = {}
    distributions: dict[str, dict[str, int]] = {}
    try:
        queried = result.metrics().query(MetricsFilter())
        for counter in queried["counters"]:
            name = f"{counter.key.metric.namespace}.{counter.key.metric.name}"
            counters[name] = counters.get(name, 0) + int(counter.committed or counter.attempted or 0)
        for distribution in queried["distributions"]:
            name = f"{distribution.key.metric.namespace}.{distribution.key.metric.name}"
            data = distribution.committed or distribution.attempted
            if data is not None and data.count:
                distributions[name] = {"count": data.count, "sum": data.sum, "min": data.min, "max": data.max}
    except Exception:  # some runners report no metrics; the topics are the source of truth anyway
        log.debug("runner reported no metrics", exc_info=True)
    return counters, distributions


def _send_final_heartbeat(config: PipelineConfig, started_at: str, counters: dict[str, int]) -> None:
    """A bounded run's one heartbeat: it finished, with the runner's counters."""
    heartbeat = Heartbeat(
        job=config.job,
        at=utc_now(),
        mode="once",
        started_at=started_at,
        sequence=1,
        interval=0.0,
        counters=tuple(sorted(counters.items())),
        final=True,
    )
    try:
        publish_heartbeat(config.kafka, config.topics, heartbeat)
    except Exception as error:  # the run's own messages were acknowledged; only the heartbeat is lost
        log.warning("could not publish the final heartbeat to %s: %s", config.topics.ops, error)


def _prepare(
    runner: PipelineRunner | None,
    runner_name: str,
    options: PipelineOptions,
    config: PipelineConfig,
    pools_ahead: Shared,
) -> beam.Pipeline:
    """Topics, the published articles, and the graph on ``runner``."""
    # restart safety: what earlier runs published (acknowledged) is not published again (transforms.dedup).
    # Read while the topics are checked: both mostly wait for the broker. A topic created meanwhile is empty.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="read-published") as reader:
        reading = reader.submit(
            read_published, config.kafka, config.topics.articles, timeout=config.restart_read_timeout
        )
        if config.create_topics:
            ensure_topics(  # it logs the topics it created
                config.kafka,
                default_specs(
                    config.topics,
                    partitions=config.partitions,
                    replication_factor=config.replication_factor,
                    retention_ms=config.retention_ms,
                ),
            )
        published = reading.result()
    if config.backfill is not None:
        log.info(
            "backfilling from %d archive file(s) (%.1f MB) on %s, publishing to %s.* at %s",
            len(config.backfill.files),
            config.backfill.total_bytes / 1e6,
            runner_name,
            config.topics.prefix,
            config.kafka.bootstrap_servers,
        )
    else:
        log.info(
            "running %d feed(s) %s on %s, publishing to %s.* at %s",
            len(config.feeds),
            "once" if config.once else "continuously",
            runner_name,
            config.topics.prefix,
            config.kafka.bootstrap_servers,
        )
    pipeline = beam.Pipeline(runner=runner, options=options)
    if config.backfill is not None:
        build_backfill_graph(pipeline, config, published=published, extraction_pools_ahead=pools_ahead)
    else:
        build_graph(
            pipeline,
            config,
            published=published,
            extraction_pools_ahead=pools_ahead,
            several_workers=spreads_over_workers(pipeline.runner, options),
        )
    return pipeline
