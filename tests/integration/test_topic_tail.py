"""TopicTail against a real broker: topics it reads, and topics it only counts from their offsets."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaProducer

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from connectors.ops_events import OpsMessage, TopicTail

pytestmark = pytest.mark.integration


def _send(producer: KafkaProducer, topic: str, count: int) -> None:
    for n in range(count):
        producer.send(topic, key=f"k{n}".encode(), value=b'{"event": "x"}')
    producer.flush(timeout=30)


def test_counted_topics_are_counted_from_offsets_and_never_read(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics))
    producer = KafkaProducer(**kafka_settings.producer_config())
    try:
        _send(producer, topics.articles, 2)  # before the tail starts: not this run's
        tail = TopicTail(kafka_settings, [topics.ops], since=time.time(), counted=[topics.articles])
        tail.open()
        try:
            _send(producer, topics.articles, 5)
            _send(producer, topics.ops, 1)
            read: list[OpsMessage] = []
            deadline = time.monotonic() + 30
            while not read and time.monotonic() < deadline:
                read += tail.poll(0.3)
            assert [message.topic for message in read] == [topics.ops]
            assert tail.counted_messages() == {topics.articles: 5}
            assert tail.caught_up()  # the counted partitions, never read, do not hold it back
            assert [message.topic for message in tail.poll(0.3)] == []
        finally:
            tail.close()
    finally:
        producer.close(timeout=10)


def test_reading_to_the_end_reads_every_message_and_waits_for_none_once_there(
    kafka_settings: KafkaSettings, topic_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics))
    producer = KafkaProducer(**kafka_settings.producer_config())
    try:
        _send(producer, topics.ops, 3)
        tail = TopicTail(kafka_settings, [topics.ops, topics.deadletter], since=None)
        tail.open()
        try:
            assert len(list(tail.read_to_end(timeout=30))) == 3
            # the real poll, counted: at the end, reading to the end must not poll (and wait) at all
            polls: list[float] = []
            real_poll = tail.poll

            def counted_poll(timeout: float = 0.5) -> list[OpsMessage]:
                polls.append(timeout)
                return real_poll(timeout)

            monkeypatch.setattr(tail, "poll", counted_poll)
            assert list(tail.read_to_end(timeout=30)) == []
            assert polls == [], "polled (and waited) with nothing left to read"
        finally:
            tail.close()
    finally:
        producer.close(timeout=10)
