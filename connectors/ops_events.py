"""Operational events on Kafka: the heartbeat of a ``--once`` run, and reading ``<prefix>.ops`` and the rest back.

The streaming heartbeat is made in the graph (``transforms.run_counts.PipelineHeartbeat``) and published like
every other record. Here: ``publish_heartbeat`` sends the one heartbeat of a ``--once`` run after it finished,
``TopicTail`` follows topics from a point in time for the monitor and the progress bar, and ``consumer_lag``
reads every consumer group's committed offsets against the topics' end offsets.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from connectors.kafka_consume import Message, decode_record
from connectors.kafka_settings import KafkaSettings, new_consumer
from connectors.kafka_topics import TopicNames
from connectors.wire import KafkaRecord, heartbeat_record
from transforms.records import Heartbeat

log = logging.getLogger(__name__)


def publish_heartbeat(settings: KafkaSettings, topics: TopicNames, heartbeat: Heartbeat) -> None:
    """Send one heartbeat and wait for the broker's acknowledgement (the end of a ``--once`` run)."""
    record: KafkaRecord = heartbeat_record(heartbeat, topics)
    producer = KafkaProducer(**settings.producer_config())
    try:
        sent = producer.send(record.topic, key=record.key, value=record.value, headers=list(record.headers))
        producer.flush(timeout=30)  # now: a lone message would otherwise wait out linger_ms for company
        sent.get(timeout=30)  # its error, if any, is on the future (flush() raises none)
    finally:
        producer.close(timeout=10)


# A broker answers one connection's requests in order, so an offsets query waits behind the fetch long-poll
# in flight (kafka-python's default holds it 500 ms). The tail asks for offsets between short polls.
TAIL_FETCH_WAIT_MS = 100

# what TopicTail yields: the consumer's own message record (topic, offsets, timestamp, decoded JSON value)
OpsMessage = Message


@dataclass
class TopicTail:
    """Follows ``topics`` from ``since`` (epoch seconds; None: from the beginning) without a consumer group.

    Topics that do not exist yet are picked up when they appear. ``caught_up()`` says whether every
    assigned partition has been read up to the end offset seen at the last check.

    Topics in ``counted`` are never read, only counted (``counted_messages()``, from their offsets): a run's
    progress needs how many articles it published, and reading them back cost the launcher a fetch, a zstd
    decompression and a JSON parse of every 10 KB article while the run itself wanted the CPU.
    """

    settings: KafkaSettings
    topics: Sequence[str]
    since: float | None = None
    counted: Sequence[str] = ()
    _consumer: KafkaConsumer | None = field(default=None, init=False, repr=False)
    _assigned: dict[str, list[TopicPartition]] = field(default_factory=dict, init=False, repr=False)
    _starts: dict[TopicPartition, int] = field(default_factory=dict, init=False, repr=False)

    def open(self) -> None:
        """Connect and fix the start offsets now (``since`` then means "from this moment" for live tails)."""
        self._ensure()

    def _ensure(self) -> KafkaConsumer:
        if self._consumer is None:
            self._consumer = new_consumer(
                self.settings,
                group_id=None,
                auto_offset_reset="earliest",
                fetch_max_wait_ms=TAIL_FETCH_WAIT_MS,
            )
        missing = [topic for topic in (*self.topics, *self.counted) if topic not in self._assigned]
        if missing:
            consumer = self._consumer
            added: list[TopicPartition] = []
            for topic in missing:
                partitions = consumer.partitions_for_topic(topic)
                if partitions:
                    self._assigned[topic] = [TopicPartition(topic, p) for p in sorted(partitions)]
                    added.extend(self._assigned[topic])
            if added:
                consumer.assign([tp for tps in self._assigned.values() for tp in tps])
                self._seek(consumer, added)
                consumer.pause(*self._counted_partitions())  # assign() resumes every partition
                for tp in added:
                    if tp.topic in self.counted:
                        self._starts[tp] = consumer.position(tp)
        return self._consumer

    def _counted_partitions(self) -> list[TopicPartition]:
        return [tp for topic in self.counted for tp in self._assigned.get(topic, [])]

    def counted_messages(self) -> dict[str, int]:
        """Messages on each ``counted`` topic since ``since`` (0 for a topic that does not exist yet)."""
        consumer = self._ensure()
        partitions = self._counted_partitions()
        ends = consumer.end_offsets(partitions) if partitions else {}
        totals = dict.fromkeys(self.counted, 0)
        for tp in partitions:
            totals[tp.topic] += ends[tp] - self._starts[tp]
        return totals

    def _seek(self, consumer: KafkaConsumer, partitions: list[TopicPartition]) -> None:
        if self.since is None:
            consumer.seek_to_beginning(*partitions)
            return
        found = consumer.offsets_for_times({tp: int(self.since * 1000) for tp in partitions})
        ends = consumer.end_offsets(partitions)
        for tp in partitions:
            at = found.get(tp)
            consumer.seek(tp, at.offset if at is not None else ends[tp])

    def poll(self, timeout: float = 0.5) -> list[OpsMessage]:
        """The messages that arrived since the last call (waits up to ``timeout`` seconds for some)."""
        consumer = self._ensure()
        if not self._assigned:
            time.sleep(timeout)
            return []
        batch = consumer.poll(timeout_ms=int(timeout * 1000), max_records=2000)
        return [decode_record(record) for records in batch.values() for record in records]

    def caught_up(self) -> bool:
        """Whether every existing topic was read to its current end."""
        consumer = self._ensure()
        if any(topic not in self._assigned for topic in self.topics):
            return False
        partitions = [tp for topic in self.topics for tp in self._assigned[topic]]
        ends = consumer.end_offsets(partitions)
        return all(consumer.position(tp) >= ends[tp] for tp in partitions)

    def read_to_end(self, *, timeout: float = 30.0) -> Iterator[OpsMessage]:
        """Every message up to the end offsets as they are now (for one-shot readers such as ``status``)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.caught_up():  # before a poll, which would wait for messages that are not coming
                return
            yield from self.poll(0.3)
        log.warning(
            "stopped reading %s after %.0f s before reaching the end", ", ".join(self.topics), timeout
        )

    def close(self) -> None:
        """Close the consumer."""
        if self._consumer is not None:
            self._consumer.close()
            self._consumer = None


@dataclass(frozen=True, slots=True)
class GroupLag:
    """How far one consumer group is behind on one topic (summed over its partitions)."""

    group: str
    topic: str
    lag: int
    committed: int
    end: int


def consumer_lag(
    admin: KafkaAdminClient, consumer: KafkaConsumer, *, topics: Iterable[str] | None = None
) -> list[GroupLag]:
    """Every consumer group's lag per topic (only ``topics`` when given), from committed vs end offsets.

    A partition of a topic the group reads but has committed nothing on yet counts from its earliest
    offset (what a consumer starting there would still have to read); ``kafka-consumer-groups`` shows
    such a partition as "-".
    """
    wanted = set(topics) if topics is not None else None
    groups = [g["group_id"] if isinstance(g, dict) else g[0] for g in admin.list_groups()]
    lags: list[GroupLag] = []
    for group in sorted(groups):
        committed = admin.list_group_offsets({group: None}).get(group, {})
        read = sorted({tp.topic for tp in committed if wanted is None or tp.topic in wanted})
        partitions = [
            TopicPartition(topic, p)
            for topic in read
            for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
        if not partitions:
            continue
        ends = consumer.end_offsets(partitions)
        uncommitted = [tp for tp in partitions if tp not in committed or committed[tp].offset < 0]
        starts = consumer.beginning_offsets(uncommitted) if uncommitted else {}
        per_topic: dict[str, GroupLag] = {}
        for tp in partitions:
            end = ends.get(tp, 0)
            offset = starts.get(tp, 0) if tp in starts else committed[tp].offset
            so_far = per_topic.get(tp.topic, GroupLag(group, tp.topic, lag=0, committed=0, end=0))
            per_topic[tp.topic] = GroupLag(
                group,
                tp.topic,
                lag=so_far.lag + max(0, end - offset),
                committed=so_far.committed + offset,
                end=so_far.end + end,
            )
        lags.extend(per_topic.values())
    return lags
