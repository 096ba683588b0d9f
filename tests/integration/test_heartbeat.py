"""The heartbeat of a --once run against a real broker: sent, acknowledged, and read back as sent."""

from __future__ import annotations

import dataclasses

import pytest

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from connectors.ops_events import TopicTail, publish_heartbeat
from transforms.records import Heartbeat

pytestmark = pytest.mark.integration


def test_the_final_heartbeat_goes_out_at_once_whatever_the_producers_linger(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics))
    # a linger longer than publish_heartbeat waits for the acknowledgement: only a flush sends it in time
    lingering = dataclasses.replace(kafka_settings, linger_ms=120_000, delivery_timeout_ms=240_000)
    heartbeat = Heartbeat(
        job=f"{topic_prefix}-job",
        at="2026-11-23T08:00:00Z",
        mode="once",
        started_at="2026-11-23T07:59:00Z",
        sequence=1,
        interval=0.0,
        counters=(("PollFeeds.feeds_polled", 3),),
        final=True,
    )
    publish_heartbeat(lingering, topics, heartbeat)
    tail = TopicTail(kafka_settings, [topics.ops], since=None)
    tail.open()
    try:
        values = [message.value for message in tail.read_to_end(timeout=30)]
    finally:
        tail.close()
    assert [(v["job"], v["final"], v["counters"]) for v in values] == [
        (heartbeat.job, True, {"PollFeeds.feeds_polled": 3})
    ]
