"""The one trafilatura call of extraction: decoded HTML → ``PageFields`` (plain data), or None.

Kept apart from transforms/extraction.py so that extraction processes import only this module and
trafilatura, never Beam: what crosses the process boundary is the HTML text and the URL going in, and a
small picklable ``PageFields`` coming back (never trafilatura's own document object).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import trafilatura

# warms lxml's parser and trafilatura's lazily built tables, so the first real page is not the slow one
_WARM_UP_HTML = (
    "<html><body><article><p>"
    + "A sentence that warms up the extractor. " * 20
    + "</p></article></body></html>"
)


@dataclass(frozen=True, slots=True)
class PageFields:
    """What trafilatura found in a page; ``None`` fields were not found."""

    text: str | None
    title: str | None
    author: str | None  # trafilatura's "; "-separated author list
    date: str | None
    language: str | None


def extract_fields(html: str, url: str | None) -> PageFields | None:
    """trafilatura's main text and metadata of ``html``; None when it finds no document at all."""
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        favor_precision=True,  # scored best and cost nothing on the Zyte pages (FACTS.md)
        include_comments=False,
        include_tables=True,
    )
    if doc is None:
        return None
    return PageFields(
        text=getattr(doc, "text", None),
        title=getattr(doc, "title", None),
        author=getattr(doc, "author", None),
        date=getattr(doc, "date", None),
        language=getattr(doc, "language", None),
    )


def extract_fields_timed(html: str, url: str | None) -> tuple[PageFields | None, float]:
    """``extract_fields`` and the seconds it took (in an extraction process: its own CPU-bound time)."""
    started = time.monotonic()
    fields = extract_fields(html, url)
    return fields, time.monotonic() - started


def warm_up() -> None:
    """An extraction process's initializer: import and exercise trafilatura before the first page."""
    extract_fields(_WARM_UP_HTML, None)
