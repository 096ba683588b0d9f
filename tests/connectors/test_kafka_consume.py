"""The consumer API: typed articles with filters, commits after the caller handled each, --since."""

from __future__ import annotations

import time

import pytest
from kafka import KafkaProducer

from connectors.kafka_consume import ArticleFilter, consume, iter_articles, parse_duration, since
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from connectors.wire import article_records
from transforms.records import Article, Regulation


def _article(n: int, *, language: str = "en", flagged: bool = False, categories: tuple[str, ...] = (),
             jurisdictions: tuple[str, ...] = ()) -> Article:  # fmt: skip
    return Article(
        article_id=f"{n:016x}",
        url=f"https://news.example/{n}",
        feed="example",
        title=f"Story {n}",
        text="Text.",
        text_source="feed",
        authors=(),
        published=None,
        language=language,
        seen_at="2025-01-01T00:00:00.000Z",
        regulation=Regulation(
            flagged=flagged, score=0.9 if flagged else 0.1, categories=categories, jurisdictions=jurisdictions
        ),
    )


ARTICLES = [
    _article(1, language="pt", flagged=True, categories=("licensing_compliance",), jurisdictions=("BR",)),
    _article(2, language="en", flagged=True, categories=("enforcement",), jurisdictions=("US",)),
    _article(3, language="en"),
    _article(
        4, language="es", flagged=True, categories=("enforcement", "aml_sanctions"), jurisdictions=("MX",)
    ),
    _article(5, language="pt"),
]


@pytest.mark.parametrize(
    ("wanted", "ids"),
    [
        (ArticleFilter(), [1, 2, 3, 4, 5]),
        (ArticleFilter.of(flagged_only=True), [1, 2, 4]),
        (ArticleFilter.of(languages=["PT"]), [1, 5]),
        (ArticleFilter.of(categories=["enforcement"]), [2, 4]),
        (ArticleFilter.of(jurisdictions=["br", "mx"]), [1, 4]),
        (ArticleFilter.of(flagged_only=True, languages=["en", "es"], categories=["aml_sanctions"]), [4]),
    ],
)
def test_article_filter(wanted: ArticleFilter, ids: list[int]) -> None:
    assert [int(a.article_id, 16) for a in ARTICLES if wanted.matches(a)] == ids


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "soon", "5 minutes", "-3m", "2y"])
def test_parse_duration_rejects_nonsense(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def _publish(settings: KafkaSettings, topics: TopicNames, *, timestamp_ms: int | None = None) -> None:
    producer = KafkaProducer(**settings.producer_config())
    try:
        for article in ARTICLES:
            record = article_records(article, topics)[0]
            producer.send(
                record.topic,
                key=record.key,
                value=record.value,
                headers=list(record.headers),
                timestamp_ms=timestamp_ms,
            )
        producer.flush(timeout=30)
    finally:
        producer.close()


@pytest.mark.integration
def test_iter_articles_commits_only_what_the_caller_handled(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics, partitions=1))
    _publish(kafka_settings, topics)
    group = f"{topic_prefix}-reader"

    flagged = iter_articles(kafka_settings, topics.articles, group, flagged_only=True, timeout=2.0)
    first = next(flagged)
    assert first.article_id == f"{1:016x}" and first.regulation is not None and first.regulation.flagged
    handled = [first.article_id]
    with pytest.raises(RuntimeError):
        for article in flagged:  # the caller fails while handling the second one: it is not committed
            raise RuntimeError(f"could not handle {article.article_id}")
    flagged.close()

    again = [
        a.article_id
        for a in iter_articles(kafka_settings, topics.articles, group, flagged_only=True, timeout=2.0)
    ]
    assert again == [f"{2:016x}", f"{4:016x}"]  # resumes at the one that failed, not after it
    assert handled[0] not in again
    assert list(iter_articles(kafka_settings, topics.articles, group, timeout=2.0)) == []  # all committed


@pytest.mark.integration
def test_start_since_reads_only_newer_messages(kafka_settings: KafkaSettings, topic_prefix: str) -> None:
    topics = TopicNames(topic_prefix)
    ensure_topics(kafka_settings, default_specs(topics, partitions=2))
    two_hours_ago = int((time.time() - 7200) * 1000)
    _publish(kafka_settings, topics, timestamp_ms=two_hours_ago)
    _publish(kafka_settings, topics)
    recent = list(consume(kafka_settings, topics.articles, start=since(parse_duration("1h")), timeout=2.0))
    older = list(consume(kafka_settings, topics.articles, start=since(parse_duration("3h")), timeout=2.0))
    assert len(recent) == len(ARTICLES)
    assert all(m.timestamp_ms > two_hours_ago for m in recent)
    assert len(older) == 2 * len(ARTICLES)
