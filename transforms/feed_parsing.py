"""Parse the bytes of a feed into ``FeedEntry`` records (RSS 0.9x/1.0/2.0, Atom; feedparser).

Input: a ``Feed`` and the body and headers its poll returned. Output: a ``ParsedFeed`` with the entries
that have a usable link and, as data, the entries that were rejected and why. A body that is not a feed
at all raises ``InvalidFeed``; the polling stage turns that into a dead letter.
"""

from __future__ import annotations

import calendar
import datetime as dt
import xml.sax
from dataclasses import dataclass, field
from typing import Any

import feedparser
import lxml.html

from transforms.ids import article_id, canonical_url
from transforms.records import Feed, FeedEntry


class InvalidFeed(ValueError):
    """The body is not a feed that feedparser can read."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What one feed body yielded."""

    entries: list[FeedEntry]
    rejected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (reason, raw entry)
    format: str = ""  # feedparser's version string, e.g. "rss20", "atom10"
    warning: str | None = None  # the parser's complaint (bozo) on a feed that still parsed
    malformed: bool = False  # the XML was not well-formed: entries are what the lenient parser recovered
    ttl: float | None = None  # the feed's own <ttl>, in seconds


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment from a feed (summary or content), whitespace folded."""
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return " ".join(fragment.split())
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (ValueError, lxml.etree.ParserError):
        return " ".join(fragment.split())
    for bad in root.xpath("//script|//style"):
        bad.drop_tree()
    return " ".join(root.text_content().split())


def _iso(parsed: Any) -> str | None:
    # feedparser's *_parsed values are UTC struct_times whatever the feed's timezone was
    if not parsed:
        return None
    try:
        stamp = calendar.timegm(parsed)
    except (TypeError, ValueError, OverflowError):
        return None
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat().replace("+00:00", "Z")


def parse_feed(
    feed: Feed,
    body: bytes,
    *,
    content_type: str | None = None,
    final_url: str | None = None,
    seen_at: str = "",
) -> ParsedFeed:
    """Parse ``body`` as ``feed``; relative links resolve against the URL the body came from."""
    headers = {"content-location": final_url or feed.url}
    if content_type:
        headers["content-type"] = content_type
    result = feedparser.parse(body, response_headers=headers, resolve_relative_uris=True, sanitize_html=True)
    if not result.get("version") and not result.entries:
        problem = result.get("bozo_exception")
        raise InvalidFeed(f"not a feed: {problem or 'no feed elements found'}")
    base = final_url or feed.url
    declared = feed.language or result.feed.get("language") or ""
    language = declared.replace("_", "-").split("-")[0].lower() or None  # a hint: the primary subtag
    entries: list[FeedEntry] = []
    rejected: list[tuple[str, dict[str, Any]]] = []
    for raw in result.entries:
        link = (raw.get("link") or "").strip()
        guid = (raw.get("id") or "").strip() or None
        if not link and guid and guid.startswith(("http://", "https://")):
            link = guid
        if not link:
            rejected.append(("no_link", {"guid": guid, "title": raw.get("title", "")}))
            continue
        url = canonical_url(link, base)
        if not url.startswith(("http://", "https://")):
            rejected.append(("bad_link", {"guid": guid, "link": link}))
            continue
        contents = raw.get("content") or []
        content_html = max((c.get("value", "") for c in contents), key=len, default="")
        entries.append(
            FeedEntry(
                article_id=article_id(url),
                feed=feed.name,
                feed_url=feed.url,
                url=url,
                guid=guid,
                title=html_to_text(raw.get("title", "")),
                summary=html_to_text(raw.get("summary", "")),
                content=html_to_text(content_html),
                published=_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
                language_hint=language,
                tags=feed.tags,
                seen_at=seen_at,
            )
        )
    warning = None
    problem = result.get("bozo_exception")
    if result.get("bozo"):
        warning = f"{type(problem).__name__}: {problem}"
    # a charset override or a text/plain content type is harmless (FACTS.md); broken XML is not
    malformed = isinstance(problem, xml.sax.SAXException)
    ttl_text = str(result.feed.get("ttl") or "").strip()
    ttl = float(ttl_text) * 60 if ttl_text.isdigit() else None  # RSS <ttl> counts minutes
    return ParsedFeed(
        entries=entries,
        rejected=rejected,
        format=result.get("version") or "",
        warning=warning,
        malformed=malformed,
        ttl=ttl,
    )
