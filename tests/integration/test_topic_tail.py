"""TopicTail against a real broker: topics it reads, and topics it only counts from their offsets."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

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


@dataclass
class _PollCountingTail(TopicTail):
    """The real TopicTail on the real broker, which also records the timeout of every poll it makes."""

    polls: list[float] = field(default_factory=list)

    def poll(self, timeout: float = 0.5) -> list[OpsMessage]:
        self.polls.append(timeout)
        return super().poll(timeout)


def test_reading_to_the_end_reads_every_message_and_waits_for_none_once_there(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics))
    producer = KafkaProducer(**kafka_settings.producer_config())
    try:
        _send(producer, topics.ops, 3)
        tail = _PollCountingTail(kafka_settings, [topics.ops, topics.deadletter], since=None)
        tail.open()
        try:
            assert len(list(tail.read_to_end(timeout=30))) == 3
            # at the end, reading to the end must not poll (and wait) at all
            tail.polls.clear()
            assert list(tail.read_to_end(timeout=30)) == []
            assert tail.polls == [], "polled (and waited) with nothing left to read"
        finally:
            tail.close()
    finally:
        producer.close(timeout=10)
