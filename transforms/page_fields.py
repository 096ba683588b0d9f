"""The one trafilatura call of extraction: a page's bytes → text → ``PageFields`` (plain data), or None.

Kept apart from transforms/extraction.py so that extraction processes import only this module and
trafilatura, never Beam: what crosses the process boundary is the page's bytes, Content-Type and URL
going in, and a small picklable ``PageFields`` coming back (never trafilatura's own document object).
Bytes, not text: pickling a decoded page meant encoding it to UTF-8 on one side and decoding it on the
other (~0.3 ms of CPU for a 170 KB page, measured), more than decoding the bytes once where they are used.

Metadata is looked for only as far as it is ``wanted`` (``transforms.page_metadata``): an article takes its
title and date from the feed entry when the entry has them, and never uses the rest of what trafilatura's
own metadata pass finds. The page is parsed once, for both the metadata and the main text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import trafilatura
from lxml.html import HtmlElement

from transforms.extraction_fields import EVERY_FIELD, PageFields, Wanted
from transforms.page_encoding import decode_html
from transforms.page_metadata import PageMetadata, page_metadata

# warms lxml's parser and trafilatura's lazily built tables, so the first real page is not the slow one
_WARM_UP_HTML = (
    "<html><body><article><p>"
    + "A sentence that warms up the extractor. " * 20
    + "</p></article></body></html>"
)


def extract_fields(html: str, url: str | None, wanted: Wanted = EVERY_FIELD) -> PageFields | None:
    """trafilatura's main text of ``html`` and its ``wanted`` metadata; None when it finds no document."""
    if not wanted.anything:
        doc = _main_text(html, url)
        metadata = PageMetadata()
    else:
        tree = trafilatura.load_html(html)
        if tree is None:
            return None
        metadata = page_metadata(tree, url, wanted)
        doc = _main_text(tree, url)  # trafilatura extracts from a copy: the tree is as it was parsed
    if doc is None:
        return None
    return PageFields(
        text=getattr(doc, "text", None),
        title=metadata.title,
        author=metadata.author,
        date=metadata.date,
        language=getattr(doc, "language", None),
    )


# trafilatura's main-text options. With ``fast`` (no second pass through trafilatura's fallback extractors),
# favor_recall kept the extraction F1 floor of ``make eval`` where favor_precision fell below it; every knob's
# speed and F1 on real pages: tests/eval/measure_extraction_knobs.py
MAIN_TEXT_OPTIONS: Mapping[str, Any] = MappingProxyType(
    {"fast": True, "favor_recall": True, "include_comments": False, "include_tables": True}
)


def _main_text(html: str | HtmlElement, url: str | None) -> Any:
    # page_metadata looks for the fields an article needs, and only those
    return trafilatura.bare_extraction(html, url=url, with_metadata=False, **MAIN_TEXT_OPTIONS)


def extract_page_fields(
    body: bytes, content_type: str | None, url: str | None, wanted: Wanted = EVERY_FIELD
) -> PageFields | None:
    """``extract_fields`` of a page's body, decoded as a browser would (``content_type``: its header)."""
    return extract_fields(decode_html(body, content_type), url, wanted)


def extract_page_fields_timed(
    body: bytes, content_type: str | None, url: str | None, wanted: Wanted = EVERY_FIELD
) -> tuple[PageFields | None, float]:
    """``extract_page_fields`` and the seconds it took (in an extraction process: its own CPU-bound time)."""
    started = time.monotonic()
    fields = extract_page_fields(body, content_type, url, wanted)
    return fields, time.monotonic() - started


def warm_up() -> None:
    """An extraction process's initializer: import and exercise trafilatura before the first page."""
    extract_fields(_WARM_UP_HTML, None)
