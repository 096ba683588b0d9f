"""Run the ingestion job: options → config → topics → graph → runner → summary."""

from __future__ import annotations

import argparse
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions
from apache_beam.runners.runner import PipelineResult, PipelineRunner
from apache_beam.utils.shared import Shared

from connectors.article_extraction import extraction_pools_ahead
from connectors.http import HttpSettings, user_agent_for
from connectors.kafka_settings import KafkaSettings, KafkaSettingsError
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from connectors.ops_events import publish_heartbeat
from connectors.published_articles import read_published
from pipeline.config import ConfigError, PipelineConfig, load_feeds
from pipeline.graph import build_graph
from pipeline.options import NewsbeamOptions
from pipeline.runner_choice import (
    choose_runner,
    default_extraction_processes,
    describe_runner,
    one_worker_here,
)
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


class HeartbeatOptions(PipelineOptions):
    """How often a streaming run sends its heartbeat to ``<prefix>.ops``."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--heartbeat-interval",
            "--heartbeat_interval",
            dest="heartbeat_interval",
            type=float,
            default=30.0,
            help="streaming mode: seconds between pipeline heartbeats on <prefix>.ops (default 30)",
        )


# newsbeam run's Kafka options → the KafkaSettings.from_env arguments they set (None keeps the default)
KAFKA_OPTIONS = {
    "sasl_password_file": "sasl_password_file",
    "ssl_password_file": "ssl_password_file",
    "security_protocol": "security_protocol",
    "sasl_mechanism": "sasl_mechanism",
    "sasl_username": "sasl_username",
    "ssl_cafile": "ssl_cafile",
    "ssl_certfile": "ssl_certfile",
    "ssl_keyfile": "ssl_keyfile",
    "kafka_acks": "acks",
    "kafka_max_unacknowledged": "max_unacknowledged",
    "kafka_compression": "compression_type",
    "kafka_linger_ms": "linger_ms",
}


# Given the validated config before the runner starts, returns a context that watches the run
# (the terminal progress bar); entered around the run, left when it finished.
RunWatcher = Callable[[PipelineConfig], AbstractContextManager[Any]]


def config_from_options(options: NewsbeamOptions) -> PipelineConfig:
    """Validate the options and the feeds file into one ``PipelineConfig``."""
    if not options.feeds:
        raise ConfigError("--feeds FILE is required")
    feeds_file = load_feeds(options.feeds, base_url=options.base_url)
    shortest = min(feed.poll_interval for feed in feeds_file.feeds)
    tick = options.tick if options.tick is not None else min(5.0, shortest)
    if tick <= 0:
        raise ConfigError("--tick must be positive")
    http = HttpSettings(
        user_agent=options.http_user_agent or feeds_file.user_agent or user_agent_for(feeds_file.contact),
        allow_private_networks=options.allow_private_networks or feeds_file.allow_private_networks,
        allowed_networks=feeds_file.allowed_networks,
        total_timeout=options.fetch_budget,
    )
    extraction_processes = (
        options.extraction_processes
        if options.extraction_processes is not None
        else default_extraction_processes(options, once=options.once)
    )
    if extraction_processes < 0:
        raise ConfigError("--extraction-processes must be 0 (extract in the worker's process) or more")
    if options.restart_read_timeout <= 0:
        raise ConfigError("--restart-read-timeout must be a positive number of seconds")
    outage = options.kafka_outage_timeout
    try:
        kafka = KafkaSettings.from_env(
            options.kafka_bootstrap_servers,
            outage_timeout_ms=None if outage is None else int(outage * 1000),
            **{setting: getattr(options, option) for option, setting in KAFKA_OPTIONS.items()},
        )
    except KafkaSettingsError as error:
        raise ConfigError(str(error)) from error
    return PipelineConfig(
        feeds=feeds_file.feeds,
        kafka=kafka,
        topics=TopicNames(options.topic_prefix),
        http=http,
        once=options.once,
        duration=options.duration,
        tick=tick,
        partitions=options.partitions,
        replication_factor=options.replication_factor,
        retention_ms=options.retention_ms,
        max_in_flight=options.max_in_flight,
        extraction_processes=extraction_processes,
        restart_read_timeout=options.restart_read_timeout,
    )


def run(argv: Sequence[str], *, watch: RunWatcher | None = None) -> RunSummary:
    """Run the pipeline with command-line style ``argv`` (newsbeam options plus any Beam options)."""
    options = PipelineOptions(list(argv))
    return run_config(config_from_options(options.view_as(NewsbeamOptions)), options, watch=watch)


def run_config(
    config: PipelineConfig, options: PipelineOptions, *, watch: RunWatcher | None = None
) -> RunSummary:
    """Run the pipeline of ``config`` with the Beam ``options`` it was made from (the runner's among them)."""
    heartbeat_interval = options.view_as(HeartbeatOptions).heartbeat_interval
    if heartbeat_interval <= 0:
        raise ConfigError("--heartbeat-interval must be positive")
    job = f"{config.topics.prefix}-{uuid.uuid4().hex[:8]}"
    started_at = utc_now()
    # workers import our packages from the installed distribution, never from the launcher's state
    options.view_as(SetupOptions).save_main_session = False
    runner = choose_runner(options, once=config.once)
    runner_name = describe_runner(runner, options)  # before Beam builds the runner named in the options
    # the run's one worker is this process: its extraction processes start now, beside the set-up below
    ahead = config.extraction_processes if one_worker_here(options, once=config.once) else 0
    with extraction_pools_ahead(ahead) as pools_ahead:
        result = _start_and_wait(
            runner, runner_name, options, config, job, heartbeat_interval, watch, pools_ahead
        )
    state = result.state
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
    if config.once:
        # a bounded run's one heartbeat: it finished, with the runner's counters
        heartbeat = Heartbeat(
            job=job,
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
    return RunSummary(
        runner=runner_name, state=str(state), counters=counters, distributions=distributions, job=job
    )


def _start_and_wait(
    runner: PipelineRunner | None,
    runner_name: str,
    options: PipelineOptions,
    config: PipelineConfig,
    job: str,
    heartbeat_interval: float,
    watch: RunWatcher | None,
    pools_ahead: Shared,
) -> PipelineResult:
    """Topics, the published articles, the graph; then run it on ``runner`` until it finishes."""
    if config.create_topics:
        created = ensure_topics(
            config.kafka,
            default_specs(
                config.topics,
                partitions=config.partitions,
                replication_factor=config.replication_factor,
                retention_ms=config.retention_ms,
            ),
        )
        if created:
            log.info("created topics: %s", ", ".join(created))
    log.info(
        "running %d feed(s) %s on %s, publishing to %s.* at %s",
        len(config.feeds),
        "once" if config.once else "continuously",
        runner_name,
        config.topics.prefix,
        config.kafka.bootstrap_servers,
    )
    # restart safety: what earlier runs published (acknowledged) is not published again (transforms.dedup)
    published = read_published(config.kafka, config.topics.articles, timeout=config.restart_read_timeout)
    pipeline = beam.Pipeline(runner=runner, options=options)
    build_graph(
        pipeline,
        config,
        job=job,
        heartbeat_interval=heartbeat_interval,
        published=published,
        extraction_pools_ahead=pools_ahead,
    )
    with watch(config) if watch is not None else contextlib.nullcontext():
        result = pipeline.run()
        result.wait_until_finish()
    return result
