"""``/metrics``: every family of the table is exported, and a state's samples read back as written."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from connectors.ops_events import GroupLag
from pipeline.monitor.metrics import FAMILIES, render
from pipeline.monitor.state import MonitorState
from tests.pipeline.monitor.messages import T0, Clock, article, heartbeat, message, poll, state_with


def test_every_family_is_exported_even_without_samples() -> None:
    families = {
        family.name for family in text_string_to_metric_families(render(MonitorState("news")).decode())
    }
    assert families == {family.name for family in FAMILIES}
    assert len(FAMILIES) == len(families), "each name once"


def test_metrics_exposition_parses_and_carries_feed_lag_and_latency() -> None:
    clock = Clock()
    state = state_with(clock, broken_polls=2)
    state.apply_all(
        [
            heartbeat(T0 - 5),
            poll("good", T0 - 5),
            poll("bad", T0 - 4, failures=2, outcome="timeout", error="timed out"),
            article("good", T0 - 3, seen=T0 - 4.5),
            message("news.deadletter", {"stage": "PollFeeds", "reason": "timeout", "feed": "bad"}, T0 - 4),
        ]
    )
    state.set_lag([GroupLag("readers", "news.articles", 7, 3, 10)])
    families = {family.name: family for family in text_string_to_metric_families(render(state).decode())}
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families.values()
        for sample in family.samples
    }
    assert samples[("newsbeam_feed_up", (("feed", "bad"),))] == 0
    assert samples[("newsbeam_feed_up", (("feed", "good"),))] == 1
    assert samples[("newsbeam_feed_consecutive_failures", (("feed", "bad"),))] == 2
    assert samples[("newsbeam_feed_status", (("feed", "bad"), ("status", "broken")))] == 1
    assert samples[("newsbeam_dead_letters_total", (("reason", "timeout"), ("stage", "PollFeeds")))] == 1
    assert (
        samples[("newsbeam_consumer_lag_messages", (("group", "readers"), ("topic", "news.articles")))] == 7
    )
    assert samples[("newsbeam_healthy", ())] == 0
    assert (
        samples[
            (
                "newsbeam_pipeline_events_total",
                (("counter", "feeds_polled"), ("job", "news-abc"), ("stage", "PollFeeds")),
            )
        ]
        == 12
    )
    # 1.5 s from first sighting to Kafka: in the 2 s bucket, not in the 1 s one
    assert samples[("newsbeam_feed_to_kafka_latency_seconds_bucket", (("le", "1.0"), ("since", "seen")))] == 0
    assert samples[("newsbeam_feed_to_kafka_latency_seconds_bucket", (("le", "2.0"), ("since", "seen")))] == 1
    assert samples[("newsbeam_feed_to_kafka_latency_seconds_count", (("since", "published"),))] == 1
