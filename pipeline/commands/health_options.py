"""The options ``newsbeam monitor`` and ``newsbeam status`` share: what to read, how far back, and when
to call the pipeline unhealthy. A command decorated with ``health_options`` receives them as one
``Health`` argument, checked before the command starts."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from pipeline.monitor.state import HealthRules


@dataclass(frozen=True)
class Health:
    """What ``monitor`` and ``status`` read, how far back, and when they call things unhealthy."""

    kafka: KafkaSettings
    topics: TopicNames
    lookback: float  # seconds
    rules: HealthRules


HEALTH_OPTIONS = (
    click.option("--bootstrap-servers", default="127.0.0.1:9092", show_default=True),
    click.option("--topic-prefix", default="news", show_default=True),
    click.option(
        "--lookback", type=float, default=24.0, show_default=True, help="hours of history to read at start"
    ),
    click.option(
        "--heartbeat-max-age",
        type=float,
        default=120.0,
        show_default=True,
        help="seconds without a pipeline heartbeat before unhealthy (a --once job: its schedule)",
    ),
    click.option(
        "--broken-after",
        type=float,
        default=900.0,
        show_default=True,
        help="seconds a feed may keep failing before it is broken (and unhealthy)",
    ),
    click.option(
        "--broken-polls",
        type=int,
        default=5,
        show_default=True,
        help="failed polls in a row that make a feed broken at once",
    ),
    click.option(
        "--connect-timeout",
        type=float,
        default=30.0,
        show_default=True,
        help="seconds to try reaching Kafka before giving up",
    ),
    click.option(
        "--overdue-after",
        type=float,
        default=300.0,
        show_default=True,
        help="seconds past a streaming feed's next poll before it shows as overdue",
    ),
)


def health_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``HEALTH_OPTIONS`` to ``command``, which receives them as one ``health`` argument."""

    @functools.wraps(command)  # keeps the command's own click options (its __dict__)
    def with_health(
        *,
        bootstrap_servers: str,
        topic_prefix: str,
        lookback: float,
        heartbeat_max_age: float,
        broken_after: float,
        broken_polls: int,
        overdue_after: float,
        connect_timeout: float,
        **rest: Any,
    ) -> Any:
        if connect_timeout <= 0:
            raise click.BadParameter("--connect-timeout must be a positive number of seconds")
        health = Health(
            kafka=KafkaSettings.from_env(bootstrap_servers, bootstrap_timeout_ms=int(connect_timeout * 1000)),
            topics=TopicNames(topic_prefix),
            lookback=lookback * 3600.0,
            rules=_rules(heartbeat_max_age, broken_after, broken_polls, overdue_after),
        )
        return command(health=health, **rest)

    for option in reversed(HEALTH_OPTIONS):
        with_health = option(with_health)
    return with_health


def _rules(
    heartbeat_max_age: float, broken_after: float, broken_polls: int, overdue_after: float
) -> HealthRules:
    if min(heartbeat_max_age, broken_after, overdue_after) < 0 or broken_polls < 1:
        raise click.BadParameter("ages must be >= 0 seconds and --broken-polls >= 1")
    return HealthRules(
        heartbeat_max_age=heartbeat_max_age,
        broken_after=broken_after,
        broken_polls=broken_polls,
        overdue_after=overdue_after,
    )
