"""Reading our topics back: for ``newsbeam subscribe``, the demo, tests and downstream code.

Without a group id the consumer assigns itself every partition (no group join, so it starts at once)
and reads from the beginning, the end, or given offsets; with a group id it commits each message's
offset only after the caller has handled it (at-least-once for the caller).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from connectors.kafka_settings import KafkaSettings


@dataclass(frozen=True, slots=True)
class Message:
    """One consumed message, its value decoded from JSON (None when it is not JSON)."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: dict[str, Any] | None
    raw: bytes
    headers: dict[str, str] = field(default_factory=dict)
    timestamp_ms: int = 0


def _decode(record: Any) -> Message:
    try:
        value = json.loads(record.value) if record.value is not None else None
    except (ValueError, UnicodeDecodeError):
        value = None
    return Message(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        key=record.key.decode("utf-8", "replace") if record.key is not None else None,
        value=value if isinstance(value, dict) else None,
        raw=record.value or b"",
        headers={k: (v or b"").decode("utf-8", "replace") for k, v in (record.headers or [])},
        timestamp_ms=record.timestamp,
    )


def end_offsets(settings: KafkaSettings, topic: str) -> dict[int, int]:
    """The current end offset of each partition of ``topic``."""
    consumer = KafkaConsumer(**settings.consumer_config(group_id=None))
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def read_messages(
    settings: KafkaSettings,
    topic: str,
    *,
    group_id: str | None = None,
    from_beginning: bool = False,
    start_offsets: dict[int, int] | None = None,
    max_messages: int | None = None,
    timeout: float | None = 10.0,
) -> Iterator[Message]:
    """Yield ``topic``'s messages until ``max_messages`` or ``timeout`` seconds without a new one."""
    reset = "earliest" if from_beginning else "latest"
    consumer = KafkaConsumer(**settings.consumer_config(group_id=group_id, auto_offset_reset=reset))
    try:
        if group_id is None:
            deadline = time.monotonic() + 30
            partitions: set[int] = set()
            while not partitions and time.monotonic() < deadline:
                partitions = consumer.partitions_for_topic(topic) or set()
                if not partitions:
                    time.sleep(0.2)
            if not partitions:
                raise LookupError(f"topic {topic} does not exist on {settings.bootstrap_servers}")
            assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
            consumer.assign(assigned)
            if start_offsets is not None:
                for tp in assigned:
                    consumer.seek(tp, start_offsets.get(tp.partition, 0))
            elif from_beginning:
                consumer.seek_to_beginning(*assigned)
            else:
                consumer.seek_to_end(*assigned)
        else:
            consumer.subscribe([topic])
        count = 0
        last_message = time.monotonic()
        while max_messages is None or count < max_messages:
            batch = consumer.poll(timeout_ms=500)
            if not batch:
                if timeout is not None and time.monotonic() - last_message > timeout:
                    return
                continue
            last_message = time.monotonic()
            for records in batch.values():
                for record in records:
                    yield _decode(record)
                    count += 1
                    if group_id is not None:
                        consumer.commit({TopicPartition(record.topic, record.partition): _offset(record)})
                    if max_messages is not None and count >= max_messages:
                        return
    finally:
        consumer.close()


def _offset(record: Any) -> OffsetAndMetadata:
    return OffsetAndMetadata(record.offset + 1, "", -1)
