"""Backward compatibility through a real broker: a consumer written against schema version 1
(``iter_articles``) reads a version-1 message and a version-2-shaped one (additive fields) from a topic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kafka import KafkaProducer

from connectors.kafka_consume import iter_articles
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics

pytestmark = pytest.mark.integration

WIRE = Path(__file__).resolve().parents[1] / "fixtures" / "wire"


def test_version_1_consumer_reads_version_1_and_later_messages(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics, partitions=1))
    v1, later = (WIRE / "article.v1.json").read_bytes(), (WIRE / "article.later.json").read_bytes()
    producer = KafkaProducer(**kafka_settings.producer_config())
    try:
        for raw, version in ((v1, b"1"), (later, b"3"), (b"garbage that is not JSON", b"1")):
            producer.send(
                topics.articles, key=b"3f2a9c0d1e4b5a67", value=raw, headers=[("schema-version", version)]
            )
        producer.flush(timeout=30)
    finally:
        producer.close()

    articles = list(iter_articles(kafka_settings, topics.articles, None, start="beginning", timeout=3.0))

    assert len(articles) == 2  # the garbage is skipped with a warning, not a crash
    expected = {
        k: v for k, v in json.loads((WIRE / "article.later.expected.json").read_text()).items() if k[0] != "_"
    }
    for article in articles:
        assert article.regulation is not None
        assert (article.article_id, article.version, article.title) == (
            expected["article_id"],
            expected["version"],
            expected["title"],
        )
        assert list(article.regulation.jurisdictions) == expected["jurisdictions"]
    assert articles[0] == articles[1]  # the additions of version 2 change nothing a version-1 reader sees
