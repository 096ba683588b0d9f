"""Fetched ``Page`` → ``Article``: trafilatura's fields of the page, or the feed's own text as fallback.

``extract_article(page)`` is what the ExtractArticles stage (``connectors.article_extraction``) runs for each
page, in its extraction thread or processes; ``build_article`` makes the article from fields extracted
elsewhere. When trafilatura finds no main text (or there is no page), the article is built from the feed
entry's content or summary and says so in ``text_source = "feed"``; with no text anywhere, ``NoText``.
A page read from a web archive (``Page.archived``) says ``text_source = "archive"`` instead of ``"page"``.

The page is asked only for the metadata the entry lacks (``metadata_wanted``): a feed entry's title and
date are the publisher's own and win over the page's, so looking for them in the page is wasted work.
"""

from __future__ import annotations

from transforms.extraction_fields import PageFields, Wanted
from transforms.records import Article, FeedEntry, Page

__all__ = ["MIN_PAGE_TEXT", "NoText", "build_article", "extract_article", "metadata_wanted"]

MIN_PAGE_TEXT = 80  # shorter "main text" is a cookie banner or a teaser, not the article


class NoText(ValueError):
    """Neither the page nor the feed entry carried any text."""


def extract_article(page: Page) -> Article:
    """Build the article for ``page``; raises ``NoText`` when there is nothing to read."""
    if not page.body:
        return build_article(page, None)
    # trafilatura is imported by the first extraction: a launcher whose pages go to extraction processes
    # builds articles from their fields and never needs it (a tenth of a second of its start-up)
    from transforms.page_fields import extract_page_fields

    fields = extract_page_fields(page.body, page.content_type, page.final_url, metadata_wanted(page.entry))
    return build_article(page, fields)


def metadata_wanted(entry: FeedEntry) -> Wanted:
    """What ``build_article`` will take from the page rather than from ``entry``: ask the page for that only."""
    return Wanted(title=not entry.title, authors=not entry.authors, date=not entry.published)


def build_article(page: Page, fields: PageFields | None) -> Article:
    """The article of ``page`` given what trafilatura found in it (``fields``); raises ``NoText``."""
    entry = page.entry
    page_text = ((fields.text if fields else None) or "").strip()
    if len(page_text) >= MIN_PAGE_TEXT:
        text, source = page_text, ("archive" if page.archived is not None else "page")
    else:
        text, source = (entry.content or entry.summary).strip(), "feed"
        if not text:
            why = page.error or ("the page has no extractable text" if page.body else "no page")
            raise NoText(f"no text in the page ({why}) nor in the feed entry")
    # the feed's title, byline and timestamp are the publisher's own; the page's fill the gaps
    title = entry.title or ((fields.title if fields else None) or "")
    authors = entry.authors or tuple(
        a.strip() for a in ((fields.author if fields else None) or "").split(";") if a.strip()
    )
    published = entry.published or (fields.date if fields else None)
    declared = fields.language if fields else None
    return Article(
        article_id=entry.article_id,
        url=entry.url,
        feed=entry.feed,
        title=title,
        text=text,
        text_source=source,
        authors=authors,
        published=published,
        language=(declared or entry.language_hint),
        seen_at=entry.seen_at,
        tags=entry.tags,
        version=entry.version,
        fetch_error=None if source != "feed" else (page.error or "no main text in the page"),
        fingerprint=entry.fingerprint,
    )
