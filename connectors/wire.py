"""The wire format: records → Kafka records (key, JSON value, headers), and back.

Every value is a JSON object with ``schema_version``; the JSON Schema of each topic's values ships in
``connectors/schemas/`` and is documented in ``docs/schema.md``. Fields are only ever added; consumers must
ignore fields they do not know. Version 2 added values to two enumerations (``text_source: archive``, the
ops event ``archive_progress``): connectors/schemas/COMPATIBILITY.md says what that means for v1 readers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from connectors.kafka_topics import TopicNames
from connectors.version import NEWSBEAM_VERSION
from transforms.dead_letters import jsonable
from transforms.records import (
    ArchiveProgress,
    Article,
    DeadLetter,
    Entities,
    Evidence,
    FeedPoll,
    Heartbeat,
    Regulation,
)
from transforms.regulation import regulation_to_dict

SCHEMA_VERSION = 2
PIPELINE_VERSION = NEWSBEAM_VERSION
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
        # restarts compare against it (connectors.published_articles)
        "fingerprint": article.fingerprint or None,
    }


def dead_letter_to_dict(letter: DeadLetter) -> dict[str, Any]:
    """The ``deadletter`` message value."""
    return {"schema_version": SCHEMA_VERSION, **jsonable(letter)}


def poll_to_dict(poll: FeedPoll) -> dict[str, Any]:
    """The ``ops`` message value of a feed poll."""
    return {"schema_version": SCHEMA_VERSION, "event": "feed_poll", **jsonable(poll)}


def headers_for(kind: str, **extra: str | None) -> tuple[tuple[str, bytes], ...]:
    """The headers of every message: content type, schema and pipeline versions, record type, and
    ``extra`` ones (language, flagged, feed...) when they have a value; consumers can route on them
    without parsing the value."""
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
    headers = headers_for(
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
        headers_for("dead_letter", stage=letter.stage, reason=letter.reason, feed=letter.feed),
    )


def poll_record(poll: FeedPoll, topics: TopicNames) -> KafkaRecord:
    """The ``ops`` record of one feed poll, keyed by feed name."""
    return KafkaRecord(
        topics.ops,
        poll.feed.encode("utf-8"),
        encode(poll_to_dict(poll)),
        headers_for("feed_poll", feed=poll.feed),
    )


def heartbeat_to_dict(heartbeat: Heartbeat) -> dict[str, Any]:
    """The ``ops`` message value of a pipeline heartbeat (counters as an object)."""
    value = jsonable(heartbeat)
    value["counters"] = dict(heartbeat.counters)
    return {"schema_version": SCHEMA_VERSION, "event": "heartbeat", **value}


def heartbeat_record(heartbeat: Heartbeat, topics: TopicNames) -> KafkaRecord:
    """The ``ops`` record of a heartbeat, keyed by job id."""
    return KafkaRecord(
        topics.ops,
        heartbeat.job.encode("utf-8"),
        encode(heartbeat_to_dict(heartbeat)),
        headers_for("heartbeat"),
    )


def archive_progress_to_dict(progress: ArchiveProgress) -> dict[str, Any]:
    """The ``ops`` message value of a backfill's progress report (the part as ``[start, end]``)."""
    return {"schema_version": SCHEMA_VERSION, "event": "archive_progress", **jsonable(progress)}


def archive_progress_record(progress: ArchiveProgress, topics: TopicNames) -> KafkaRecord:
    """The ``ops`` record of a backfill's progress report, keyed by job id."""
    return KafkaRecord(
        topics.ops,
        progress.job.encode("utf-8"),
        encode(archive_progress_to_dict(progress)),
        headers_for("archive_progress"),
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


class WireError(ValueError):
    """A message value that is not an article this reader can use (not JSON, or no id and URL)."""


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _regulation_from_dict(value: Any) -> Regulation | None:
    if not isinstance(value, dict):
        return None
    found = value.get("entities")
    entities: dict[str, Any] = found if isinstance(found, dict) else {}
    evidence = [item for item in value.get("evidence") or [] if isinstance(item, dict)]
    return Regulation(
        flagged=bool(value.get("flagged", False)),
        score=float(value.get("score") or 0.0),
        categories=_strings(value.get("categories")),
        jurisdictions=_strings(value.get("jurisdictions")),
        entities=Entities(
            regulators=_strings(entities.get("regulators")),
            companies=_strings(entities.get("companies")),
            people=_strings(entities.get("people")),
        ),
        evidence=tuple(
            Evidence(
                sentence=str(item.get("sentence", "")),
                start=int(item.get("start") or 0),
                end=int(item.get("end") or 0),
                signals=_strings(item.get("signals")),
            )
            for item in evidence
        ),
    )


def article_from_dict(value: dict[str, Any]) -> Article:
    """An ``articles``/``regulation`` message value → ``Article``, for consumers.

    Written against schema version 1 and forward compatible: fields it does not know (added by later
    versions) are ignored, and optional fields that are missing get their defaults. Raises ``WireError``
    when the value has no ``article_id`` or ``url``.
    """
    article_id, url = value.get("article_id"), value.get("url")
    if not isinstance(article_id, str) or not isinstance(url, str):
        raise WireError("not an article: article_id and url must be strings")
    return Article(
        article_id=article_id,
        url=url,
        feed=str(value.get("feed") or ""),
        title=str(value.get("title") or ""),
        text=str(value.get("text") or ""),
        text_source=str(value.get("text_source") or "feed"),
        authors=_strings(value.get("authors")),
        published=value.get("published") if isinstance(value.get("published"), str) else None,
        language=value.get("language") if isinstance(value.get("language"), str) else None,
        seen_at=str(value.get("seen_at") or ""),
        tags=_strings(value.get("tags")),
        version=int(value.get("version") or 1),
        fetch_error=value.get("fetch_error") if isinstance(value.get("fetch_error"), str) else None,
        regulation=_regulation_from_dict(value.get("regulation")),
        fingerprint=str(value.get("fingerprint") or ""),
    )


def article_from_bytes(raw: bytes) -> Article:
    """A raw message value → ``Article``; ``WireError`` when it is not a JSON article."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise WireError(f"not JSON: {error}") from error
    if not isinstance(value, dict):
        raise WireError("not a JSON object")
    return article_from_dict(value)
