from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.article_extraction import ExtractArticles
from tests.conftest import SAMPLES
from transforms.extraction import NoText, extract_article
from transforms.records import FeedEntry, Page


def _entry(slug: str, *, summary: str = "", content: str = "") -> FeedEntry:
    return FeedEntry(
        article_id=f"{abs(hash(slug)) % 16**16:016x}",
        feed="sample-en",
        feed_url="http://127.0.0.1:9/en/rss.xml",
        url=f"http://127.0.0.1:9/en/{slug}.html",
        guid=slug,
        title=f"Feed title of {slug}",
        summary=summary,
        content=content,
        published="2026-11-23T08:00:00Z",
        language_hint="en",
        seen_at="2026-11-23T08:05:00Z",
    )


def _page(slug: str, html: str | None, **entry: str) -> Page:
    return Page(
        entry=_entry(slug, **entry),
        final_url=f"http://127.0.0.1:9/en/{slug}.html",
        status=200,
        body=html.encode("utf-8") if html is not None else None,
        content_type="text/html; charset=utf-8",
        error=None if html is not None else "http_status: HTTP 404",
    )


def test_page_text_and_metadata_come_from_trafilatura() -> None:
    html = (SAMPLES / "en" / "sec-custody-rule.html").read_text(encoding="utf-8")
    article = extract_article(_page("sec-custody-rule", html, summary="short summary"))
    assert article.text_source == "page"
    assert "qualified custodians" in article.text
    assert "Home" not in article.text.split("\n")[0]  # navigation is not the article
    assert article.title == "Feed title of sec-custody-rule"  # the feed's own title wins
    assert article.authors == ("Jordan Avery",)
    assert article.published == "2026-11-23T08:00:00Z"
    assert article.fetch_error is None


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [("text/html; charset=windows-1251", ""), ("text/html", '<meta charset="windows-1251">')],
    ids=["charset-in-header", "charset-in-meta"],
)
def test_page_bytes_are_decoded_by_their_declared_charset(content_type: str, meta: str) -> None:
    # pages travel as the bytes that arrived; extraction decodes them (header first, then the document)
    sentence = "Регулятор опубликовал новые правила для бирж цифровых активов в этом году. "
    html = f"<html><head>{meta}<title>Новости</title></head><body><article><p>{sentence * 8}</p></article></body></html>"
    entry = _entry("cp1251")
    page = Page(
        entry=entry, final_url=entry.url, status=200, body=html.encode("cp1251"), content_type=content_type
    )
    article = extract_article(page)
    assert article.text_source == "page"
    assert sentence.strip() in article.text


def test_missing_page_falls_back_to_feed_summary() -> None:
    article = extract_article(_page("gone", None, summary="The regulator suspended the offering."))
    assert article.text_source == "feed"
    assert article.text == "The regulator suspended the offering."
    assert article.fetch_error == "http_status: HTTP 404"


def test_page_without_main_text_falls_back_to_feed_content() -> None:
    html = (SAMPLES / "en" / "broken-page.html").read_text(encoding="utf-8")
    article = extract_article(_page("broken", html, content="Full text carried by the feed itself."))
    assert article.text_source == "feed"
    assert article.text == "Full text carried by the feed itself."


def test_no_text_anywhere_raises() -> None:
    html = (SAMPLES / "en" / "broken-page.html").read_text(encoding="utf-8")
    with pytest.raises(NoText, match="no text"):
        extract_article(_page("broken", html))


def test_composite_separates_articles_and_dead_letters() -> None:
    good = _page("sec", (SAMPLES / "en" / "sec-custody-rule.html").read_text(encoding="utf-8"))
    fallback = _page("gone", None, summary="Summary only.")
    broken = _page("broken", (SAMPLES / "en" / "broken-page.html").read_text(encoding="utf-8"))
    with TestPipeline(runner="FnApiRunner") as p:
        articles, dead = p | beam.Create([good, fallback, broken]) | ExtractArticles()
        assert_that(
            articles | "Sources" >> beam.Map(lambda a: (a.url.rsplit("/", 1)[-1], a.text_source)),
            equal_to([("sec.html", "page"), ("gone.html", "feed")]),
            label="articles",
        )
        assert_that(
            dead
            | "Reasons" >> beam.Map(lambda d: (d.stage, d.reason, d.url.rsplit("/", 1)[-1], d.input["guid"])),
            equal_to([("ExtractArticles", "no_text", "broken.html", "broken")]),
            label="dead letters",
        )
