"""A page is asked only for the metadata its feed entry lacks; each field is still what trafilatura finds,
and every article is as complete as one built from trafilatura's full metadata."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import trafilatura

import transforms.page_metadata as page_metadata_module
from tests.conftest import SAMPLES
from tests.eval.extraction_pages import bare_entry, with_full_metadata
from transforms.extraction import NoText, build_article, extract_article, metadata_wanted
from transforms.extraction_fields import EVERY_FIELD, NO_FIELD, Wanted
from transforms.feed_parsing import parse_feed
from transforms.page_encoding import decode_html
from transforms.page_fields import MAIN_TEXT_OPTIONS, extract_fields
from transforms.records import Article, Feed, FeedEntry, Page

PAGES = sorted(SAMPLES.glob("*/*.html"))
ONE_FIELD = [Wanted(True, False, False), Wanted(False, True, False), Wanted(False, False, True)]
CONTENT_TYPE = "text/html; charset=utf-8"


def _url(path: Path) -> str:
    return f"http://127.0.0.1:9/{path.parent.name}/{path.name}"  # the sample feeds' links


def _sample_entries() -> dict[str, FeedEntry]:
    """The sample feeds' own entries, by URL."""
    entries: dict[str, FeedEntry] = {}
    for path in sorted(SAMPLES.glob("*/*")):
        if path.suffix in (".xml", ".atom"):
            feed = Feed(name=path.parent.name, url=_url(path))
            entries.update((e.url, e) for e in parse_feed(feed, path.read_bytes()).entries)
    return entries


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_each_wanted_field_is_the_one_trafilatura_finds(path: Path) -> None:
    html = decode_html(path.read_bytes(), CONTENT_TYPE)
    text = with_full_metadata(html, _url(path), MAIN_TEXT_OPTIONS)
    reference = trafilatura.extract_metadata(html, default_url=_url(path))
    for wanted in (EVERY_FIELD, NO_FIELD, *ONE_FIELD):
        fields = extract_fields(html, _url(path), wanted)
        if text is None:
            assert fields is None, wanted
            continue
        assert fields is not None, wanted
        assert fields.text == text.text, wanted
        assert fields.title == (reference.title if wanted.title else None), wanted
        assert fields.author == (reference.author if wanted.authors else None), wanted
        assert fields.date == (reference.date if wanted.date else None), wanted


def _article(build: Callable[[], Article]) -> Article | str:
    try:
        return build()
    except NoText as error:
        return f"NoText: {error}"


@pytest.mark.parametrize("path", PAGES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_articles_are_as_complete_as_with_every_metadata_field(path: Path) -> None:
    url = _url(path)
    from_feed = _sample_entries().get(url)
    entries = [bare_entry(url)] + ([from_feed] if from_feed else [])
    outcomes = []
    for entry in entries:
        page = Page(entry, url, 200, path.read_bytes(), CONTENT_TYPE)
        full = with_full_metadata(decode_html(page.body or b"", CONTENT_TYPE), url, MAIN_TEXT_OPTIONS)
        outcomes.append(_article(lambda page=page: extract_article(page)))
        assert outcomes[-1] == _article(lambda page=page, full=full: build_article(page, full))
    # every sample page but the broken one makes an article from a bare entry, so the fields were compared
    assert isinstance(outcomes[0], Article) == (path.stem != "broken-page")


def test_a_bare_entry_takes_title_authors_and_date_from_the_page() -> None:
    path = SAMPLES / "en" / "sec-custody-rule.html"
    article = extract_article(Page(bare_entry(_url(path)), _url(path), 200, path.read_bytes(), CONTENT_TYPE))
    assert article.title == "SEC adopts custody rule for crypto trading platforms"
    assert article.authors == ("Jordan Avery",)
    assert article.published == "2026-11-23"


def test_the_page_is_asked_only_for_what_the_entry_lacks() -> None:
    entry = bare_entry("https://news.example/a")
    assert metadata_wanted(entry) == EVERY_FIELD
    dated = replace(entry, title="Title", published="2026-11-23T08:00:00Z")
    assert metadata_wanted(dated) == Wanted(title=False, authors=True, date=False)
    assert metadata_wanted(replace(dated, authors=("Jordan Avery",))) == NO_FIELD


def test_the_feed_byline_is_the_article_author_and_the_page_fills_the_gap() -> None:
    entries = _sample_entries()
    for url, entry in entries.items():
        path = SAMPLES / url.rsplit("/", 2)[-2] / url.rsplit("/", 1)[-1]
        if not path.exists() or path.stem == "broken-page":
            continue
        page = Page(entry, url, 200, path.read_bytes(), CONTENT_TYPE)
        from_page = extract_article(Page(bare_entry(url), url, 200, path.read_bytes(), CONTENT_TYPE))
        article = extract_article(page)
        assert from_page.authors, url  # every sample page names its author
        # no field that the page filled goes missing when the feed's byline spares the author search
        assert article.authors == (entry.authors or from_page.authors), url
        assert article.authors == from_page.authors, url  # the sample's feeds and pages name the same people


@pytest.mark.parametrize(
    ("wanted", "calls"),
    [
        (NO_FIELD, {}),
        (Wanted(title=True, authors=False, date=False), {"examine_meta": 1}),
        (EVERY_FIELD, {"examine_meta": 1, "extract_author": 1, "find_date": 1}),
    ],
    ids=["nothing", "title", "everything"],
)
def test_metadata_not_wanted_is_not_looked_for(
    monkeypatch: pytest.MonkeyPatch, wanted: Wanted, calls: dict[str, int]
) -> None:
    # a page whose meta tags name no author: the author search through the page runs only when wanted
    html = (
        "<html><head><title>Rates held</title></head><body><article><h1>Rates held</h1>"
        "<p class='byline'>By Dana Whitfield</p>"
        "<p>" + "The central bank held its policy rate for a third meeting in a row. " * 6 + "</p>"
        "</article></body></html>"
    )
    made: dict[str, int] = {}

    def counting(name: str) -> Any:
        real = getattr(page_metadata_module, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            made[name] = made.get(name, 0) + 1
            return real(*args, **kwargs)

        return call

    for name in ("examine_meta", "extract_author", "find_date"):
        monkeypatch.setattr(page_metadata_module, name, counting(name))
    fields = extract_fields(html, "https://news.example/2026/11/23/rates-held.html", wanted)
    assert fields is not None and "policy rate" in (fields.text or "")
    assert made == calls
    assert (fields.author is not None) == wanted.authors
    assert (fields.date is not None) == wanted.date
