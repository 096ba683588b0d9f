"""Run the ingestion job: options → config → topics → graph → runner → summary."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, SetupOptions

from connectors.http import DEFAULT_USER_AGENT, HttpSettings
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from pipeline.config import ConfigError, PipelineConfig, load_feeds
from pipeline.graph import build_graph
from pipeline.options import NewsbeamOptions
from pipeline.runners import choose_runner, describe_runner

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What a finished run did, from the runner's metrics."""

    runner: str
    state: str
    counters: dict[str, int] = field(default_factory=dict)


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
        user_agent=options.http_user_agent or feeds_file.user_agent or DEFAULT_USER_AGENT,
        allow_private_networks=options.allow_private_networks or feeds_file.allow_private_networks,
    )
    kafka = KafkaSettings.from_env(
        options.kafka_bootstrap_servers,
        security_protocol=options.security_protocol,
        sasl_mechanism=options.sasl_mechanism,
        sasl_username=options.sasl_username,
        ssl_cafile=options.ssl_cafile,
        ssl_certfile=options.ssl_certfile,
        ssl_keyfile=options.ssl_keyfile,
    )
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
    )


def run(argv: Sequence[str]) -> RunSummary:
    """Run the pipeline with command-line style ``argv`` (newsbeam options plus any Beam options)."""
    options = PipelineOptions(list(argv))
    ours = options.view_as(NewsbeamOptions)
    config = config_from_options(ours)
    # workers import our packages from the installed distribution, never from the launcher's state
    options.view_as(SetupOptions).save_main_session = False
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
    runner = choose_runner(options, once=config.once)
    runner_name = describe_runner(runner, options)
    log.info(
        "running %d feed(s) %s on %s, publishing to %s.* at %s",
        len(config.feeds),
        "once" if config.once else "continuously",
        runner_name,
        config.topics.prefix,
        config.kafka.bootstrap_servers,
    )
    pipeline = beam.Pipeline(runner=runner, options=options)
    build_graph(pipeline, config)
    result = pipeline.run()
    state = result.wait_until_finish()
    counters: dict[str, int] = {}
    try:
        for counter in result.metrics().query(MetricsFilter())["counters"]:
            name = f"{counter.key.metric.namespace}.{counter.key.metric.name}"
            counters[name] = counters.get(name, 0) + int(counter.committed or counter.attempted or 0)
    except Exception:  # some runners report no metrics; the topics are the source of truth anyway
        log.debug("runner reported no metrics", exc_info=True)
    return RunSummary(runner=runner_name, state=str(state), counters=counters)
