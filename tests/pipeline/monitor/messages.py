"""Hand-written messages of our topics, and a clock the tests move by hand, for the monitor's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.ops_events import OpsMessage
from pipeline.monitor.state import HealthRules, MonitorState

T0 = 1_760_000_000.0  # a fixed "now" the tests move by hand


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


def iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def message(topic: str, value: dict[str, Any] | None, at: float, offset: int = 0) -> OpsMessage:
    return OpsMessage(
        topic=topic, partition=0, offset=offset, key=None, value=value, raw=b"", timestamp_ms=int(at * 1000)
    )


def poll(
    feed: str, at: float, *, failures: int = 0, outcome: str = "ok", error: str | None = None
) -> OpsMessage:
    return message(
        "news.ops",
        {
            "schema_version": 1,
            "event": "feed_poll",
            "feed": feed,
            "url": f"http://example.test/{feed}.xml",
            "at": iso(at),
            "status": None if failures else 200,
            "outcome": outcome,
            "entries": 0 if failures else 3,
            "duration": 0.05,
            "next_poll": iso(at + 60),
            "consecutive_failures": failures,
            "error": error,
        },
        at,
    )


def heartbeat(at: float, *, mode: str = "streaming", final: bool = False) -> OpsMessage:
    return message(
        "news.ops",
        {
            "schema_version": 1,
            "event": "heartbeat",
            "job": "news-abc",
            "at": iso(at),
            "mode": mode,
            "started_at": iso(T0 - 600),
            "sequence": 7,
            "interval": 30.0,
            "counters": {"PollFeeds.feeds_polled": 12, "FlagRegulation.flagged": 2},
            "final": final,
        },
        at,
    )


def article(feed: str, at: float, *, version: int = 1, seen: float | None = None) -> OpsMessage:
    return message(
        "news.articles",
        {
            "feed": feed,
            "version": version,
            "seen_at": iso(seen if seen is not None else at - 2),
            "published": iso(at - 3600),
        },
        at,
    )


def state_with(clock: Clock, **rules: Any) -> MonitorState:
    return MonitorState("news", rules=HealthRules(**rules), clock=clock)
