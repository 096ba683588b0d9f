"""Decode the bytes of an article page to text, as a browser would (w3lib's ``html_to_unicode``).

Kept apart from both the fetching (``connectors``) and the extraction (``transforms.page_fields``): pages
cross to the extraction processes as the bytes that arrived and are decoded there, and feed discovery
decodes a page without importing either Beam or trafilatura.
"""

from __future__ import annotations

from w3lib.encoding import html_to_unicode


def decode_html(body: bytes, content_type: str | None) -> str:
    """Bytes of a page → text, trusting BOM, then the header, then the document's meta, then detection."""
    _, text = html_to_unicode(content_type, body)
    return text
