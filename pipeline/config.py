"""The one frozen, validated configuration a run is built from.

Configuration flows one way: the command line → ``NewsbeamOptions`` (Beam's options, so it travels with
the job) → ``PipelineConfig`` (``pipeline.options.config_from_options``) → plain constructor arguments of
the stages. A ``PipelineConfig`` that exists is valid: its checks run when it is made, and their messages
name the command-line flag to change. Nothing below the pipeline reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.http import HttpSettings
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from transforms.archive_records import DEFAULT_SPLIT_BYTES, ArchiveFilter
from transforms.records import Feed


class ConfigError(ValueError):
    """The feeds file or the options are wrong; the message says where and how."""


@dataclass(frozen=True, kw_only=True, slots=True)
class BackfillConfig:
    """A backfill's input: the archive files and what to keep of them."""

    patterns: tuple[str, ...]  # paths and globs (list files already resolved: connectors.warc_reading)
    wanted: ArchiveFilter
    languages: tuple[str, ...] = ()  # ISO 639-1 codes of the articles to publish; empty: every language
    split_bytes: int = DEFAULT_SPLIT_BYTES
    # (path, bytes) of the files the patterns matched when the run was set up: the progress display's totals
    files: tuple[tuple[str, int], ...] = ()

    @property
    def total_bytes(self) -> int:
        """The size of every matched file together."""
        return sum(size for _, size in self.files)

    def __post_init__(self) -> None:
        if not self.patterns:
            raise ConfigError("--warc names no file (an empty list file?)")
        if self.split_bytes <= 0:
            raise ConfigError("--split-bytes must be positive")


@dataclass(frozen=True, kw_only=True, slots=True)
class PipelineConfig:
    """Everything one run needs, validated."""

    feeds: tuple[Feed, ...]
    kafka: KafkaSettings
    topics: TopicNames
    http: HttpSettings
    once: bool
    job: str = "newsbeam"  # names the run in its heartbeats: <topic prefix>-<8 hex digits>
    duration: float | None = None  # streaming: stop after this many seconds (None: run until stopped)
    tick: float = 5.0  # streaming: how often the source wakes to poll the feeds that are due
    heartbeat_interval: float = 30.0  # streaming: seconds between heartbeats on the ops topic
    partitions: int = 3
    replication_factor: int = 1
    retention_ms: int | None = None
    create_topics: bool = True
    max_in_flight: int = 32
    # extraction processes per extraction DoFn instance; 0 extracts on a thread of the worker's own process
    extraction_processes: int = 0
    restart_read_timeout: float = 60.0  # seconds to read back what earlier runs published
    backfill: BackfillConfig | None = None  # set: read web archives instead of polling feeds (bounded)

    def __post_init__(self) -> None:
        problem = next((message for broken, message in self._checks() if broken), None)
        if problem is not None:
            raise ConfigError(problem)

    def _checks(self) -> tuple[tuple[bool, str], ...]:
        return (
            (self.tick <= 0, "--tick must be positive"),
            (
                self.extraction_processes < 0,
                "--extraction-processes must be 0 (extract in the worker's process) or more",
            ),
            (self.restart_read_timeout <= 0, "--restart-read-timeout must be a positive number of seconds"),
            (self.heartbeat_interval <= 0, "--heartbeat-interval must be positive"),
            (self.backfill is not None and not self.once, "a backfill (--warc) is bounded: it runs --once"),
        )
