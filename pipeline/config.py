"""The feeds file and the one frozen, validated configuration a run is built from.

Config flows one way: command line → ``NewsbeamOptions`` → ``PipelineConfig`` → plain constructor
arguments of the stages. Nothing below the pipeline reads the environment.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from connectors.http import HttpSettings
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from transforms.records import Feed

DEFAULT_POLL_INTERVAL = 300.0
MIN_POLL_INTERVAL = 1.0


class ConfigError(ValueError):
    """The feeds file or the options are wrong; the message says where and how."""


@dataclass(frozen=True, slots=True)
class FeedsFile:
    """What a feeds file holds."""

    feeds: tuple[Feed, ...]
    allow_private_networks: bool = False
    user_agent: str | None = None
    contact: str | None = None  # URL (or mailto:) for the User-Agent, so site owners can reach us
    allowed_networks: tuple[str, ...] = ()  # private networks (CIDR) allowed one by one


def _feed(item: Any, index: int, source: str, base_url: str | None) -> Feed:
    where = f"{source}: feeds[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(f"{where} must be a mapping with name and url, not {type(item).__name__}")
    unknown = set(item) - {"name", "url", "language", "poll_interval", "tags", "respect_robots"}
    if unknown:
        raise ConfigError(f"{where} has unknown keys: {', '.join(sorted(unknown))}")
    name, url = item.get("name"), item.get("url")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}.name must be a non-empty string")
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"{where} ({name}): url must be a non-empty string")
    if base_url and not urlsplit(url).scheme:
        url = urljoin(base_url.rstrip("/") + "/", url.lstrip("/"))
    if urlsplit(url).scheme not in ("http", "https"):
        raise ConfigError(f"{where} ({name}): url must be http or https, got {url!r}")
    interval = item.get("poll_interval", DEFAULT_POLL_INTERVAL)
    if not isinstance(interval, int | float) or isinstance(interval, bool) or interval < MIN_POLL_INTERVAL:
        raise ConfigError(
            f"{where} ({name}): poll_interval must be a number of seconds >= {MIN_POLL_INTERVAL}"
        )
    language = item.get("language")
    if language is not None and not isinstance(language, str):
        raise ConfigError(f"{where} ({name}): language must be a string such as 'pt' or 'pt-BR'")
    tags = item.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ConfigError(f"{where} ({name}): tags must be a list of strings")
    respect_robots = item.get("respect_robots", True)
    if not isinstance(respect_robots, bool):
        raise ConfigError(f"{where} ({name}): respect_robots must be true or false")
    return Feed(
        name=name.strip(),
        url=url.strip(),
        language=language,
        poll_interval=float(interval),
        tags=tuple(tags),
        respect_robots=respect_robots,
    )


def load_feeds(path: Path | str, *, base_url: str | None = None) -> FeedsFile:
    """Read and validate a feeds file; relative feed URLs resolve against ``base_url`` (the demo's)."""
    source = str(path)
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read feeds file {source}: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigError(f"{source} is not valid YAML: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("feeds"), list):
        raise ConfigError(f"{source} must have a top-level 'feeds:' list")
    feeds = tuple(_feed(item, i, source, base_url) for i, item in enumerate(document["feeds"]))
    if not feeds:
        raise ConfigError(f"{source} lists no feeds")
    names = [feed.name for feed in feeds]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"{source}: feed names must be unique; repeated: {', '.join(duplicated)}")
    allow = document.get("allow_private_networks", False)
    networks: tuple[str, ...] = ()
    if isinstance(allow, list):  # only these private networks, e.g. ["127.0.0.0/8"]; the rest stay blocked
        try:
            networks = tuple(str(ipaddress.ip_network(str(n), strict=False)) for n in allow)
        except ValueError as error:
            raise ConfigError(f"{source}: allow_private_networks: {error}") from error
        allow = False
    if not isinstance(allow, bool):
        raise ConfigError(f"{source}: allow_private_networks must be true, false or a list of CIDR networks")
    user_agent = document.get("user_agent")
    if user_agent is not None and not isinstance(user_agent, str):
        raise ConfigError(f"{source}: user_agent must be a string")
    contact = document.get("contact")
    if contact is not None and (not isinstance(contact, str) or not contact.startswith(("http", "mailto:"))):
        raise ConfigError(f"{source}: contact must be an http(s) or mailto: URL")
    return FeedsFile(
        feeds=feeds,
        allow_private_networks=allow,
        user_agent=user_agent,
        contact=contact,
        allowed_networks=networks,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class PipelineConfig:
    """Everything one run needs, validated."""

    feeds: tuple[Feed, ...]
    kafka: KafkaSettings
    topics: TopicNames
    http: HttpSettings
    once: bool
    duration: float | None = None  # streaming: stop after this many seconds (None: run until stopped)
    tick: float = 5.0  # streaming: how often the source wakes to poll the feeds that are due
    partitions: int = 3
    replication_factor: int = 1
    retention_ms: int | None = None
    create_topics: bool = True
    max_in_flight: int = 32
    # extraction processes per extraction DoFn instance; 0 extracts on a thread of the worker's own process
    extraction_processes: int = 0
