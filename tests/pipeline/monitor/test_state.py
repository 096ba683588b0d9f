"""MonitorState on hand-written ops/article/dead-letter messages: feed status, health, series."""

from __future__ import annotations

from pipeline.monitor.state import parse_time
from tests.pipeline.monitor.messages import T0, Clock, article, heartbeat, iso, message, poll, state_with


def test_parse_time_reads_our_wire_format_and_rejects_junk() -> None:
    assert parse_time("2025-10-09T08:53:20.250Z") == 1_760_000_000.25
    assert parse_time("2025-10-09T08:53:20") == 1_760_000_000.0  # no zone: UTC, as on our wire
    assert parse_time("not a time") is None
    assert parse_time(None) is None


def test_healthy_pipeline_with_fresh_heartbeat_and_good_feeds() -> None:
    clock = Clock()
    state = state_with(clock)
    state.apply_all([poll("a", T0 - 10), poll("b", T0 - 5), heartbeat(T0 - 20), article("a", T0 - 9)])
    health = state.health()
    assert health["healthy"], health
    rows = {row["feed"]: row for row in state.feeds()}
    assert rows["a"]["status"] == "ok" and rows["a"]["new_articles_last_hour"] == 1
    assert rows["b"]["new_articles_last_hour"] == 0


def test_no_heartbeat_is_unhealthy_and_says_so() -> None:
    clock = Clock()
    state = state_with(clock)
    state.apply(poll("a", T0))
    health = state.health()
    assert not health["healthy"]
    assert health["problems"] == ["no pipeline heartbeat seen on news.ops"]


def test_stale_heartbeat_is_unhealthy() -> None:
    clock = Clock()
    state = state_with(clock, heartbeat_max_age=60)
    state.apply(heartbeat(T0))
    clock.now = T0 + 61
    health = state.health()
    assert not health["healthy"]
    assert "61 s ago" in health["problems"][0] and "max 60 s" in health["problems"][0]


def test_a_feed_that_keeps_failing_goes_failing_then_broken_then_recovers() -> None:
    clock = Clock()
    state = state_with(clock, broken_after=300, broken_polls=5)
    state.apply(heartbeat(T0))
    state.apply(poll("bad", T0, failures=1, outcome="http_status", error="HTTP 500 from http://x"))
    row = state.feeds()[0]
    assert (row["status"], row["consecutive_failures"], row["last_error"]) == (
        "failing",
        1,
        "HTTP 500 from http://x",
    )
    assert state.health()["healthy"]  # failing, but not for long yet

    # --once runs start their count at 1 again; the monitor's streak spans runs
    clock.now = T0 + 120
    state.apply_all(
        [heartbeat(T0 + 120), poll("bad", T0 + 120, failures=1, outcome="http_status", error="HTTP 500")]
    )
    assert state.feeds()[0]["consecutive_failures"] == 2

    clock.now = T0 + 301
    state.apply(heartbeat(T0 + 300))
    row = state.feeds()[0]
    assert row["status"] == "broken"
    health = state.health()
    assert not health["healthy"]
    assert health["problems"] == [
        "feed bad broken: 2 failed poll(s) in a row for 301 s (limits 5 polls / 300 s); last error: HTTP 500"
    ]

    state.apply(poll("bad", T0 + 302))
    row = state.feeds()[0]
    assert (row["status"], row["consecutive_failures"], row["failing_since"]) == ("ok", 0, None)
    assert state.health()["healthy"]


def test_enough_failed_polls_make_a_feed_broken_at_once() -> None:
    clock = Clock()
    state = state_with(clock, broken_after=10_000, broken_polls=3)
    state.apply(poll("bad", T0, failures=3, outcome="connection_failed", error="refused"))
    assert state.feeds()[0]["status"] == "broken"


def test_streaming_feed_not_polled_for_long_is_overdue_but_a_finished_once_run_is_not() -> None:
    clock = Clock()
    state = state_with(clock, overdue_after=100, heartbeat_max_age=10_000)
    state.apply_all([heartbeat(T0), poll("slow", T0)])  # next poll due at T0 + 60
    clock.now = T0 + 161
    assert state.feeds()[0]["status"] == "overdue"
    state.apply(heartbeat(T0 + 161, mode="once", final=True))
    assert state.feeds()[0]["status"] == "ok"


def test_an_older_poll_arriving_late_does_not_override_the_newer_state() -> None:
    clock = Clock()
    state = state_with(clock)
    state.apply(poll("a", T0))
    state.apply(poll("a", T0 - 100, failures=1, outcome="timeout"))
    row = state.feeds()[0]
    assert row["status"] == "ok" and row["polls"] == {"ok": 1, "timeout": 1}


def test_series_flagged_and_dead_letters() -> None:
    clock = Clock()
    state = state_with(clock)
    state.apply_all([article("a", T0 - 61), article("a", T0 - 1), article("a", T0 - 1, version=2)])
    state.apply(
        message(
            "news.regulation",
            {
                "feed": "a",
                "title": "SEC sues exchange",
                "url": "https://example.test/sec",
                "language": "en",
                "regulation": {
                    "score": 0.9,
                    "categories": ["enforcement"],
                    "jurisdictions": ["US"],
                    "evidence": [{"sentence": "The SEC sued.", "signals": ["regulator:SEC"]}],
                },
            },
            T0 - 1,
        )
    )
    state.apply(
        message("news.deadletter", {"stage": "ExtractArticles", "reason": "no_text", "feed": "a"}, T0)
    )
    state.apply(message("news.deadletter", None, T0))  # not JSON: counted as undecodable, nothing else
    series = state.series()
    assert (
        series["articles"][-2:] == [1, 2] and series["flagged"][-1] == 1 and series["dead_letters"][-1] == 1
    )
    flagged = state.flagged()[0]
    assert flagged["title"] == "SEC sues exchange" and flagged["evidence"][0]["sentence"] == "The SEC sued."
    assert state.dead_letters()["reasons"] == [{"stage": "ExtractArticles", "reason": "no_text", "count": 1}]
    assert state.totals()["undecodable"] == {"deadletter": 1}
    assert {row["feed"]: row["new_articles_last_hour"] for row in state.feeds()} == {"a": 2}


def test_a_backfills_progress_reports_add_up_with_its_rate() -> None:
    from rich.console import Console

    from pipeline.monitor.screen import render_status

    clock = Clock()
    state = state_with(clock)

    def progress(at: float, records: int, *, done: bool, file: str = "a.warc.gz") -> object:
        value = {
            "schema_version": 2, "event": "archive_progress", "job": "news-1", "file": file,
            "at": iso(at), "bytes_read": 1000, "records": records, "pages": records // 2,
            "skipped": records - records // 2, "dead": 0, "part_done": done, "part": [0, 1000],
        }  # fmt: skip
        return message("news.ops", value, at)

    state.apply_all(
        [
            progress(T0 - 10, 500, done=False),
            progress(T0, 300, done=True),
            progress(T0, 200, done=True, file="b"),
        ]
    )  # type: ignore[list-item]
    [row] = state.backfills()
    assert row["records"] == 1000 and row["pages"] == 500 and row["bytes_read"] == 3000
    assert row["files"] == 2 and row["parts_done"] == 2
    assert row["records_per_second"] == 100.0
    console = Console(record=True, width=160)
    console.print(render_status(state))
    text = console.export_text()
    assert "Backfills" in text and "news-1" in text
