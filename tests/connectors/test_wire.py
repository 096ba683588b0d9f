"""The wire format: records → Kafka records and back, the shipped schemas, forward compatibility."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from connectors.kafka_topics import TopicNames
from connectors.wire import (
    SCHEMA_VERSION,
    WireError,
    article_from_bytes,
    article_from_dict,
    article_records,
    article_to_dict,
    load_schema,
)
from transforms.records import Article, Entities, Evidence, Regulation

WIRE = Path(__file__).resolve().parents[1] / "fixtures" / "wire"


def _load(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((WIRE / name).read_text(encoding="utf-8"))
    return loaded


def _article(**changes: Any) -> Article:
    values: dict[str, Any] = {
        "article_id": "00112233445566aa",
        "url": "https://news.example/a",
        "feed": "example",
        "title": "Ministério publica regras",
        "text": "O banco central publicou regras para prestadores de serviços de ativos virtuais.",
        "text_source": "page",
        "authors": ("Ana",),
        "published": "2025-01-02T03:04:05Z",
        "language": "pt",
        "seen_at": "2025-01-02T03:05:00.000Z",
        "tags": ("cripto",),
        "version": 3,
        "fingerprint": "0123456789abcdef",
        "regulation": Regulation(
            flagged=True,
            score=0.875,
            categories=("licensing_compliance",),
            jurisdictions=("BR",),
            entities=Entities(regulators=("Banco Central do Brasil",), companies=("Binance",), people=()),
            evidence=(
                Evidence(sentence="O banco central publicou regras", start=27, end=58, signals=("regras",)),
            ),
        ),
    }
    values.update(changes)
    return Article(**values)


def test_article_round_trips_through_the_wire() -> None:
    article = _article()
    assert article_from_dict(article_to_dict(article)) == article
    unflagged = _article(regulation=None, fetch_error="http_status: 404", text_source="feed")
    assert article_from_dict(article_to_dict(unflagged)) == unflagged


def test_records_carry_the_contract_headers() -> None:
    records = article_records(_article(), TopicNames("news"))
    assert [r.topic for r in records] == ["news.articles", "news.regulation"]
    headers = dict(records[0].headers)
    assert headers == {
        "content-type": b"application/json",
        "schema-version": str(SCHEMA_VERSION).encode(),
        "newsbeam-version": headers["newsbeam-version"],
        "record-type": b"article",
        "language": b"pt",
        "flagged": b"true",
        "feed": b"example",
    }
    assert headers["newsbeam-version"]
    assert records[0].key == b"00112233445566aa"
    value = json.loads(records[0].value)
    assert value["title"] == "Ministério publica regras"  # UTF-8 on the wire, not \u escapes
    assert "Ministério".encode() in records[0].value
    unflagged = article_records(_article(regulation=None), TopicNames("news"))
    assert [r.topic for r in unflagged] == ["news.articles"]
    assert dict(unflagged[0].headers)["flagged"] == b"false"


def test_produced_articles_validate_against_the_shipped_schema() -> None:
    validator = jsonschema.Draft202012Validator(load_schema("article"))
    for article in (_article(), _article(regulation=None, language=None, published=None)):
        errors = list(validator.iter_errors(article_to_dict(article)))
        assert not errors, errors[0].message


@pytest.mark.parametrize("fixture", ["article.v1.json", "article.later.json"])
def test_a_version_1_reader_reads_version_1_and_later_messages(fixture: str) -> None:
    expected = _load("article.later.expected.json")
    raw = (WIRE / fixture).read_bytes()
    article = article_from_bytes(raw)
    assert article.regulation is not None
    seen = {
        "article_id": article.article_id,
        "version": article.version,
        "title": article.title,
        "language": article.language,
        "flagged": article.regulation.flagged,
        "score": article.regulation.score,
        "categories": list(article.regulation.categories),
        "jurisdictions": list(article.regulation.jurisdictions),
        "regulators": list(article.regulation.entities.regulators),
        "evidence_signals": [list(e.signals) for e in article.regulation.evidence],
    }
    assert seen == {k: v for k, v in expected.items() if not k.startswith("_")}


def test_the_later_fixture_only_adds_fields() -> None:
    v1, later = _load("article.v1.json"), _load("article.later.json")
    added = set(later) - set(v1)
    assert added >= {"summary", "source", "translations"}  # the fixture really is a later shape
    assert set(v1) <= set(later)
    assert all(later[key] == v1[key] for key in v1 if key not in ("schema_version", "regulation"))
    assert set(v1["regulation"]) <= set(later["regulation"])


@pytest.mark.parametrize("fixture", ["article.v1.json", "article.later.json"])
def test_the_v1_schema_accepts_messages_with_extra_fields(fixture: str) -> None:
    validator = jsonschema.Draft202012Validator(load_schema("article"))
    errors = list(validator.iter_errors(_load(fixture)))
    assert not errors, errors[0].message


def test_the_v1_schema_still_rejects_a_broken_message() -> None:
    broken = _load("article.later.json")
    del broken["url"]
    broken["regulation"]["score"] = "high"
    messages = {
        e.message for e in jsonschema.Draft202012Validator(load_schema("article")).iter_errors(broken)
    }
    assert "'url' is a required property" in messages
    assert len(messages) == 2


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"title": "no id"}', "article_id and url"),
    ],
)
def test_what_is_not_an_article_is_a_wire_error(raw: bytes, reason: str) -> None:
    with pytest.raises(WireError, match=reason):
        article_from_bytes(raw)


def _schema_file(name: str) -> dict[str, Any]:
    schemas = Path(__file__).resolve().parents[2] / "connectors" / "schemas"
    loaded: dict[str, Any] = json.loads((schemas / name).read_text(encoding="utf-8"))
    return loaded


def test_a_backfilled_article_validates_against_v2_and_a_v1_reader_reads_it() -> None:
    from dataclasses import replace

    value = article_to_dict(replace(_article(), text_source="archive", feed="archive"))
    assert value["schema_version"] == 2
    assert not list(jsonschema.Draft202012Validator(load_schema("article")).iter_errors(value))
    # a strict v1 validator rejects the new enum value, and only that (COMPATIBILITY.md)
    v1_errors = [
        e.message for e in jsonschema.Draft202012Validator(_schema_file("article.v1.json")).iter_errors(value)
    ]
    assert len(v1_errors) == 1 and "'archive' is not one of" in v1_errors[0]
    assert article_from_bytes(json.dumps(value).encode()).text_source == "archive"
    # a live article still validates against both
    live = article_to_dict(_article())
    assert not list(jsonschema.Draft202012Validator(_schema_file("article.v1.json")).iter_errors(live))


def test_archive_progress_reports_validate_against_the_ops_schema() -> None:
    from connectors.wire import archive_progress_record
    from transforms.records import ArchiveProgress

    progress = ArchiveProgress(
        job="news-1234abcd", file="s3://bucket/CC-NEWS-1.warc.gz", at="2024-10-15T12:00:00.000Z",
        bytes_read=1000, records=3, pages=1, skipped=2, dead=0, part_done=True, part=(0, 1000),
    )  # fmt: skip
    record = archive_progress_record(progress, TopicNames("news"))
    value = json.loads(record.value)
    assert record.topic == "news.ops" and record.key == b"news-1234abcd"
    assert value["event"] == "archive_progress" and value["part"] == [0, 1000]
    assert not list(jsonschema.Draft202012Validator(load_schema("ops")).iter_errors(value))
    broken = {**value, "records": -1}
    assert list(jsonschema.Draft202012Validator(load_schema("ops")).iter_errors(broken))
