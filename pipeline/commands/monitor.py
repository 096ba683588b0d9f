"""``newsbeam monitor``: the web dashboard, ``/metrics``, ``/healthz`` and ``/api/...`` of one topic prefix.

The service itself is ``pipeline.monitor.service``; this module reads the options and the token. Served
beyond the loopback interface without a token, it says in the log that anyone who reaches the port sees
the dashboard and its API.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path

import click

from pipeline.commands.console import stop_on_sigterm
from pipeline.commands.health_options import Health, health_options
from pipeline.monitor.service import MonitorService, MonitorSettings

log = logging.getLogger("newsbeam")

MONITOR_TOKEN_ENV = "NEWSBEAM_MONITOR_TOKEN"


@click.command()
@health_options
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (0.0.0.0: all)")
@click.option("--port", type=int, default=8080, show_default=True, help="0 picks a free port")
@click.option("--lag-interval", type=float, default=15.0, show_default=True, help="seconds between lag reads")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"require the token in this file on every request (else {MONITOR_TOKEN_ENV}, if set)",
)
def monitor(health: Health, host: str, port: int, lag_interval: float, token_file: Path | None) -> None:
    """Web dashboard, /metrics (Prometheus), /healthz and /api/... from the topics of TOPIC-PREFIX."""
    token = monitor_token(token_file)
    if token is None and not _loopback(host):
        log.warning(
            "serving on %s without a token: anyone who can reach port %d sees the dashboard and its API; "
            "set %s or --token-file",
            host,
            port,
            MONITOR_TOKEN_ENV,
        )
    service = MonitorService(
        MonitorSettings(
            kafka=health.kafka,
            topics=health.topics,
            host=host,
            port=port,
            lookback=health.lookback,
            lag_interval=lag_interval,
            rules=health.rules,
            token=token,
        )
    )
    click.echo(f"newsbeam monitor listening on {service.url}", err=True)
    stop_on_sigterm()
    try:
        service.serve_forever()
    except KeyboardInterrupt:
        log.info("monitor stopped")


def monitor_token(token_file: Path | None) -> str | None:
    """The monitor's token: the file's content, else the environment's; None when neither is given."""
    if token_file is not None:
        try:
            token = token_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as error:
            raise click.ClickException(f"cannot read the token file {token_file}: {error}") from error
        if not token:
            raise click.ClickException(f"the token file {token_file} is empty")
        return token
    return os.environ.get(MONITOR_TOKEN_ENV, "").strip() or None


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
