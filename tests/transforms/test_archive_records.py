"""Which archive records a backfill keeps, skips or rejects, and the page a kept one becomes; the captures
step (one article per id, the latest) and an archived page's article."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from transforms.archive_records import (
    ArchiveFilter,
    ArchiveRecord,
    BinaryPayload,
    capture_of,
    judge_record,
    looks_binary,
    page_of_record,
    parse_warc_date,
)
from transforms.captures import fingerprinted, latest_capture
from transforms.extraction import build_article
from transforms.extraction_fields import PageFields
from transforms.ids import article_id
from transforms.records import ArchivedAt

RESPONSE = ArchiveRecord(
    file="CC-NEWS-1.warc.gz",
    offset=1234,
    record_type="response",
    target_uri="https://br.cointelegraph.com/news/regras?utm_source=x",
    warc_date="2024-10-15T12:03:10Z",
    http_status=200,
    content_type="text/html; charset=utf-8",
    length=50_000,
)


@pytest.mark.parametrize(
    ("changes", "action", "reason"),
    [
        ({}, "keep", ""),
        ({"content_type": "application/xhtml+xml"}, "keep", ""),
        ({"record_type": "request"}, "skip", "not_response"),
        ({"record_type": "revisit"}, "skip", "not_response"),
        ({"http_status": 404}, "skip", "http_status"),
        ({"http_status": 301}, "skip", "http_status"),
        ({"http_status": None}, "skip", "not_http"),
        ({"content_type": "image/jpeg"}, "skip", "not_html"),
        ({"content_type": None}, "skip", "not_html"),
        ({"length": 30 * 1024 * 1024}, "reject", "too_large"),
        ({"target_uri": None}, "reject", "malformed"),
        ({"warc_date": "yesterday"}, "reject", "malformed"),
    ],
)
def test_judge_record(changes: dict[str, object], action: str, reason: str) -> None:
    verdict = judge_record(replace(RESPONSE, **changes), ArchiveFilter())  # type: ignore[arg-type]
    assert (verdict.action, verdict.reason) == (action, reason)


def test_filters_by_domain_and_window() -> None:
    wanted = ArchiveFilter(
        domains=("Cointelegraph.com",),
        since=dt.datetime(2024, 10, 15, tzinfo=dt.UTC),
        until=dt.datetime(2024, 10, 16, tzinfo=dt.UTC),
    )
    assert judge_record(RESPONSE, wanted).action == "keep"  # a subdomain of a wanted domain
    assert (
        judge_record(replace(RESPONSE, target_uri="https://notcointelegraph.com/a"), wanted).reason
        == "domain"
    )
    assert judge_record(replace(RESPONSE, warc_date="2024-10-16T00:00:00Z"), wanted).reason == "date"
    assert judge_record(replace(RESPONSE, warc_date="2024-10-14T23:59:59Z"), wanted).reason == "date"
    with pytest.raises(ValueError, match="--since must be before --until"):
        ArchiveFilter(since=wanted.until, until=wanted.since)


def test_a_kept_record_becomes_the_page_a_feed_entry_of_the_same_url_would_have() -> None:
    page = page_of_record(RESPONSE, b"<html><body><p>text</p></body></html>")
    entry = page.entry
    assert entry.url == "https://br.cointelegraph.com/news/regras"
    assert entry.article_id == article_id("https://br.cointelegraph.com/news/regras")
    assert entry.seen_at == "2024-10-15T12:03:10.000Z"
    assert page.archived is not None and (page.archived.file, page.archived.offset) == (
        "CC-NEWS-1.warc.gz",
        1234,
    )
    assert page.final_url == RESPONSE.target_uri and page.content_type == RESPONSE.content_type
    with pytest.raises(BinaryPayload):
        page_of_record(RESPONSE, b"\xff\xd8\xff\xe0JFIF" + bytes(100))


def test_an_archived_pages_article_says_archive() -> None:
    page = page_of_record(RESPONSE, b"<html></html>")
    fields = PageFields(
        text="A long enough article text. " * 10,
        title="Regras",
        author=None,
        date="2024-10-15",
        language="pt",
    )
    article = build_article(page, fields)
    assert article.text_source == "archive" and article.fetch_error is None
    assert article.title == "Regras" and article.published == "2024-10-15"
    assert article.seen_at == "2024-10-15T12:03:10.000Z" and article.feed == "archive"


def test_the_latest_capture_wins_and_an_article_gets_its_fingerprint() -> None:
    early = ArchivedAt(file="b.warc.gz", offset=10, warc_date="2024-10-15T12:00:00.000Z")
    late = ArchivedAt(file="a.warc.gz", offset=99, warc_date="2024-10-20T00:00:00.000Z")
    assert latest_capture([early, late]) == late == latest_capture([late, early])
    key, where = capture_of(RESPONSE)
    assert key == article_id("https://br.cointelegraph.com/news/regras")
    assert where == ArchivedAt(file="CC-NEWS-1.warc.gz", offset=1234, warc_date="2024-10-15T12:03:10.000Z")
    page = page_of_record(RESPONSE, b"<html></html>")
    fields = PageFields(
        text="A long enough article text. " * 10, title="Regras", author=None, date=None, language="pt"
    )
    article = fingerprinted(build_article(page, fields))
    changed = fingerprinted(replace(article, text=article.text + " Updated."))
    assert article.fingerprint and changed.fingerprint != article.fingerprint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-10-15T12:03:10Z", dt.datetime(2024, 10, 15, 12, 3, 10, tzinfo=dt.UTC)),
        ("2024-10-15T12:03:10.123456Z", dt.datetime(2024, 10, 15, 12, 3, 10, 123456, tzinfo=dt.UTC)),
        ("20241015120310", dt.datetime(2024, 10, 15, 12, 3, 10, tzinfo=dt.UTC)),  # ARC
        ("2024-10-15", dt.datetime(2024, 10, 15, tzinfo=dt.UTC)),
        ("", None),
        ("soon", None),
    ],
)
def test_parse_warc_date(value: str, expected: dt.datetime | None) -> None:
    assert parse_warc_date(value) == expected


def test_looks_binary() -> None:
    assert looks_binary(b"%PDF-1.7 ...") and looks_binary(b"<html>\x00\x00")
    assert not looks_binary("<html>ü</html>".encode("utf-16"))  # BOM first: UTF-16 markup
    assert not looks_binary(b"<!DOCTYPE html><html></html>")
