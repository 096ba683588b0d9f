"""``newsbeam status``: the monitor's health data on one screen, for scripts and people without a browser.

It reads the topics once (``pipeline.monitor.snapshot``) and prints the screen of
``pipeline.monitor.screen``. Exit status 0 when healthy, 1 when not (like ``/healthz``),
``EXIT_UNREACHABLE`` (3) when Kafka cannot be reached, so that scripts tell "unhealthy" from "cannot tell".
"""

from __future__ import annotations

import sys

import click

from connectors.kafka_settings import KafkaUnreachable
from pipeline.commands.health_options import Health, health_options
from pipeline.monitor.screen import show_status
from pipeline.monitor.snapshot import load_state

EXIT_UNREACHABLE = 3  # Kafka could not be reached: health unknown (1 means unhealthy)


@click.command()
@health_options
def status(health: Health) -> None:
    """One-screen health summary (feeds, heartbeat, dead letters, lag); exit 1 when unhealthy, 3 when
    Kafka cannot be reached."""
    try:
        state = load_state(health.kafka, health.topics, lookback=health.lookback, rules=health.rules)
    except KafkaUnreachable as error:
        click.echo(f"Error: {error} Health unknown.", err=True)
        sys.exit(EXIT_UNREACHABLE)
    if not show_status(state):
        sys.exit(1)
