"""The ``newsbeam`` command: run the pipeline, classify text, read topics, demo, schemas."""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import logging
import os
import signal
import sys
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import click

from connectors.kafka_settings import KafkaSettings, KafkaUnreachable
from connectors.kafka_topics import TopicConflict, TopicNames
from connectors.wire import SCHEMA_VERSION, load_schema
from pipeline import allocator
from pipeline.config import ConfigError, PipelineConfig
from pipeline.feeds_cli import feeds as feeds_group
from pipeline.subscribe import subscribe_command
from transforms.dead_letters import RunStopped

log = logging.getLogger("newsbeam")

# the RunStopped subclasses a worker can raise, by name: a portable runner returns them as text
RUN_STOPPED_NAMES = ("LooksLikeABug", "PublishFailed")
MONITOR_TOKEN_ENV = "NEWSBEAM_MONITOR_TOKEN"


def _configure_logging(level: str, log_format: str = "text") -> None:
    from pipeline.progress import configure_logging

    configure_logging(level, log_format)


def _pop_log_format(args: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    # `newsbeam run --log-format json ...` as well as `newsbeam --log-format json run ...`
    rest: list[str] = []
    found: str | None = None
    items = iter(args)
    for arg in items:
        if arg == "--log-format":
            found = next(items, None)
        elif arg.startswith("--log-format="):
            found = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if found is not None and found not in ("text", "json"):
        raise click.BadParameter(f"--log-format must be text or json, not {found!r}")
    return tuple(rest), found


def _explained_stop(text: str) -> str | None:
    """The message of a ``RunStopped`` that a runner's error quotes (``…PublishFailed: Kafka at …``)."""
    for line in reversed(text.splitlines()):
        for name in RUN_STOPPED_NAMES:
            if f"{name}: " in line:
                return line.split(f"{name}: ", 1)[1].strip()
    return None


def _stop_on_sigterm() -> None:
    # SIGTERM becomes KeyboardInterrupt, so atexit handlers (Prism's job server subprocess) still run
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


@click.group()
@click.option("--log-level", default="INFO", show_default=True, help="DEBUG, INFO, WARNING or ERROR")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="NEWSBEAM_LOG_FORMAT",
    help="json: one JSON object per log line, for log shippers",
)
@click.pass_context
def main(ctx: click.Context, log_level: str, log_format: str) -> None:
    """newsbeam: news feeds → Apache Beam → trafilatura → regulation flag → Apache Kafka."""
    # ``entry()`` marks the real program (``{"program": True}``); tests invoking ``main`` in-process do not
    ctx.obj = {**(ctx.obj or {}), "log_level": log_level, "log_format": log_format}
    _configure_logging(log_level, log_format)


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(args: tuple[str, ...]) -> None:
    """Run the ingestion pipeline (``--feeds FILE --bootstrap-servers HOST:PORT [--once]`` + Beam options).

    \b
    --feeds FILE              feeds file (YAML)
    --bootstrap-servers H:P   Kafka (default 127.0.0.1:9092)
    --once                    poll every feed once, publish everything, exit (bounded mode)
    --topic-prefix NAME       topics NAME.articles/.regulation/.deadletter/.ops (default news)
    --duration S              streaming: stop after S seconds
    --allow-private-networks  allow loopback/private addresses (local servers)
    --runner NAME             default: in-process FnApiRunner with --once, Prism when streaming
    --heartbeat-interval S    streaming: seconds between heartbeats on <prefix>.ops (default 30)
    --log-format text|json    json: one JSON object per log line (also `newsbeam --log-format json run`)

    With --once on a terminal: a progress bar (feeds polled, articles, flagged, dead letters) and a
    summary table at the end.
    """
    if "--help" in args or "-h" in args:
        click.echo(click.get_current_context().get_help())
        return
    settings = click.get_current_context().find_object(dict) or {}
    if settings.get("program"):
        # before the imports below (Beam's among them): the re-executed process starts from the top
        try:
            allocator.reexec_with_allocator()
        except ValueError as error:
            raise click.ClickException(str(error)) from error
    from pipeline.progress import STDERR, RunProgress, summary_table

    args, log_format = _pop_log_format(args)
    if log_format is not None:
        _configure_logging(settings.get("log_level", "INFO"), log_format)
    log_format = log_format or settings.get("log_format", "text")
    from pipeline.launcher import run as run_pipeline  # imports Beam, which logs at import time

    allocator.log_allocator()

    watchers: list[RunProgress] = []

    def watch(config: PipelineConfig) -> AbstractContextManager[Any]:
        if not config.once:
            return contextlib.nullcontext()
        watchers.append(RunProgress(config, show_bar=STDERR.is_terminal and log_format == "text"))
        return watchers[-1]

    _stop_on_sigterm()
    try:
        summary = run_pipeline(args, watch=watch)
    except (ConfigError, KafkaUnreachable, TopicConflict, RunStopped) as error:
        raise click.ClickException(str(error)) from error
    except KeyboardInterrupt:
        log.info("stopped")
        return
    except Exception as error:
        # a portable runner (Prism, Flink) hands a worker's RunStopped back as text inside its own error
        explained = _explained_stop(str(error))
        if explained is None:
            raise
        raise click.ClickException(explained) from error
    counters = ", ".join(f"{name}={value}" for name, value in sorted(summary.counters.items()))
    seen = watchers[0].counts.as_dict() if watchers else None
    log.info(
        "finished on %s (%s): %s",
        summary.runner,
        summary.state,
        counters or "no metrics reported",
        extra={
            "fields": {
                "event": "run_finished",
                "job": summary.job,
                "runner": summary.runner,
                "state": summary.state,
                "counters": summary.counters,
                "distributions": summary.distributions,
                "published": seen,
            }
        },
    )
    if seen is not None and watchers[0].config.once:
        if STDERR.is_terminal and log_format == "text":
            STDERR.print(summary_table(seen, summary.counters, len(watchers[0].config.feeds)))
        else:
            log.info(
                "this run published %d articles, %d flagged, %d dead letters; %d/%d feeds polled, failing: %s",
                seen["articles"],
                seen["flagged"],
                sum(seen["dead_letters"].values()),
                seen["feeds_polled"],
                len(watchers[0].config.feeds),
                ", ".join(seen["feeds_failed"]) or "none",
            )


@main.command()
def classify() -> None:
    """Flag JSON Lines from stdin ({"id", "title", "text", "language"?}) to JSON Lines on stdout."""
    from pipeline.classify import run_classify

    sys.exit(run_classify(sys.stdin.buffer, sys.stdout, sys.stderr))


@main.command()
@click.option("--bootstrap-servers", default="127.0.0.1:9092", show_default=True)
@click.option("--topic-prefix", default="news", show_default=True)
@click.option(
    "--samples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="folder with feeds.yaml, feeds and pages (default: deploy/feeds/sample)",
)
def demo(bootstrap_servers: str, topic_prefix: str, samples: Path | None) -> None:
    """Serve the bundled sample feeds on 127.0.0.1, run the pipeline once, show the flagged stories."""
    from pipeline.demo import run_demo

    try:
        run_demo(bootstrap_servers=bootstrap_servers, topic_prefix=topic_prefix, samples=samples)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.argument("name", required=False, type=click.Choice(["article", "deadletter", "ops"]))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="write every schema into this folder instead of printing",
)
def schema(name: str | None, out: Path | None) -> None:
    """Print (or export) the JSON Schemas of the topics' message values."""
    names = [name] if name else ["article", "deadletter", "ops"]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for each in names:
            target = out / f"{each}.v{SCHEMA_VERSION}.json"
            target.write_text(json.dumps(load_schema(each), indent=2) + "\n", encoding="utf-8")
            click.echo(str(target))
        return
    documents = {each: load_schema(each) for each in names}
    click.echo(json.dumps(documents[name] if name else documents, indent=2))


@dataclass(frozen=True)
class _Health:
    """What ``monitor`` and ``status`` read, how far back, and when they call things unhealthy."""

    kafka: KafkaSettings
    topics: TopicNames
    lookback: float  # seconds
    rules: Any  # pipeline.monitor.state.HealthRules (imported by the commands that use it)


def _health_options(command: Any) -> Any:
    """The options ``monitor`` and ``status`` share, handed to the command as one ``health`` argument."""

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
        health = _Health(
            kafka=KafkaSettings.from_env(bootstrap_servers, bootstrap_timeout_ms=int(connect_timeout * 1000)),
            topics=TopicNames(topic_prefix),
            lookback=lookback * 3600.0,
            rules=_rules(heartbeat_max_age, broken_after, broken_polls, overdue_after),
        )
        return command(health=health, **rest)

    for option in reversed(
        [
            click.option("--bootstrap-servers", default="127.0.0.1:9092", show_default=True),
            click.option("--topic-prefix", default="news", show_default=True),
            click.option(
                "--lookback",
                type=float,
                default=24.0,
                show_default=True,
                help="hours of history to read at start",
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
        ]
    ):
        with_health = option(with_health)
    return with_health


def _rules(heartbeat_max_age: float, broken_after: float, broken_polls: int, overdue_after: float) -> Any:
    from pipeline.monitor.state import HealthRules

    if min(heartbeat_max_age, broken_after, overdue_after) < 0 or broken_polls < 1:
        raise click.BadParameter("ages must be >= 0 seconds and --broken-polls >= 1")
    return HealthRules(
        heartbeat_max_age=heartbeat_max_age,
        broken_after=broken_after,
        broken_polls=broken_polls,
        overdue_after=overdue_after,
    )


@main.command()
@_health_options
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on (0.0.0.0: all)")
@click.option("--port", type=int, default=8080, show_default=True, help="0 picks a free port")
@click.option("--lag-interval", type=float, default=15.0, show_default=True, help="seconds between lag reads")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"require the token in this file on every request (else {MONITOR_TOKEN_ENV}, if set)",
)
def monitor(health: _Health, host: str, port: int, lag_interval: float, token_file: Path | None) -> None:
    """Web dashboard, /metrics (Prometheus), /healthz and /api/... from the topics of TOPIC-PREFIX."""
    from pipeline.monitor.service import MonitorService, MonitorSettings

    token = _monitor_token(token_file)
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
    _stop_on_sigterm()
    try:
        service.serve_forever()
    except KeyboardInterrupt:
        log.info("monitor stopped")


def _monitor_token(token_file: Path | None) -> str | None:
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


@main.command()
@_health_options
def status(health: _Health) -> None:
    """One-screen health summary (feeds, heartbeat, dead letters, lag); exit 1 when unhealthy, 3 when
    Kafka cannot be reached."""
    from pipeline.status import EXIT_UNREACHABLE, load_state, show_status

    try:
        state = load_state(health.kafka, health.topics, lookback=health.lookback, rules=health.rules)
    except KafkaUnreachable as error:
        click.echo(f"Error: {error} Health unknown.", err=True)
        sys.exit(EXIT_UNREACHABLE)
    if not show_status(state):
        sys.exit(1)


main.add_command(subscribe_command)  # `newsbeam subscribe TOPIC` (pipeline/subscribe.py)
main.add_command(feeds_group)  # `newsbeam feeds import-opml|discover|check` (pipeline/feeds_cli.py)


def entry() -> None:
    """The ``newsbeam`` program (and ``python -m pipeline.cli``): ``main`` marked as the real process, so
    ``run`` may re-execute it on jemalloc (pipeline/allocator.py)."""
    main(obj={"program": True})


if __name__ == "__main__":
    entry()
