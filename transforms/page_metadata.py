"""The page metadata an article can still need (title, authors, date), and nothing else.

trafilatura's ``extract_metadata`` also works out the site name, categories, tags, licence, description
and image, none of which an article carries; and an article takes its title and date from the feed entry
whenever the entry has them. ``page_metadata`` runs the same trafilatura steps in the same order as
``extract_metadata``, but only those that lead to the fields asked for. Each field therefore comes out as
``extract_metadata`` would give it: tests compare the two over the sample pages and the shared corpus.

Every step only reads the parsed tree (the author search prunes a copy of it), so the same tree can then
go on to the main-text extraction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_meta_json,
    extract_title,
    extract_url,
)
from trafilatura.settings import DEFAULT_CONFIG, Document, set_date_params

from transforms.extraction_fields import Wanted

log = logging.getLogger(__name__)

__all__ = ["PageMetadata", "page_metadata"]


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """The fields found; a field not asked for, or not found, is None."""

    title: str | None = None
    author: str | None = None  # trafilatura's "; "-separated author list
    date: str | None = None  # YYYY-MM-DD


def date_parameters() -> dict[str, Any]:
    """htmldate's settings as trafilatura's default configuration sets them (the latest date: today)."""
    return set_date_params(DEFAULT_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))


def page_metadata(tree: HtmlElement, url: str | None, wanted: Wanted) -> PageMetadata:
    """The ``wanted`` fields of the parsed page ``tree`` (``url``: where it was fetched from)."""
    if not wanted.anything:
        return PageMetadata()
    # meta tags, then JSON-LD over them: where the title, the authors and the canonical URL are declared
    found: Document = examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None  # trafilatura drops a one-word author of the meta tags (a handle, not a name)
    try:
        found = extract_meta_json(tree, found)
    except Exception as error:  # trafilatura guards this call the same way: broken JSON-LD is common
        log.debug("JSON-LD metadata of %s not read: %s", url, error)
    result = Document()
    if wanted.title:
        result.title = found.title or extract_title(tree)
    if wanted.authors:
        result.author = found.author or extract_author(tree)
    if wanted.date:
        # htmldate reads the URL too (dates in paths): the declared canonical one first, as trafilatura does
        result.date = find_date(tree, **{**date_parameters(), "url": found.url or extract_url(tree, url)})
    result.clean_and_trim()  # trafilatura's last step: entities, whitespace and length of every field
    return PageMetadata(title=result.title, author=result.author, date=result.date)
