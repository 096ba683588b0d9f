"""What crosses the boundary of an extraction process, as plain data: the page metadata asked for (``Wanted``)
and the fields found (``PageFields``).

Apart from the trafilatura calls (``page_fields``, ``page_metadata``) so that a process that only hands pages
to extraction processes, or only builds articles from their fields, never imports trafilatura.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EVERY_FIELD", "NO_FIELD", "PageFields", "Wanted"]


@dataclass(frozen=True, slots=True)
class Wanted:
    """Which metadata to look for in a page: what the article's feed entry did not give."""

    title: bool = True
    authors: bool = True
    date: bool = True

    @property
    def anything(self) -> bool:
        return self.title or self.authors or self.date


EVERY_FIELD = Wanted()
NO_FIELD = Wanted(title=False, authors=False, date=False)


@dataclass(frozen=True, slots=True)
class PageFields:
    """What trafilatura found in a page; ``None`` fields were not found."""

    text: str | None
    title: str | None
    author: str | None  # trafilatura's "; "-separated author list
    date: str | None
    language: str | None
