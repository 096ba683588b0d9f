"""The wire format: records → Kafka records (key, JSON value, headers), and back.

Every value is a JSON object with ``schema_version``; the JSON Schema of each topic's values ships in
``connectors/schemas/`` and is documented in the README. Version 1 rules: fields are only ever added;
consumers must ignore fields they do not know.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from connectors.kafka_topics import TopicNames
from transforms.dead_letters import jsonable
from transforms.records import Article, DeadLetter, FeedPoll
from transforms.regulation import regulation_to_dict

SCHEMA_VERSION = 1
PIPELINE_VERSION = "0.1.0"
CONTENT_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class KafkaRecord:
    """One message ready for the producer."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


def encode(value: dict[str, Any]) -> bytes:
    """Compact UTF-8 JSON (non-ASCII kept as is: most of our text is not English)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def article_to_dict(article: Article) -> dict[str, Any]:
    """The ``articles``/``regulation`` message value of ``article``."""
    return {
        "schema_version": SCHEMA_VERSION,
        "article_id": article.article_id,
        "version": article.version,
        "url": article.url,
        "feed": article.feed,
        "title": article.title,
        "text": article.text,
        "text_source": article.text_source,
        "fetch_error": article.fetch_error,
        "authors": list(article.authors),
        "published": article.published,
        "seen_at": article.seen_at,
        "language": article.language,
        "tags": list(article.tags),
        "regulation": regulation_to_dict(article.regulation) if article.regulation is not None else None,
    }


def dead_letter_to_dict(letter: DeadLetter) -> dict[str, Any]:
    """The ``deadletter`` message value."""
    return {"schema_version": SCHEMA_VERSION, **jsonable(letter)}


def poll_to_dict(poll: FeedPoll) -> dict[str, Any]:
    """The ``ops`` message value of a feed poll."""
    return {"schema_version": SCHEMA_VERSION, "event": "feed_poll", **jsonable(poll)}


def _headers(kind: str, **extra: str | None) -> tuple[tuple[str, bytes], ...]:
    base = {
        "content-type": CONTENT_TYPE,
        "schema-version": str(SCHEMA_VERSION),
        "newsbeam-version": PIPELINE_VERSION,
        "record-type": kind,
    }
    base.update({k: v for k, v in extra.items() if v is not None})
    return tuple((k, v.encode("utf-8")) for k, v in base.items())


def article_records(article: Article, topics: TopicNames) -> list[KafkaRecord]:
    """``articles`` always, ``regulation`` too when the article is flagged; keyed by article id."""
    flagged = article.regulation is not None and article.regulation.flagged
    value = encode(article_to_dict(article))
    headers = _headers(
        "article",
        language=article.language,
        flagged=str(flagged).lower(),
        feed=article.feed,
    )
    key = article.article_id.encode("ascii")
    records = [KafkaRecord(topics.articles, key, value, headers)]
    if flagged:
        records.append(KafkaRecord(topics.regulation, key, value, headers))
    return records


def dead_letter_record(letter: DeadLetter, topics: TopicNames) -> KafkaRecord:
    """The ``deadletter`` record: keyed by article id when known, else by URL or feed."""
    key = letter.key or letter.url or letter.feed
    return KafkaRecord(
        topics.deadletter,
        key.encode("utf-8") if key else None,
        encode(dead_letter_to_dict(letter)),
        _headers("dead_letter", stage=letter.stage, reason=letter.reason, feed=letter.feed),
    )


def poll_record(poll: FeedPoll, topics: TopicNames) -> KafkaRecord:
    """The ``ops`` record of one feed poll, keyed by feed name."""
    return KafkaRecord(
        topics.ops,
        poll.feed.encode("utf-8"),
        encode(poll_to_dict(poll)),
        _headers("feed_poll", feed=poll.feed),
    )


def load_schema(name: str) -> dict[str, Any]:
    """The shipped JSON Schema ``name`` (``article``, ``deadletter`` or ``ops``) of this version."""
    text = resources.files("connectors.schemas").joinpath(f"{name}.v{SCHEMA_VERSION}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


SCHEMA_OF_TOPIC_SUFFIX = {
    "articles": "article",
    "regulation": "article",
    "deadletter": "deadletter",
    "ops": "ops",
}
