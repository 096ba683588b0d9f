"""PublishToKafka against the real broker: acknowledged messages out, rejected ones dead-lettered with
the error (never dropped), and a clear failure when there is nowhere to put them."""

from __future__ import annotations

import base64
import os
from dataclasses import replace

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.kafka_publish import PublishToKafka
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, TopicSpec, default_specs, ensure_topics
from connectors.wire import KafkaRecord, headers_for
from tests.integration.helpers import assert_valid, topic_messages

pytestmark = pytest.mark.integration

LIMIT = 4096  # the articles topic's max.message.bytes in these tests


def _incompressible(size: int) -> bytes:
    return base64.b64encode(os.urandom(size))[:size]


def _topics(settings: KafkaSettings, prefix: str) -> TopicNames:
    topics = TopicNames(prefix)
    specs = default_specs(topics, partitions=1)
    specs[topics.articles] = TopicSpec(partitions=1, configs={"max.message.bytes": str(LIMIT)})
    ensure_topics(settings, specs)
    return topics


def test_a_rejected_message_is_dead_lettered_and_its_batch_mates_are_published(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    settings = replace(kafka_settings, compression_type=None, max_request_size=64 * 1024)
    topics = _topics(settings, topic_prefix)
    small = [
        KafkaRecord(
            topics.articles, f"small-{n}".encode(), b'{"n": %d}' % n, headers_for("article", feed="f")
        )
        for n in range(10)
    ]
    # too big for the topic (the broker says no), and too big for the client (send() says no)
    for_broker = KafkaRecord(
        topics.articles, b"big-broker", _incompressible(3 * LIMIT), headers_for("article", feed="f")
    )
    for_client = KafkaRecord(
        topics.articles, b"big-client", _incompressible(80 * 1024), headers_for("article")
    )
    records = [*small[:5], for_broker, *small[5:], for_client]

    with TestPipeline(runner="FnApiRunner") as pipeline:
        acked = (
            pipeline | beam.Create(records) | PublishToKafka(settings, dead_letter_topic=topics.deadletter)
        )
        assert_that(
            acked,
            equal_to(
                [(topics.articles, f"small-{n}") for n in range(10)]
                + [(topics.deadletter, "big-broker"), (topics.deadletter, "big-client")]
            ),
        )

    articles = topic_messages(settings, topics.articles)
    assert sorted(m.key or "" for m in articles) == sorted(f"small-{n}" for n in range(10))
    letters = topic_messages(settings, topics.deadletter)
    assert_valid(topics.deadletter, letters)
    by_key = {m.key: m.value for m in letters if m.value is not None}
    assert set(by_key) == {"big-broker", "big-client"}
    for key, size in (("big-broker", 3 * LIMIT), ("big-client", 80 * 1024)):
        letter = by_key[key]
        assert (letter["stage"], letter["reason"]) == ("PublishToKafka", "publish_rejected")
        assert letter["error_class"] == "MessageSizeTooLargeError"
        assert letter["input"]["topic"] == topics.articles
        assert letter["input"]["bytes"] == size
    assert by_key["big-broker"]["feed"] == "f"


def test_without_a_dead_letter_topic_a_rejection_fails_the_bundle(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    settings = replace(kafka_settings, compression_type=None)
    topics = _topics(settings, topic_prefix)
    big = KafkaRecord(topics.articles, b"big", _incompressible(3 * LIMIT))
    with pytest.raises(Exception, match=r"rejected and no dead-letter topic.*MessageSizeTooLargeError"):  # noqa: SIM117
        with TestPipeline(runner="FnApiRunner") as pipeline:
            _ = pipeline | beam.Create([big]) | PublishToKafka(settings)


def test_publishing_branches_separately_acknowledges_all_of_them(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics, partitions=1))
    with TestPipeline(runner="FnApiRunner") as pipeline:
        articles = pipeline | "Articles" >> beam.Create([KafkaRecord(topics.articles, b"a", b"{}")])
        ops = pipeline | "Ops" >> beam.Create([KafkaRecord(topics.ops, b"o", b"{}")])
        acked = (articles, ops) | PublishToKafka(kafka_settings, dead_letter_topic=topics.deadletter)
        assert_that(acked, equal_to([(topics.articles, "a"), (topics.ops, "o")]))
