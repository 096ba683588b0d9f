"""``newsbeam subscribe TOPIC``: follow a topic as JSON lines or as a live table, with filters.

Where to start: new messages only (default), ``--from-beginning``, ``--since 2h``, or, with ``--group``,
the group's committed offsets (only offsets of printed messages are committed). Filters (flagged
only, categories, jurisdictions, languages) apply to article topics; messages that are not articles
are skipped while a filter is on. Ctrl-C stops cleanly: what was printed stays committed, the consumer
closes and leaves its group, and the exit status is 0.

On a terminal ``--format table`` is a live table of the latest rows; piped, it prints one table at the end.
"""

from __future__ import annotations

import json
import signal
import sys
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import Any, TextIO

import click
from rich.console import Console
from rich.live import Live
from rich.table import Table

from connectors.kafka_consume import ArticleFilter, Message, Start, article_of, consume, parse_duration, since
from connectors.kafka_settings import KafkaSettings, KafkaUnreachable

LIVE_ROWS = 25  # rows kept in the live table: the newest at the bottom


@dataclass(frozen=True, kw_only=True, slots=True)
class Subscription:
    """What to read and how to show it."""

    topic: str
    group: str | None = None
    start: Start = "end"
    wanted: ArticleFilter = field(default_factory=ArticleFilter)
    fmt: str = "json"
    max_messages: int | None = None
    timeout: float | None = None


def start_of(*, from_beginning: bool, since_text: str | None, group: str | None) -> Start:
    """The start position the options ask for (``--since`` wins over ``--from-beginning``)."""
    if since_text is not None:
        return since(parse_duration(since_text))
    if from_beginning:
        return "beginning"
    return "committed" if group is not None else "end"


def selected(messages: Iterator[Message], wanted: ArticleFilter) -> Iterator[Message]:
    """The messages that pass ``wanted`` (all of them when it is empty)."""
    for message in messages:
        if wanted.is_empty:
            yield message
            continue
        article = article_of(message)
        if article is not None and wanted.matches(article):
            yield message


def _when(message: Message) -> str:
    return datetime.fromtimestamp(message.timestamp_ms / 1000, UTC).strftime("%m-%d %H:%M:%S")


def _row(message: Message) -> tuple[str, ...]:
    value: dict[str, Any] = message.value or {}
    if "article_id" in value:
        regulation = value.get("regulation") or {}
        flagged = "⚑" if regulation.get("flagged") else ""
        return (
            _when(message),
            flagged,
            str(value.get("title") or value.get("url") or ""),
            str(value.get("language") or "?"),
            f"{regulation.get('score', 0):.2f}" if regulation else "",
            ", ".join(regulation.get("categories", [])),
            ", ".join(regulation.get("jurisdictions", [])),
            str(value.get("feed") or ""),
        )
    # dead letters and ops events: what happened, to what, and why
    what = value.get("event") or value.get("stage") or message.headers.get("record-type", "")
    detail = value.get("reason") or value.get("outcome") or ""
    text = (
        value.get("message")
        or value.get("error")
        or value.get("url")
        or message.raw[:120].decode("utf-8", "replace")
    )
    return (_when(message), "", str(text), "", "", str(what), str(detail), str(value.get("feed") or ""))


def _table(topic: str, rows: list[tuple[str, ...]], shown: int) -> Table:
    table = Table(title=f"{topic} · {shown} message(s)", expand=True, show_lines=False)
    table.add_column("time", width=14, no_wrap=True)
    table.add_column("", width=1)
    table.add_column("title / message", ratio=6, overflow="ellipsis", no_wrap=True)
    table.add_column("lang", width=4)
    table.add_column("score", width=5, justify="right")
    table.add_column("categories / stage", ratio=3, overflow="ellipsis", no_wrap=True)
    table.add_column("jurisdictions / reason", ratio=2, overflow="ellipsis", no_wrap=True)
    table.add_column("feed", ratio=2, overflow="ellipsis", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    return table


def show(messages: Iterator[Message], subscription: Subscription, *, out: TextIO, console: Console) -> int:
    """Print ``messages`` in the subscription's format; returns how many were shown."""
    shown = 0
    if subscription.fmt == "json":
        for message in messages:
            value: Any = (
                message.value if message.value is not None else message.raw.decode("utf-8", "replace")
            )
            out.write(json.dumps(value, ensure_ascii=False) + "\n")
            out.flush()
            shown += 1
        return shown
    if not console.is_terminal:
        rows = [_row(message) for message in messages]
        console.print(_table(subscription.topic, rows, len(rows)))
        return len(rows)
    latest: deque[tuple[str, ...]] = deque(maxlen=LIVE_ROWS)
    with Live(_table(subscription.topic, [], 0), console=console, auto_refresh=False) as live:
        for message in messages:
            latest.append(_row(message))
            shown += 1
            live.update(_table(subscription.topic, list(latest), shown), refresh=True)
    return shown


def run_subscription(
    settings: KafkaSettings, subscription: Subscription, *, out: TextIO, console: Console
) -> int:
    """Read and show until the limits say stop or Ctrl-C; returns how many messages were shown.

    The first Ctrl-C asks the consumer to stop after the message in hand (within half a second when
    idle), so it closes cleanly with everything shown committed; a second one interrupts at once.
    """
    shown = 0
    stop_requested = False

    def count(messages: Iterator[Message]) -> Iterator[Message]:
        nonlocal shown
        for message in messages:
            shown += 1
            yield message

    def enough() -> bool:
        return stop_requested or (
            subscription.max_messages is not None and shown >= subscription.max_messages
        )

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stop_requested
        if stop_requested:
            raise KeyboardInterrupt
        stop_requested = True

    messages = consume(
        settings,
        subscription.topic,
        group_id=subscription.group,
        start=subscription.start,
        fallback="end",
        timeout=subscription.timeout,
        until=enough,  # asked once the shown message is committed: the last one stays committed
    )
    previous = signal.signal(signal.SIGINT, request_stop)
    try:
        show(count(selected(messages, subscription.wanted)), subscription, out=out, console=console)
    except KeyboardInterrupt:
        pass  # the second Ctrl-C: what was shown before the one in hand is committed
    finally:
        signal.signal(signal.SIGINT, previous)
        messages.close()
    return shown


@click.command("subscribe")
@click.argument("topic")
@click.option("--bootstrap-servers", default="127.0.0.1:9092", show_default=True)
@click.option(
    "--group", default=None, help="consumer group: resume where it left off; commits after each message"
)
@click.option("--from-beginning", is_flag=True, help="start at the oldest message instead of new ones")
@click.option(
    "--since", "since_text", default=None, metavar="DURATION", help="start this long ago: 30s, 15m, 2h, 1d"
)
@click.option("--flagged", is_flag=True, help="only articles flagged as regulation news")
@click.option(
    "--category", "categories", multiple=True, help="regulation category (repeatable): enforcement, ..."
)
@click.option(
    "--jurisdiction", "jurisdictions", multiple=True, help="ISO 3166-1 code, EU or INTL (repeatable)"
)
@click.option("--language", "languages", multiple=True, help="ISO 639-1 code (repeatable)")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
@click.option("--max-messages", type=int, default=None, help="stop after showing this many messages")
@click.option("--timeout", type=float, default=None, help="stop after this many seconds without a message")
@click.option("--security-protocol", type=click.Choice(["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]))
@click.option("--sasl-mechanism", type=click.Choice(["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]))
@click.option("--sasl-username", default=None, help="password: NEWSBEAM_KAFKA_SASL_PASSWORD[_FILE]")
@click.option("--ssl-cafile", default=None)
@click.option("--ssl-certfile", default=None)
@click.option("--ssl-keyfile", default=None)
def subscribe(
    topic: str,
    bootstrap_servers: str,
    group: str | None,
    from_beginning: bool,
    since_text: str | None,
    flagged: bool,
    categories: tuple[str, ...],
    jurisdictions: tuple[str, ...],
    languages: tuple[str, ...],
    fmt: str,
    max_messages: int | None,
    timeout: float | None,
    security_protocol: str | None,
    sasl_mechanism: str | None,
    sasl_username: str | None,
    ssl_cafile: str | None,
    ssl_certfile: str | None,
    ssl_keyfile: str | None,
) -> None:
    """Follow TOPIC: JSON lines, or a live table (--format table); filters apply to articles."""
    try:
        settings = KafkaSettings.from_env(
            bootstrap_servers,
            client_id="newsbeam-subscribe",
            security_protocol=security_protocol,
            sasl_mechanism=sasl_mechanism,
            sasl_username=sasl_username,
            ssl_cafile=ssl_cafile,
            ssl_certfile=ssl_certfile,
            ssl_keyfile=ssl_keyfile,
        )
        start = start_of(from_beginning=from_beginning, since_text=since_text, group=group)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
    subscription = Subscription(
        topic=topic,
        group=group,
        start=start,
        wanted=ArticleFilter.of(
            flagged_only=flagged, categories=categories, jurisdictions=jurisdictions, languages=languages
        ),
        fmt=fmt,
        max_messages=max_messages,
        timeout=timeout,
    )
    out = sys.stdout
    try:
        run_subscription(settings, subscription, out=out, console=Console())
    except (LookupError, KafkaUnreachable) as error:
        raise click.ClickException(str(error)) from error
