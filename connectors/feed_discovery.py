"""Feed discovery: the feeds a web page advertises, for ``newsbeam feeds discover URL``.

The page is fetched through the guarded ``HttpClient`` (SSRF guard on every hop, size cap, budget);
its ``<link rel="alternate">`` elements of an RSS, Atom or JSON Feed type are the answer, resolved
against the page's URL (or its ``<base href>``). A URL that is itself a feed is reported as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html

from connectors.http import HttpClient
from transforms.feed_parsing import InvalidFeed, parse_feed
from transforms.page_encoding import decode_html
from transforms.records import Feed

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
    "application/rdf+xml": "rss",
}


@dataclass(frozen=True, slots=True)
class FoundFeed:
    """A feed a page advertises."""

    url: str
    kind: str  # "rss", "atom" or "json"
    title: str = ""


def find_feed_links(html: str, base_url: str) -> list[FoundFeed]:
    """The ``<link rel="alternate">`` feeds of ``html``, absolute, each once, in document order."""
    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    base = next((b.get("href") for b in root.iter("base") if b.get("href")), None)
    base_url = urljoin(base_url, base) if base else base_url
    found: list[FoundFeed] = []
    seen: set[str] = set()
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        href = (link.get("href") or "").strip()
        if "alternate" not in rels or kind is None or not href:
            continue
        url = urljoin(base_url, href)
        if url.startswith(("http://", "https://")) and url not in seen:
            seen.add(url)
            found.append(FoundFeed(url, kind, " ".join((link.get("title") or "").split())))
    return found


def discover(client: HttpClient, url: str) -> list[FoundFeed]:
    """Fetch ``url``; the feeds it advertises, or itself when it is a feed. Raises ``FetchError``."""
    response = client.get(url, max_bytes=client.settings.max_page_bytes)
    content_type = response.headers.get("content-type", "")
    if "html" not in content_type.lower():
        try:
            parsed = parse_feed(
                Feed(name="discovered", url=response.url), response.body, content_type=content_type
            )
        except InvalidFeed:
            parsed = None
        if parsed is not None:
            kind = (
                "json" if parsed.format.startswith("json") else "atom" if "atom" in parsed.format else "rss"
            )
            return [FoundFeed(response.url, kind, parsed.title)]
    return find_feed_links(decode_html(response.body, content_type or None), response.url)
