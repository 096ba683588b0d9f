"""``newsbeam status``'s screen: the verdict of ``/healthz``, the feeds worst first, heartbeat and lag."""

from __future__ import annotations

import io

from rich.console import Console

from connectors.ops_events import GroupLag
from pipeline.monitor.screen import show_status
from tests.pipeline.monitor.messages import T0, Clock, heartbeat, poll, state_with


def _screen(healthy_feed_only: bool) -> tuple[bool, str]:
    state = state_with(Clock(), broken_polls=2)
    state.apply_all([heartbeat(T0 - 5), poll("good", T0 - 5)])
    if not healthy_feed_only:
        state.apply(poll("bad", T0 - 4, failures=2, outcome="timeout", error="timed out"))
    state.set_lag([GroupLag("readers", "news.articles", 7, 3, 10)])
    out = io.StringIO()
    healthy = show_status(state, Console(file=out, width=140, color_system=None))
    return healthy, out.getvalue()


def test_a_healthy_pipeline_says_so_with_its_feeds_heartbeat_and_lag() -> None:
    healthy, text = _screen(healthy_feed_only=True)
    assert healthy and "HEALTHY" in text and "UNHEALTHY" not in text
    assert "good" in text and "heartbeat #7 of news-abc (streaming)" in text and "readers" in text


def test_a_broken_feed_makes_it_unhealthy_and_comes_first() -> None:
    healthy, text = _screen(healthy_feed_only=False)
    assert not healthy and "UNHEALTHY" in text
    assert "feed bad broken" in text
    assert text.index("bad") < text.index("good")
