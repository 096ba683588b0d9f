"""Reading our topics back: for downstream code (``iter_articles``), ``newsbeam subscribe``, the demo, tests.

Without a group id the consumer assigns itself every partition (no group join, so it starts at once);
with a group id it joins the group. Either way it starts where ``start`` says: ``"committed"`` (the
group's committed offsets, else the beginning), ``"beginning"``, ``"end"``, or a timestamp in
milliseconds (the first message at or after it, via ``offsets_for_times``).

Only offsets of messages the caller has handled are committed: a message counts as handled when the
caller asks for the next one. They are committed together, at most every ``COMMIT_INTERVAL`` seconds,
before each wait for more messages and when reading stops, never one that is still in the caller's
hands. A commit that fails (the group coordinator moving to another broker during a failover, a
rebalance) is logged and retried with the next one instead of ending the reading. A caller that stops
in the middle of a message (an exception, Ctrl-C) gets it again next time, and so may a reader whose
last commits failed: at-least-once, so deduplicate by key and ``version``.
Groups use a short session timeout (``KafkaSettings.session_timeout_ms``): joining costs about half of
it, so kafka-python's default would keep a reader waiting for tens of seconds.

``iter_articles`` yields typed ``Article`` records and ignores fields it does not know, so code written
against schema version N keeps reading what version N+1 produces.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from kafka import KafkaConsumer, TopicPartition
from kafka import errors as kafka_errors
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.structs import OffsetAndMetadata

from connectors.kafka_settings import KafkaSettings, new_consumer
from connectors.wire import WireError, article_from_dict
from transforms.records import Article

log = logging.getLogger(__name__)

COMMIT_INTERVAL = 1.0  # seconds: handled offsets are committed together, not one round trip per message

Start = Literal["committed", "beginning", "end"] | int
"""Where reading starts: the group's committed offsets, the oldest message, new messages only, or a
timestamp in milliseconds since the epoch."""


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
    timestamp_ms: int = 0  # the record's timestamp (CreateTime, or LogAppendTime where the topic says so)

    @property
    def timestamp(self) -> float:
        """The record's timestamp in seconds since the epoch."""
        return self.timestamp_ms / 1000.0


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleFilter:
    """Which articles a consumer wants; empty sets mean "any". Every given condition must hold."""

    flagged_only: bool = False
    categories: frozenset[str] = frozenset()  # at least one of these regulation categories
    jurisdictions: frozenset[str] = frozenset()  # at least one of these (ISO 3166-1 alpha-2, EU, INTL)
    languages: frozenset[str] = frozenset()  # the detected language is one of these (ISO 639-1)

    @classmethod
    def of(
        cls,
        *,
        flagged_only: bool = False,
        categories: Iterable[str] = (),
        jurisdictions: Iterable[str] = (),
        languages: Iterable[str] = (),
    ) -> ArticleFilter:
        """A filter from any iterables (jurisdictions upper-cased, languages lower-cased)."""
        return cls(
            flagged_only=flagged_only,
            categories=frozenset(categories),
            jurisdictions=frozenset(j.upper() for j in jurisdictions),
            languages=frozenset(lang.lower() for lang in languages),
        )

    @property
    def is_empty(self) -> bool:
        """True when every article matches."""
        return not (self.flagged_only or self.categories or self.jurisdictions or self.languages)

    def matches(self, article: Article) -> bool:
        """True when ``article`` passes every condition."""
        regulation = article.regulation
        if self.flagged_only and not (regulation is not None and regulation.flagged):
            return False
        if self.languages and (article.language or "").lower() not in self.languages:
            return False
        if self.categories and not (regulation is not None and self.categories & set(regulation.categories)):
            return False
        return not self.jurisdictions or (
            regulation is not None and bool(self.jurisdictions & set(regulation.jurisdictions))
        )


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800}


def parse_duration(text: str) -> float:
    """``"90"``, ``"30s"``, ``"15m"``, ``"2h"``, ``"1d"``, ``"1w"`` → seconds; ``ValueError`` otherwise."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (use e.g. 30s, 15m, 2h, 1d)")
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2) or "s"]


def since(seconds: float, *, now: float | None = None) -> int:
    """The ``start`` timestamp (milliseconds) ``seconds`` ago."""
    return int(((time.time() if now is None else now) - seconds) * 1000)


def decode_record(record: Any) -> Message:
    """A kafka-python ``ConsumerRecord`` as a ``Message``; a value that is not a JSON object decodes to None."""
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
    consumer = new_consumer(settings, group_id=None)
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


def _seek(consumer: KafkaConsumer, partitions: list[TopicPartition], start: Start) -> None:
    if not partitions or start == "committed":
        return
    if start == "beginning":
        consumer.seek_to_beginning(*partitions)
    elif start == "end":
        consumer.seek_to_end(*partitions)
    else:
        found = consumer.offsets_for_times({tp: start for tp in partitions})
        for tp in partitions:
            at = found.get(tp)
            if at is None:  # nothing that new yet: start at the end
                consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, at.offset)


class _SeekOnFirstAssignment(ConsumerRebalanceListener):  # type: ignore[misc, unused-ignore]  # kafka-python has no types, and subscribe() insists on this base class
    """Seeks to ``start`` when the group first hands us partitions; later rebalances resume from commits."""

    def __init__(self, consumer: KafkaConsumer, start: Start) -> None:
        self._consumer = consumer
        self._start = start
        self._seen: set[TopicPartition] = set()

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        fresh = [tp for tp in assigned if tp not in self._seen]
        self._seen.update(fresh)
        _seek(self._consumer, fresh, self._start)


def _partitions(consumer: KafkaConsumer, settings: KafkaSettings, topic: str) -> list[TopicPartition]:
    deadline = time.monotonic() + 30
    partitions: set[int] = set()
    while not partitions and time.monotonic() < deadline:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            time.sleep(0.2)
    if not partitions:
        raise LookupError(f"topic {topic} does not exist on {settings.bootstrap_servers}")
    return [TopicPartition(topic, p) for p in sorted(partitions)]


def consume(
    settings: KafkaSettings,
    topic: str,
    *,
    group_id: str | None = None,
    start: Start = "committed",
    fallback: Literal["beginning", "end"] = "beginning",
    start_offsets: dict[int, int] | None = None,
    max_messages: int | None = None,
    timeout: float | None = None,
    until: Callable[[], bool] | None = None,
) -> Generator[Message, None, None]:
    """Yield ``topic``'s messages; with a group, commit those the caller has handled (see the module).

    ``fallback``: where ``start="committed"`` begins for a group that has no committed offsets yet
    (and where reading without a group begins). Stops after ``max_messages``, or ``timeout`` seconds
    without a new message (None: never). ``start_offsets`` (partition → offset) overrides ``start``
    when reading without a group. ``until``: asked after each handled message and after every empty poll;
    True stops, so a caller can stop cleanly (Ctrl-C, enough shown) with what it handled committed.
    """
    handled = _Handled()
    reset = "latest" if start == "end" or (start == "committed" and fallback == "end") else "earliest"
    consumer = new_consumer(settings, group_id=group_id, auto_offset_reset=reset)
    try:
        if group_id is None:
            assigned = _partitions(consumer, settings, topic)
            consumer.assign(assigned)
            if start_offsets is not None:
                for tp in assigned:
                    consumer.seek(tp, start_offsets.get(tp.partition, 0))
            else:
                _seek(consumer, assigned, fallback if start == "committed" else start)
        else:
            consumer.subscribe([topic], listener=_SeekOnFirstAssignment(consumer, start))
        count = 0
        last_message = time.monotonic()
        while max_messages is None or count < max_messages:
            handled.commit(
                consumer
            )  # before waiting: what the caller handled is not held back by a quiet topic
            batch = consumer.poll(timeout_ms=500)
            if not batch:
                if timeout is not None and time.monotonic() - last_message > timeout:
                    return
                if until is not None and until():
                    return
                continue
            last_message = time.monotonic()
            for records in batch.values():
                for record in records:
                    yield decode_record(record)
                    # the caller came back for more: it has handled this one
                    if group_id is not None:
                        handled.add(record)
                        handled.commit(consumer, due_only=True)
                    count += 1
                    if (max_messages is not None and count >= max_messages) or (
                        until is not None and until()
                    ):
                        return
    finally:
        # what the caller handled; never the message in its hands when it stopped
        handled.commit(consumer)
        consumer.close()


class _Handled:
    """The offsets of messages the caller has handled and that are not committed yet, per partition."""

    def __init__(self) -> None:
        self._offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        self._last_commit = time.monotonic()

    def add(self, record: Any) -> None:
        self._offsets[TopicPartition(record.topic, record.partition)] = _offset(record)

    def commit(self, consumer: KafkaConsumer, *, due_only: bool = False) -> None:
        """Commit the handled offsets (``due_only``: only when ``COMMIT_INTERVAL`` has passed since the
        last commit). A failed commit is logged and kept for the next one, for the partitions still ours."""
        if not self._offsets or (due_only and time.monotonic() - self._last_commit < COMMIT_INTERVAL):
            return
        self._last_commit = time.monotonic()
        try:
            consumer.commit(dict(self._offsets))
        except kafka_errors.KafkaError as error:
            # the coordinator is moving (a broker died) or the group rebalanced: the messages stay
            # handled, and the next commit carries their offsets (or the partition's new owner reads
            # them again: at-least-once)
            log.warning(
                "could not commit the offsets of %d partition(s) of group %s yet (%s: %s); trying again",
                len(self._offsets),
                consumer.config.get("group_id"),
                type(error).__name__,
                error,
            )
            assigned = consumer.assignment()
            self._offsets = {tp: offset for tp, offset in self._offsets.items() if tp in assigned}
            return
        self._offsets.clear()


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
    """Yield ``topic``'s messages from the beginning (or new ones only) until ``max_messages`` or
    ``timeout`` seconds without a new one; with a group, from its committed offsets (new messages
    only when it has none) unless ``from_beginning``."""
    if group_id is None:
        start: Start = "beginning" if from_beginning else "end"
    else:
        start = "beginning" if from_beginning else "committed"
    return consume(
        settings,
        topic,
        group_id=group_id,
        start=start,
        fallback="end",
        start_offsets=start_offsets,
        max_messages=max_messages,
        timeout=timeout,
    )


def article_of(message: Message) -> Article | None:
    """The ``Article`` of an ``articles``/``regulation`` message; None (with a warning) when it is not one."""
    if message.value is None:
        log.warning("%s@%d/%d is not JSON; skipped", message.topic, message.partition, message.offset)
        return None
    try:
        return article_from_dict(message.value)
    except WireError as error:
        log.warning("%s@%d/%d skipped: %s", message.topic, message.partition, message.offset, error)
        return None


def iter_articles(
    settings: KafkaSettings,
    topic: str,
    group_id: str | None,
    *,
    start: Start = "committed",
    flagged_only: bool = False,
    categories: Iterable[str] = (),
    jurisdictions: Iterable[str] = (),
    languages: Iterable[str] = (),
    timeout: float | None = None,
) -> Iterator[Article]:
    """Typed articles from ``topic`` that pass the filters, each committed once the caller has handled it.

    Messages that are not articles, and articles the filters reject, are skipped (and committed).
    Unknown fields are ignored (forward compatible). ``timeout``: stop after that many seconds without
    a message (None: run until the caller stops).
    """
    wanted = ArticleFilter.of(
        flagged_only=flagged_only, categories=categories, jurisdictions=jurisdictions, languages=languages
    )
    for message in consume(settings, topic, group_id=group_id, start=start, timeout=timeout):
        article = article_of(message)
        if article is not None and wanted.matches(article):
            yield article


def _offset(record: Any) -> OffsetAndMetadata:
    return OffsetAndMetadata(record.offset + 1, "", -1)
