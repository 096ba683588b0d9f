"""PublishToKafka: Kafka records → the broker, acknowledged before the bundle counts as done.

The producer is built in ``setup()`` from picklable settings and closed in ``teardown()``. Every send's
future is kept; ``finish_bundle()`` flushes and checks each one, so a bundle succeeds only after the
broker acknowledged all of its messages, and a failed send fails the bundle (the runner retries it:
at-least-once). Output: one ``(topic, key)`` per acknowledged message, for counting and for state that
must only advance after an acknowledgement.
"""

from __future__ import annotations

import logging
from typing import Any
from collections.abc import Iterator

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import BoundedWindow
from apache_beam.utils.timestamp import Timestamp
from apache_beam.utils.windowed_value import WindowedValue
from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from connectors.kafka_settings import KafkaSettings
from connectors.wire import KafkaRecord

log = logging.getLogger(__name__)

STAGE = "PublishToKafka"


class PublishFailed(RuntimeError):
    """The broker did not acknowledge a message of the bundle."""


class _PublishFn(beam.DoFn):
    def __init__(self, settings: KafkaSettings, ack_timeout: float) -> None:
        self._settings = settings
        self._ack_timeout = ack_timeout
        self._producer: KafkaProducer | None = None
        self._in_flight: list[tuple[KafkaRecord, FutureRecordMetadata, Timestamp, BoundedWindow]] = []
        self.published = Metrics.counter(STAGE, "published")

    def setup(self) -> None:
        self._producer = KafkaProducer(**self._settings.producer_config())

    def teardown(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=10)

    def start_bundle(self) -> None:
        self._in_flight = []

    def process(
        self,
        record: KafkaRecord,
        timestamp: Any = beam.DoFn.TimestampParam,  # Beam fills these; Any because the default is a marker
        window: Any = beam.DoFn.WindowParam,
    ) -> None:
        assert self._producer is not None
        future = self._producer.send(
            record.topic, key=record.key, value=record.value, headers=list(record.headers)
        )
        self._in_flight.append((record, future, timestamp, window))

    def finish_bundle(self) -> Iterator[WindowedValue]:
        assert self._producer is not None
        if not self._in_flight:
            return
        self._producer.flush(timeout=self._ack_timeout)
        failures: list[str] = []
        acked: list[WindowedValue] = []
        for record, future, timestamp, window in self._in_flight:
            try:
                future.get(timeout=self._ack_timeout)
            except Exception as error:  # KafkaError or a timeout: either way, not acknowledged
                failures.append(f"{record.topic}/{record.key!r}: {type(error).__name__}: {error}")
                continue
            self.published.inc()
            key = (record.key or b"").decode("utf-8", "replace")
            acked.append(WindowedValue((record.topic, key), timestamp, (window,)))
        self._in_flight = []
        if failures:
            log.error("%d message(s) not acknowledged; failing the bundle so it is retried", len(failures))
            raise PublishFailed(f"{len(failures)} message(s) not acknowledged, first: {failures[0]}")
        yield from acked


class PublishToKafka(beam.PTransform):
    """Kafka records → ``(topic, key)`` of every acknowledged message."""

    def __init__(self, settings: KafkaSettings, *, ack_timeout: float = 120.0) -> None:
        super().__init__()
        self._settings = settings
        self._ack_timeout = ack_timeout

    def expand(self, records: beam.PCollection[KafkaRecord]) -> beam.PCollection[tuple[str, str]]:
        return records | "Send" >> beam.ParDo(_PublishFn(self._settings, self._ack_timeout))
