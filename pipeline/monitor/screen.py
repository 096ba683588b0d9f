"""The monitor's health data on one screen, for people without a browser (``newsbeam status``).

A verdict, the feeds table, the heartbeat and its counters, dead letters and consumer lag, drawn with rich
from a ``MonitorState``: the same state, and the same verdict, as the web service's ``/healthz``.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Console, Group, JustifyMethod
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from pipeline.monitor.state import MonitorState

STATUS_STYLE = {
    "ok": "bold green",
    "degraded": "bold yellow",
    "failing": "bold yellow",
    "broken": "bold red",
    "overdue": "bold bright_black",
    "unknown": "bright_black",
}


def _ago(epoch: float | None, now: float) -> str:
    if epoch is None:
        return "—"
    seconds = round(epoch - now)
    size = abs(seconds)
    text = f"{size} s" if size < 90 else f"{size / 60:.0f} min" if size < 5400 else f"{size / 3600:.1f} h"
    return f"{text} ago" if seconds <= 0 else f"in {text}"


def _table(
    title: str, columns: tuple[tuple[str, JustifyMethod], ...], rows: list[tuple[str | Text, ...]]
) -> Table:
    """A full-width table of ``(name, justify)`` columns."""
    table = Table(title=title, expand=True)
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for row in rows:
        table.add_row(*row)
    return table


def _verdict(state: MonitorState, now: float) -> Panel:
    health = state.health()
    verdict = (
        Text("HEALTHY", style="bold green") if health["healthy"] else Text("UNHEALTHY", style="bold red")
    )
    lines = Text.assemble(
        verdict, f"  {state.prefix}.*  at {dt.datetime.fromtimestamp(now, dt.UTC):%Y-%m-%d %H:%M:%S} UTC"
    )
    for check in health["checks"]:
        lines.append("\n")
        lines.append("  ✔ " if check["ok"] else "  ✘ ", style="green" if check["ok"] else "red")
        lines.append(check["detail"])
    return Panel(lines, title="newsbeam status", expand=True)


def _feeds(state: MonitorState, now: float) -> Table:
    feeds = Table(title="Feeds", expand=True)
    for column, justify in (
        ("feed", "left"),
        ("status", "left"),
        ("last poll", "left"),
        ("next poll", "left"),
        ("new 1 h", "right"),
        ("fails", "right"),
        ("last error", "left"),
    ):
        # names and times stay on one line; the error text takes what is left and folds
        feeds.add_column(column, justify=justify, overflow="fold", no_wrap=column != "last error")  # type: ignore[arg-type]
    for row in state.feeds():
        feeds.add_row(
            row["feed"],
            Text(row["status"], style=STATUS_STYLE[row["status"]]),
            _ago(row["last_poll"], now),
            _ago(row["next_poll"], now),
            str(row["new_articles_last_hour"]),
            str(row["consecutive_failures"]),
            Text(row["last_error"] or "", style="red"),
        )
    return feeds


def _heartbeat(state: MonitorState, now: float) -> Table:
    beat = state.heartbeat()
    rows: list[tuple[str | Text, ...]]
    if beat is None:
        rows = [(Text("no heartbeat seen", style="red"), "")]
    else:
        rows = [
            (
                f"heartbeat #{beat.get('sequence')} of {beat.get('job')} ({beat.get('mode')})",
                _ago(now - beat["age"], now),
            ),
            *((name, str(value)) for name, value in sorted((beat.get("counters") or {}).items())),
        ]
    return _table("Pipeline (last heartbeat)", (("counter", "left"), ("value", "right")), rows)


def _backfills(state: MonitorState, now: float) -> Table | None:
    backfills = state.backfills()
    if not backfills:
        return None
    rows: list[tuple[str | Text, ...]] = [
        (
            row["job"],
            f"{row['parts_done']} parts / {row['files']} files",
            str(row["records"]),
            f"{row['records_per_second']:.0f}" if row["records_per_second"] else "-",
            str(row["pages"]),
            str(row["dead"]),
            _ago(row["last_report"], now),
        )
        for row in backfills
    ]
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("job", "left"), ("done", "left"), ("records", "right"), ("records/s", "right"),
        ("pages", "right"), ("dead", "right"), ("last report", "right"),
    )  # fmt: skip
    return _table("Backfills (archive_progress)", columns, rows)


def _dead_letters(state: MonitorState) -> Table | None:
    reasons = state.dead_letters()["reasons"]
    if not reasons:
        return None
    rows: list[tuple[str | Text, ...]] = [(row["stage"], row["reason"], str(row["count"])) for row in reasons]
    return _table("Dead letters", (("stage", "left"), ("reason", "left"), ("count", "right")), rows)


def _lag(state: MonitorState) -> Table:
    lag = state.lag()
    rows: list[tuple[str | Text, ...]] = [
        (row["group"], row["topic"], str(row["lag"])) for row in lag["groups"]
    ]
    if lag["error"]:
        rows.append((Text(f"unavailable: {lag['error']}", style="red"), "", ""))
    elif not lag["groups"]:
        rows.append((Text("no consumer groups read these topics", style="bright_black"), "", ""))
    return _table("Consumer lag", (("group", "left"), ("topic", "left"), ("lag", "right")), rows)


def render_status(state: MonitorState) -> Group:
    """The one-screen summary as rich renderables: verdict, feeds, heartbeat, dead letters, lag."""
    now = state.clock()
    parts = [
        _verdict(state, now),
        _feeds(state, now),
        _heartbeat(state, now),
        _backfills(state, now),
        _dead_letters(state),
        _lag(state),
    ]
    return Group(*(part for part in parts if part is not None))


def show_status(state: MonitorState, console: Console | None = None) -> bool:
    """Print the summary; returns whether the pipeline is healthy."""
    (console or Console()).print(render_status(state))
    return bool(state.health()["healthy"])
