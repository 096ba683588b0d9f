"""Stable identity of an article: the canonical form of its URL, and a short hash of that.

The same story reached through two feeds, with tracking parameters, a fragment or a differently cased
host, must map to one article id, because the id is the Kafka message key that consumers deduplicate on.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that say where a click came from, never which document it is.
TRACKING_PARAMETERS: tuple[str, ...] = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "utm_id",
    "utm_name",
    "utm_reader",
    "utm_brand",
    "utm_social",
    "utm_social-type",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_hsenc",
    "_hsmi",
    "ref_src",
    "cmpid",
)


def canonical_url(url: str, base: str | None = None) -> str:
    """Return the canonical form of ``url`` (resolved against ``base`` when relative).

    Tracking parameters and the fragment go, the remaining query is sorted and escaping normalised
    (w3lib), the scheme and host are lower-cased and a default port dropped.
    """
    absolute = urljoin(base, url.strip()) if base else url.strip()
    cleaned = url_query_cleaner(absolute, TRACKING_PARAMETERS, remove=True, keep_fragments=False)
    canonical = canonicalize_url(cleaned, keep_fragments=False)
    parts = urlsplit(canonical)
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), host, path, parts.query, ""))


def article_id(url: str, base: str | None = None) -> str:
    """The stable article id: 16 hex digits of SHA-256 over the canonical URL."""
    return hashlib.sha256(canonical_url(url, base).encode("utf-8")).hexdigest()[:16]


# How the entries of one feed are told apart, strongest first. A feed falls back to a weaker mode when
# its GUIDs are blank or repeated, and never climbs back (see ``choose_identity``).
IDENTITY_MODES: tuple[str, ...] = ("guid", "guid+link", "link", "hash")


def content_hash(*parts: str) -> str:
    """16 hex digits of SHA-256 over ``parts``: the identity of an entry with nothing better."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def _names_one_entry(keys: list[str], titles: list[str]) -> bool:
    """Every key present, and a key that repeats always repeats with the same title (a repeated item)."""
    title_of: dict[str, str] = {}
    return all(
        key and title_of.setdefault(key, title) == title for key, title in zip(keys, titles, strict=True)
    )


def choose_identity(items: list[tuple[str, str, str]], *, floor: str | None = None) -> str:
    """The identity mode for a feed whose entries have these ``(guid, link, title)`` ("" when absent).

    GUID when every entry has one and no two different entries share it; else GUID+link when those
    pairs are complete and tell the entries apart; else the link when every entry has one that does;
    else a hash of the entry's content. An item repeated whole does not count as a clash. ``floor`` is
    the mode chosen at an earlier poll: the result is never stronger, so an entry's key does not flip
    back and forth between polls of a feed whose GUIDs come and go.
    """
    guids = [guid for guid, _, _ in items]
    links = [link for _, link, _ in items]
    titles = [" ".join(title.split()) for _, _, title in items]
    if _names_one_entry(guids, titles):
        mode = "guid"
    elif all(links) and _names_one_entry(
        [f"{g}\x1f{link}" if g else "" for g, link in zip(guids, links, strict=True)], titles
    ):
        mode = "guid+link"
    elif _names_one_entry(links, titles):
        mode = "link"
    else:
        mode = "hash"
    if floor in IDENTITY_MODES:
        mode = IDENTITY_MODES[max(IDENTITY_MODES.index(mode), IDENTITY_MODES.index(floor))]
    return mode


def entry_key(mode: str, *, guid: str, link: str, title: str, text: str) -> str:
    """The key of one entry within its feed under identity ``mode``."""
    if mode == "guid":
        return f"guid:{guid}"
    if mode == "guid+link":
        return f"guid+link:{guid}\x1f{link}"
    if mode == "link":
        return f"link:{link}"
    return f"hash:{content_hash(guid, link, title, text)}"
