"""``newsbeam status``: the monitor's health data on one screen, for people without a browser.

It reads the topics once (from ``lookback`` seconds ago up to their current end) into the same
``MonitorState`` the web service keeps, reads consumer lag once, and prints a verdict, the feeds table,
the heartbeat and counters, dead letters and lag. Exit status 0 when healthy, 1 when not (like
``/healthz``), ``EXIT_UNREACHABLE`` (3) when Kafka cannot be reached, so that scripts tell "unhealthy"
from "cannot tell".
"""

from __future__ import annotations

import datetime as dt
import time

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from connectors.kafka_settings import KafkaSettings, new_admin, new_consumer
from connectors.kafka_topics import TopicNames
from connectors.ops_events import TopicTail, consumer_lag
from pipeline.monitor.state import HealthRules, MonitorState

EXIT_UNREACHABLE = 3  # Kafka could not be reached: health unknown (1 means unhealthy)

STATUS_STYLE = {
    "ok": "bold green",
    "degraded": "bold yellow",
    "failing": "bold yellow",
    "broken": "bold red",
    "overdue": "bold bright_black",
    "unknown": "bright_black",
}


def load_state(
    settings: KafkaSettings, topics: TopicNames, *, lookback: float, rules: HealthRules, timeout: float = 30.0
) -> MonitorState:
    """A ``MonitorState`` of everything on the topics since ``lookback`` seconds ago, with lag."""
    state = MonitorState(topics.prefix, rules=rules)
    tail = TopicTail(
        settings,
        [topics.ops, topics.articles, topics.regulation, topics.deadletter],
        since=time.time() - lookback,
    )
    try:
        state.apply_all(tail.read_to_end(timeout=timeout))
    finally:
        tail.close()
    admin = new_admin(settings)
    consumer = new_consumer(settings, group_id=None)
    try:
        state.set_lag(consumer_lag(admin, consumer, topics=topics.all()))
    except Exception as error:  # lag is one part of the screen: show the rest
        state.set_lag([], error=f"{type(error).__name__}: {error}")
    finally:
        admin.close()
        consumer.close()
    return state


def _ago(epoch: float | None, now: float) -> str:
    if epoch is None:
        return "—"
    seconds = round(epoch - now)
    size = abs(seconds)
    text = f"{size} s" if size < 90 else f"{size / 60:.0f} min" if size < 5400 else f"{size / 3600:.1f} h"
    return f"{text} ago" if seconds <= 0 else f"in {text}"


def render_status(state: MonitorState) -> Group:
    """The one-screen summary as rich renderables."""
    now = state.clock()
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
    parts: list[Panel | Table | Text] = [Panel(lines, title="newsbeam status", expand=True)]

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
    parts.append(feeds)

    beat = state.heartbeat()
    counters = Table(title="Pipeline (last heartbeat)", expand=True)
    counters.add_column("counter")
    counters.add_column("value", justify="right")
    if beat is None:
        counters.add_row(Text("no heartbeat seen", style="red"), "")
    else:
        counters.add_row(
            f"heartbeat #{beat.get('sequence')} of {beat.get('job')} ({beat.get('mode')})",
            _ago(now - beat["age"], now),
        )
        for name, value in sorted((beat.get("counters") or {}).items()):
            counters.add_row(name, str(value))
    parts.append(counters)

    dead = state.dead_letters()
    if dead["reasons"]:
        letters = Table(title="Dead letters", expand=True)
        letters.add_column("stage")
        letters.add_column("reason")
        letters.add_column("count", justify="right")
        for row in dead["reasons"]:
            letters.add_row(row["stage"], row["reason"], str(row["count"]))
        parts.append(letters)

    lag = state.lag()
    lags = Table(title="Consumer lag", expand=True)
    lags.add_column("group")
    lags.add_column("topic")
    lags.add_column("lag", justify="right")
    for row in lag["groups"]:
        lags.add_row(row["group"], row["topic"], str(row["lag"]))
    if lag["error"]:
        lags.add_row(Text(f"unavailable: {lag['error']}", style="red"), "", "")
    elif not lag["groups"]:
        lags.add_row(Text("no consumer groups read these topics", style="bright_black"), "", "")
    parts.append(lags)
    return Group(*parts)


def show_status(state: MonitorState, console: Console | None = None) -> bool:
    """Print the summary; returns whether the pipeline is healthy."""
    (console or Console()).print(render_status(state))
    return bool(state.health()["healthy"])
