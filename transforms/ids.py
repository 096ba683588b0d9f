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
