"""PublishToKafka: Kafka records → the broker, acknowledged before the bundle counts as done.

The producer is built in ``setup()`` from picklable settings and closed in ``teardown()``. Every send's
future is kept and checked; a bundle finishes only after the broker acknowledged each of its messages.

What happens to a message the broker did not acknowledge:

- the broker is away or slow (connection refused, timeouts, leader elections: kafka-python's retriable
  errors): the publisher waits, logging a warning every few seconds, and sends the message again once
  the broker is back, for up to ``outage_timeout_ms`` (``--kafka-outage-timeout``); then it fails the
  bundle with ``PublishFailed`` (the runner retries it, or the run ends with its message). Nothing is
  dropped: this is at-least-once. When a send finds no metadata for its topic (the broker went away
  before this topic was ever written to), kafka-python blocks that send; one such send per round says
  the broker is away, and the other messages of the round wait for the next round unsent, so the whole
  wait stays within the outage limit instead of one metadata wait per message.
- the broker (or the client) rejects the message itself (too large, invalid record, not authorised for
  the topic): it is sent once more in a batch of its own (a broker refuses a whole batch for one bad
  message, and kafka-python then aborts the rest), and if refused again it becomes a dead letter on
  ``dead_letter_topic`` with the error, cut to 16 KB, while the rest of the bundle carries on. Without a
  dead-letter topic, or when the dead letter is refused too, the bundle fails.

Memory stays bounded while the broker is away: kafka-python 3 has no bounded send buffer, so at most
``max_unacknowledged`` messages per worker wait for acknowledgement; the next one waits for the broker
(back-pressure up the fused stage) instead of growing a queue.

Output: one ``(topic, key)`` per acknowledged message (dead letters included, under their own topic),
for counting and for state that must only advance after an acknowledgement.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Generator, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection
from apache_beam.utils.windowed_value import WindowedValue
from kafka import KafkaProducer
from kafka import errors as kafka_errors

from connectors.in_flight import Done, InFlight, Overdue
from connectors.kafka_settings import KafkaSettings, new_producer
from connectors.wire import KafkaRecord, dead_letter_to_dict, encode, headers_for
from transforms.dead_letters import RunStopped, dead_letter

log = logging.getLogger(__name__)

STAGE = "PublishToKafka"
WAIT_LOG_INTERVAL = 5.0  # seconds between "waiting for the broker" lines
RESEND_PAUSE = 1.0  # seconds between two rounds of re-sending while the broker is away

# Errors about the message itself: sending it again gives the same answer.
REJECTED = (
    kafka_errors.MessageSizeTooLargeError,
    kafka_errors.RecordListTooLargeError,
    kafka_errors.InvalidRecordError,
    kafka_errors.CorruptRecordError,
    kafka_errors.InvalidTopicError,
    kafka_errors.InvalidTimestampError,
    kafka_errors.TopicAuthorizationFailedError,
    kafka_errors.UnsupportedForMessageFormatError,
)


class PublishFailed(RunStopped):
    """The broker did not acknowledge a message of the bundle and it could not be dead-lettered."""


def is_rejection(error: BaseException) -> bool:
    """True when ``error`` is about the message itself (dead-letter it), not about the broker (retry)."""
    return isinstance(error, REJECTED)


@dataclass(frozen=True, slots=True)
class _Ack:
    """What became of a message handed to the producer."""

    error: BaseException | None = None  # None: acknowledged
    taken: bool = True  # the producer took it (False: send() refused it, or was not called)
    pending: bool = False  # not acknowledged yet when the wait ended: it may still be written


_Message = Done[KafkaRecord, _Ack]


def _ack_of(message: _Message) -> _Ack:
    """The message's acknowledgement; a timeout when its wait ran out first."""
    if isinstance(message.error, Overdue):
        return _Ack(kafka_errors.KafkaTimeoutError("not acknowledged yet"), pending=True)
    return message.result()  # an error of ours in send() (not Kafka's) fails the bundle


def _rejection_letter(record: KafkaRecord, error: BaseException, dead_letter_topic: str) -> KafkaRecord:
    headers = dict(record.headers)
    feed = headers.get("feed", b"").decode("utf-8", "replace") or None
    key = record.key.decode("utf-8", "replace") if record.key is not None else None
    letter = dead_letter(
        STAGE,
        "publish_rejected",
        error,
        feed=feed,
        key=key,
        # the value is cut to 16 KB by jsonable(), so the letter fits where the message did not
        input={"topic": record.topic, "value": record.value, "bytes": len(record.value)},
    )
    return KafkaRecord(
        dead_letter_topic,
        record.key,
        encode(dead_letter_to_dict(letter)),
        headers_for("dead_letter", stage=STAGE, reason="publish_rejected", feed=feed),
    )


class _PublishFn(beam.DoFn):
    def __init__(self, settings: KafkaSettings, dead_letter_topic: str | None) -> None:
        self._settings = settings
        self._dead_letter_topic = dead_letter_topic
        self._producer: KafkaProducer | None = None
        self._sending: InFlight[KafkaRecord, _Ack] | None = None
        self._broker_away = False  # a send of this round waited for metadata in vain
        self.published = Metrics.counter(STAGE, "published")
        self.resent = Metrics.counter(STAGE, "resent")
        self.dead_lettered = Metrics.counter(STAGE, "dead_lettered")

    def setup(self) -> None:
        self._producer = new_producer(self._settings)

    def teardown(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=10)
            self._producer = None

    def start_bundle(self) -> None:
        self._sending = InFlight(self._send)  # capped by max_unacknowledged in process()
        self._broker_away = False

    def process(
        self,
        record: KafkaRecord,
        timestamp: Any = beam.DoFn.TimestampParam,  # Beam fills these; Any because the default is a marker
        window: Any = beam.DoFn.WindowParam,
    ) -> Iterator[WindowedValue]:
        assert self._sending is not None
        if len(self._sending) >= self._settings.max_unacknowledged:
            # back-pressure: settle what is in flight before taking more
            yield from self._settle()
        self._sending.submit(record, timestamp=timestamp, window=window)

    def finish_bundle(self) -> Iterator[WindowedValue]:
        yield from self._settle()

    def _send(self, record: KafkaRecord) -> Future[_Ack]:
        """Hand ``record`` to the producer; the future ends with its acknowledgement or its error."""
        assert self._producer is not None
        acked: Future[_Ack] = Future()
        if self._broker_away:
            away = kafka_errors.KafkaTimeoutError("not sent: the broker gave no metadata to an earlier send")
            acked.set_result(_Ack(away, taken=False))
            return acked
        try:
            sent = self._producer.send(
                record.topic, key=record.key, value=record.value, headers=list(record.headers)
            )
        except kafka_errors.KafkaTimeoutError as error:  # no metadata within max_block_ms: the broker is away
            self._broker_away = True
            acked.set_result(_Ack(error, taken=False))
            return acked
        except kafka_errors.KafkaError as error:  # too large for max_request_size...
            acked.set_result(_Ack(error, taken=False))
            return acked
        sent.add_callback(lambda _metadata: acked.set_result(_Ack()))
        sent.add_errback(lambda error: acked.set_result(_Ack(error)))
        return acked

    def _acks(self, started: float, deadline: float) -> Iterator[_Message]:
        """Send what is buffered now and hand out each message as the broker answers (until the deadline,
        then the rest as not acknowledged yet)."""
        assert self._producer is not None and self._sending is not None
        # flush() only starts the sending here: it raises when kafka-python aborts batches after a
        # rejection, and the acknowledgements are the truth either way
        with contextlib.suppress(kafka_errors.KafkaError):
            self._producer.flush(timeout=0.5)
        while self._sending:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                yield from self._sending.drain(max_wait=0)
                return
            yield from self._sending.completed(min(WAIT_LOG_INTERVAL, remaining))
            if self._sending:
                log.warning(
                    "waiting for Kafka at %s: %d message(s) not acknowledged after %.0f s; "
                    "publishing paused (gives up after %.0f s)",
                    self._settings.bootstrap_servers,
                    len(self._sending),
                    time.monotonic() - started,
                    self._settings.outage_timeout_ms / 1000,
                )

    def _settle(self) -> Iterator[WindowedValue]:
        """Wait until every pending message is acknowledged, re-sent or dead-lettered."""
        assert self._sending is not None
        started = time.monotonic()
        deadline = started + self._settings.outage_timeout_ms / 1000
        rounds = 0
        while self._sending:
            retry: list[_Message] = []
            rejected: list[_Message] = []
            for message in self._acks(started, deadline):
                error = _ack_of(message).error
                if error is None:
                    self.published.inc()
                    yield self._acked(message)
                elif is_rejection(error):
                    rejected.append(message)
                else:
                    retry.append(message)
            if rejected:
                # kafka-python's idempotent producer treats a batch the broker rejected as fatal and
                # refuses to send more: a fresh one (new producer id) sends the survivors and the letters
                if any(_ack_of(message).taken for message in rejected):
                    self._renew_producer()
                confirmed = yield from self._send_alone(rejected, retry)
                if confirmed:
                    yield from self._dead_letter(confirmed, started, deadline)
            if not retry:
                return
            self._raise_past_the_outage_wait(retry, deadline)
            rounds += 1
            error = _ack_of(retry[0]).error
            log.warning(
                "%d message(s) not acknowledged (%s: %s); sending them again (round %d)",
                len(retry),
                type(error).__name__,
                error,
                rounds,
            )
            if not all(getattr(_ack_of(message).error, "retriable", False) for message in retry):
                # a non-retriable producer-state error (e.g. an idempotence sequence lost in an outage):
                # a fresh producer gets a fresh producer id
                self._renew_producer()
            time.sleep(RESEND_PAUSE)
            self.resent.inc(len(retry))
            self._broker_away = False  # the round's first send finds out whether it is back
            for message in retry:
                self._sending.retry(message)

    def _raise_past_the_outage_wait(self, retry: list[_Message], deadline: float) -> None:
        # still-pending messages may yet be written: re-sending them here would only add copies
        if time.monotonic() < deadline and not any(_ack_of(message).pending for message in retry):
            return
        first = retry[0]
        error = _ack_of(first).error
        raise PublishFailed(
            f"Kafka at {self._settings.bootstrap_servers} did not acknowledge {len(retry)} message(s) "
            f"within the outage wait of {self._settings.outage_timeout_ms / 1000:g} s "
            f"(--kafka-outage-timeout), the first for {first.element.topic}: {type(error).__name__}: "
            f"{error}. Nothing unacknowledged counts as published: run again once the broker is back"
        )

    def _send_alone(
        self, rejected: list[_Message], retry: list[_Message]
    ) -> Generator[WindowedValue, None, list[_Message]]:
        """Send each rejected message again in a batch of its own: a broker rejects a whole batch for
        one oversized message, and its batch-mates deserve another chance. Returns the confirmed
        rejections; broker trouble in the meantime adds to ``retry``."""
        assert self._sending is not None
        confirmed: list[_Message] = []
        for message in rejected:
            self._sending.retry(message)
            now = time.monotonic()
            for again in self._acks(now, now + self._settings.request_timeout_ms / 1000):
                ack = _ack_of(again)
                if ack.error is None:
                    self.published.inc()
                    yield self._acked(again)
                elif is_rejection(ack.error):
                    confirmed.append(again)
                    if ack.taken:  # the broker said no: this producer is now unusable too
                        self._renew_producer()
                else:
                    retry.append(again)
        return confirmed

    def _dead_letter(
        self, rejected: list[_Message], started: float, deadline: float
    ) -> Iterator[WindowedValue]:
        assert self._sending is not None
        first = rejected[0]
        first_error = _ack_of(first).error
        if self._dead_letter_topic is None:
            raise PublishFailed(
                f"{len(rejected)} message(s) rejected and no dead-letter topic, first: "
                f"{first.element.topic}: {type(first_error).__name__}: {first_error}"
            )
        for message in rejected:
            error = _ack_of(message).error
            assert error is not None
            log.error(
                "message %s/%r rejected (%s: %s); publishing it as a dead letter",
                message.element.topic,
                message.element.key,
                type(error).__name__,
                error,
            )
            record = _rejection_letter(message.element, error, self._dead_letter_topic)
            self._sending.submit(record, timestamp=message.timestamp, window=message.window)
        for letter in self._acks(started, deadline):
            failure = _ack_of(letter).error
            if failure is not None:
                raise PublishFailed(
                    f"dead letter for a rejected message was not acknowledged: {type(failure).__name__}: {failure}"
                ) from failure
            self.dead_lettered.inc()
            yield self._acked(letter)

    def _renew_producer(self) -> None:
        if self._producer is not None:
            # closing flushes, and a producer in a fatal state raises there; its messages are settled
            with contextlib.suppress(kafka_errors.KafkaError):
                self._producer.close(timeout=5)
        self._producer = new_producer(self._settings)

    @staticmethod
    def _acked(message: _Message) -> WindowedValue:
        key = (message.element.key or b"").decode("utf-8", "replace")
        return message.windowed((message.element.topic, key))


# one collection of records, or several branches each published where it is produced
_Records = PCollection[KafkaRecord] | tuple[PCollection[KafkaRecord], ...]


class PublishToKafka(beam.PTransform[_Records, PCollection[tuple[str, str]]]):
    """Kafka records → ``(topic, key)`` of every acknowledged message (rejected ones as dead letters).

    Takes one PCollection of records, or a tuple of them: each branch then gets its own publisher, fused
    into the stage that produces it. Flattening the branches first would make the publisher a stage of
    its own whose input, on the FnApiRunner, is only handed over once every branch has finished, so a
    ``--once`` run would publish nothing until the last page was extracted, and hold every record
    meanwhile.
    """

    def __init__(self, settings: KafkaSettings, *, dead_letter_topic: str | None = None) -> None:
        super().__init__()
        self._settings = settings
        self._dead_letter_topic = dead_letter_topic

    def expand(self, records: _Records) -> PCollection[tuple[str, str]]:
        acked: PCollection[tuple[str, str]]
        if isinstance(records, PCollection):
            acked = records | "Send" >> beam.ParDo(_PublishFn(self._settings, self._dead_letter_topic))
            return acked
        branches = [
            branch | f"Send{index}" >> beam.ParDo(_PublishFn(self._settings, self._dead_letter_topic))
            for index, branch in enumerate(records)
        ]
        acked = branches | "Acknowledged" >> beam.Flatten()
        return acked
