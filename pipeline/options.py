"""``newsbeam run``'s options, and how they become the run's one ``PipelineConfig``.

The options are a Beam ``PipelineOptions`` subclass, so they travel with the job; every other flag is a
Beam option (``--runner``, ``--flink_master``...). They are written as a table, one group per concern,
that ``_add_argparse_args`` loops over: each dashed flag also answers to its underscored spelling
(``--topic-prefix``, ``--topic_prefix``), as Beam's own flags are spelt.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from apache_beam.options.pipeline_options import PipelineOptions

from connectors.http import HttpSettings, user_agent_for
from connectors.kafka_settings import KafkaSettings, KafkaSettingsError
from connectors.kafka_topics import TopicNames
from connectors.warc_reading import archive_patterns, match_archives
from pipeline.config import BackfillConfig, ConfigError, PipelineConfig
from pipeline.feeds_file import FeedsFile, load_feeds
from pipeline.runner_choice import default_extraction_processes
from transforms.archive_records import (
    DEFAULT_MAX_RECORD_BYTES,
    DEFAULT_SPLIT_BYTES,
    ArchiveFilter,
    parse_day_or_time,
)


@dataclass(frozen=True, slots=True)
class Flag:
    """One option: its spellings and what argparse is told about it (``dest``, ``type``, ``help``...)."""

    spellings: tuple[str, ...]
    argparse: Mapping[str, Any]


def flag(name: str, *aliases: str, underscored: bool = True, **argparse_settings: Any) -> Flag:
    """A flag called ``name`` (and ``aliases``); ``underscored`` adds each dashed spelling's ``_`` twin."""
    spellings = (name, *aliases)
    if underscored:
        spellings += tuple("--" + s[2:].replace("-", "_") for s in spellings if "-" in s[2:])
    return Flag(spellings, MappingProxyType(argparse_settings))


RUN_FLAGS: dict[str, tuple[Flag, ...]] = {
    "what to poll, and for how long": (
        flag("--feeds", dest="feeds", required=False, help="feeds file (YAML)"),
        flag(
            "--base-url",
            dest="base_url",
            default=None,
            help="resolve relative feed URLs in the feeds file against this URL",
        ),
        flag(
            "--once",
            dest="once",
            action="store_true",
            default=False,
            help="poll every feed once, process everything, flush and exit (bounded mode)",
        ),
        flag(
            "--duration",
            dest="duration",
            type=float,
            default=None,
            help="streaming mode: stop after this many seconds",
        ),
        flag(
            "--tick",
            dest="tick",
            type=float,
            default=None,
            help="streaming mode: seconds between scheduler wake-ups (default: min(5, shortest poll interval))",
        ),
        flag(
            "--heartbeat-interval",
            dest="heartbeat_interval",
            type=float,
            default=30.0,
            help="streaming mode: seconds between pipeline heartbeats on <prefix>.ops (default 30)",
        ),
    ),
    "backfill from web archives": (
        flag(
            "--warc",
            dest="warc",
            action="append",
            default=None,
            help="backfill instead of polling feeds: a WARC/ARC file, a glob, or a list file in CC-NEWS's "
            "warc.paths format (one path a line); repeat for more; any Beam file system (gs://, s3://...)",
        ),
        flag(
            "--warc-base",
            dest="warc_base",
            default=None,
            help="resolve the relative paths of a --warc list file against this folder or URL "
            "(default: the list file's own folder)",
        ),
        flag(
            "--domains",
            dest="domains",
            default=None,
            help="backfill: keep pages of these hosts or domains only, comma separated (a domain covers its "
            "subdomains: cointelegraph.com keeps br.cointelegraph.com)",
        ),
        flag(
            "--since",
            dest="since",
            default=None,
            help="backfill: keep captures from this WARC-Date on (YYYY-MM-DD, UTC, or an ISO 8601 time)",
        ),
        flag("--until", dest="until", default=None, help="backfill: keep captures before this WARC-Date"),
        flag(
            "--languages",
            dest="languages",
            default=None,
            help="backfill: publish articles in these languages only (ISO 639-1, comma separated; the "
            "language detected after extraction)",
        ),
        flag(
            "--max-record-bytes",
            dest="max_record_bytes",
            type=int,
            default=DEFAULT_MAX_RECORD_BYTES,
            help="backfill: a record longer than this is a dead letter (too_large) and is not read "
            f"(default {DEFAULT_MAX_RECORD_BYTES // (1024 * 1024)} MiB)",
        ),
        flag(
            "--split-bytes",
            dest="split_bytes",
            type=int,
            default=DEFAULT_SPLIT_BYTES,
            help="backfill: files are read in parts of this many bytes, spread over the workers "
            f"(default {DEFAULT_SPLIT_BYTES // (1024 * 1024)} MiB)",
        ),
    ),
    "fetching and extraction": (
        flag(
            "--allow-private-networks",
            dest="allow_private_networks",
            action="store_true",
            default=False,
            help="allow fetching from loopback and private addresses (local servers, tests)",
        ),
        flag(
            "--max-in-flight",
            dest="max_in_flight",
            type=int,
            # at 200 ms a page, 16 in flight cap a worker at 80 pages/s, less than extraction takes; the
            # per-site cap of 4 concurrent requests is what keeps this polite, not this number
            default=32,
            help="page fetches in flight per worker (default 32; at most 4 per site at once)",
        ),
        flag(
            "--extraction-processes",
            dest="extraction_processes",
            type=int,
            default=None,
            help="processes that extract pages for each Beam worker; 0 extracts on a thread of the worker "
            "itself (one core at most: extraction holds the GIL). Default: one per core for --once on the "
            "local FnApiRunner in one process (the fastest there: tests/bench/bench_pipeline.py), else 0 "
            "(Beam multi_processing workers, Prism, Flink and cluster runners spread work over their own "
            "workers already)",
        ),
        flag(
            "--fetch-budget",
            dest="fetch_budget",
            type=float,
            default=30.0,
            help="wall-clock seconds for one feed or page fetch, redirects and slow drips included",
        ),
        flag(
            "--http-user-agent",
            dest="http_user_agent",
            default=None,
            help="User-Agent of feed and page requests (Beam owns --user_agent)",
        ),
    ),
    "Kafka and its topics": (
        # not --bootstrap_servers: Beam's (unreleased) Kafka Streams runner options own that spelling
        flag(
            "--bootstrap-servers",
            "--kafka-bootstrap-servers",
            underscored=False,
            dest="kafka_bootstrap_servers",
            default="127.0.0.1:9092",
            help="Kafka bootstrap servers, comma separated",
        ),
        flag("--topic-prefix", dest="topic_prefix", default="news"),
        flag("--partitions", dest="partitions", type=int, default=3),
        flag("--replication-factor", dest="replication_factor", type=int, default=1),
        flag("--retention-ms", dest="retention_ms", type=int, default=None),
        flag(
            "--restart-read-timeout",
            dest="restart_read_timeout",
            type=float,
            default=60.0,
            help="seconds the launcher may spend reading <prefix>.articles back at start, so that what "
            "earlier runs published is not published again (default 60)",
        ),
    ),
    "Kafka security": (
        flag(
            "--security-protocol",
            dest="security_protocol",
            default="PLAINTEXT",
            choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"],
        ),
        flag("--sasl-mechanism", dest="sasl_mechanism", default=None),
        flag("--sasl-username", dest="sasl_username", default=None),
        flag(
            "--sasl-password-file",
            dest="sasl_password_file",
            default=None,
            help="a file holding the SASL password, at this path on the launcher and on every worker "
            "(else NEWSBEAM_KAFKA_SASL_PASSWORD_FILE or NEWSBEAM_KAFKA_SASL_PASSWORD); never the password itself",
        ),
        flag(
            "--ssl-password-file",
            dest="ssl_password_file",
            default=None,
            help="a file holding the password of --ssl-keyfile (else NEWSBEAM_KAFKA_SSL_PASSWORD[_FILE])",
        ),
        flag("--ssl-cafile", dest="ssl_cafile", default=None),
        flag("--ssl-certfile", dest="ssl_certfile", default=None),
        flag("--ssl-keyfile", dest="ssl_keyfile", default=None),
    ),
    "Kafka producer": (
        flag(
            "--kafka-compression",
            dest="kafka_compression",
            default=None,
            choices=["none", "gzip", "lz4", "zstd"],
            help="compression of produced batches (default: zstd, chosen by tests/bench/bench_kafka.py)",
        ),
        flag(
            "--kafka-acks",
            dest="kafka_acks",
            default=None,
            choices=["1", "all"],
            help="all (default, with idempotence) or 1 (leader only: faster, can lose acknowledged data)",
        ),
        flag(
            "--kafka-linger-ms",
            dest="kafka_linger_ms",
            type=int,
            default=None,
            help="how long the producer waits to fill a batch (default 250: a request per ~10 articles "
            "instead of one each; costs at most that much latency)",
        ),
        flag(
            "--kafka-outage-timeout",
            dest="kafka_outage_timeout",
            type=float,
            default=None,
            help="seconds publishing waits for a broker that stopped acknowledging before the run stops "
            "(default 600)",
        ),
        flag(
            "--kafka-max-unacknowledged",
            dest="kafka_max_unacknowledged",
            type=int,
            default=None,
            help="messages per worker waiting for the broker before publishing pauses (default 2000)",
        ),
    ),
}

# the options that pass straight into KafkaSettings.from_env, by the argument they set (None: its default)
KAFKA_SETTINGS = {
    "sasl_password_file": "sasl_password_file",
    "ssl_password_file": "ssl_password_file",
    "security_protocol": "security_protocol",
    "sasl_mechanism": "sasl_mechanism",
    "sasl_username": "sasl_username",
    "ssl_cafile": "ssl_cafile",
    "ssl_certfile": "ssl_certfile",
    "ssl_keyfile": "ssl_keyfile",
    "acks": "kafka_acks",
    "max_unacknowledged": "kafka_max_unacknowledged",
    "compression_type": "kafka_compression",
    "linger_ms": "kafka_linger_ms",
}


class NewsbeamOptions(PipelineOptions):
    """newsbeam's own options (``RUN_FLAGS``); every other flag is a Beam option."""

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        for flags in RUN_FLAGS.values():
            for each in flags:
                parser.add_argument(*each.spellings, **each.argparse)


def config_from_options(options: PipelineOptions) -> PipelineConfig:
    """Validate the options and the feeds file they name into the run's one ``PipelineConfig``."""
    ours = options.view_as(NewsbeamOptions)
    backfill = _backfill_config(ours)
    if backfill is not None:
        # a backfill reads archives, not feeds: a feeds file given too only lends its HTTP settings
        feeds_file = load_feeds(ours.feeds, base_url=ours.base_url) if ours.feeds else FeedsFile(feeds=())
    elif not ours.feeds:
        raise ConfigError("--feeds FILE is required (or --warc, to backfill from web archives)")
    else:
        feeds_file = load_feeds(ours.feeds, base_url=ours.base_url)
    once = ours.once or backfill is not None
    shortest = min((feed.poll_interval for feed in feeds_file.feeds), default=300.0)
    return PipelineConfig(
        backfill=backfill,
        feeds=feeds_file.feeds,
        kafka=_kafka_settings(ours),
        topics=TopicNames(ours.topic_prefix),
        http=_http_settings(ours, feeds_file),
        once=once,
        job=f"{ours.topic_prefix}-{uuid.uuid4().hex[:8]}",
        duration=ours.duration,
        tick=ours.tick if ours.tick is not None else min(5.0, shortest),
        heartbeat_interval=ours.heartbeat_interval,
        partitions=ours.partitions,
        replication_factor=ours.replication_factor,
        retention_ms=ours.retention_ms,
        max_in_flight=ours.max_in_flight,
        extraction_processes=(
            ours.extraction_processes
            if ours.extraction_processes is not None
            else default_extraction_processes(options, once=once)
        ),
        restart_read_timeout=ours.restart_read_timeout,
    )


def _backfill_config(options: NewsbeamOptions) -> BackfillConfig | None:
    """The backfill's input and filters, when ``--warc`` is given; the files are matched now, for the totals
    of the progress display (the graph matches them again on the workers' side)."""
    if not options.warc:
        return None
    try:
        wanted = ArchiveFilter(
            domains=_listed(options.domains),
            since=parse_day_or_time(options.since) if options.since else None,
            until=parse_day_or_time(options.until) if options.until else None,
            max_record_bytes=options.max_record_bytes,
        )
        patterns = archive_patterns(options.warc, base=options.warc_base)
        files = match_archives(patterns)
    except (ValueError, OSError) as error:
        raise ConfigError(str(error)) from error
    if not files:
        raise ConfigError(f"--warc matches no file: {', '.join(patterns) or ', '.join(options.warc)}")
    return BackfillConfig(
        patterns=patterns,
        wanted=wanted,
        languages=_listed(options.languages),
        split_bytes=options.split_bytes,
        files=tuple(files),
    )


def _listed(value: str | None) -> tuple[str, ...]:
    """A comma-separated option as a tuple of its non-empty items."""
    return tuple(item.strip() for item in (value or "").split(",") if item.strip())


def _http_settings(options: NewsbeamOptions, feeds_file: FeedsFile) -> HttpSettings:
    """The command line's HTTP options win over the feeds file's."""
    return HttpSettings(
        user_agent=options.http_user_agent or feeds_file.user_agent or user_agent_for(feeds_file.contact),
        allow_private_networks=options.allow_private_networks or feeds_file.allow_private_networks,
        allowed_networks=feeds_file.allowed_networks,
        total_timeout=options.fetch_budget,
    )


def _kafka_settings(options: NewsbeamOptions) -> KafkaSettings:
    outage = options.kafka_outage_timeout
    try:
        return KafkaSettings.from_env(
            options.kafka_bootstrap_servers,
            outage_timeout_ms=None if outage is None else int(outage * 1000),
            **{setting: getattr(options, option) for setting, option in KAFKA_SETTINGS.items()},
        )
    except KafkaSettingsError as error:
        raise ConfigError(str(error)) from error
