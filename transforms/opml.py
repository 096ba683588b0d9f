"""OPML subscription lists → feed subscriptions (name, url, tags), for ``newsbeam feeds import-opml``.

Parsed with lxml with entity resolution and network access off, so an OPML file cannot expand
entities or make us fetch anything. Each ``<outline>`` with an ``xmlUrl`` is a feed; the ``text`` (or
``title``) attributes of the outlines around it become its tags (OPML folders).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree


class InvalidOpml(ValueError):
    """The file is not OPML that lists feeds."""


@dataclass(frozen=True, slots=True)
class Subscription:
    """One feed of an OPML list."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    language: str | None = None
    line: int = 0  # of its <outline> in the OPML file, for messages about it


def _slug(text: str) -> str:
    return re.sub(r"[^\w]+", "-", text.strip().lower(), flags=re.UNICODE).strip("-") or "feed"


def parse_opml(data: bytes) -> list[Subscription]:
    """The feeds ``data`` lists, with unique names (a repeated name gets ``-2``, ``-3``...)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidOpml(f"not well-formed XML: {error}") from error
    if root.tag != "opml":
        raise InvalidOpml(f"the root element is <{root.tag}>, not <opml>")
    found: list[Subscription] = []
    names: set[str] = set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url:
            continue
        folders = [
            (parent.get("text") or parent.get("title") or "").strip()
            for parent in outline.iterancestors("outline")
        ]
        base = _slug(outline.get("text") or outline.get("title") or url)
        name, number = base, 1
        while name in names:
            number += 1
            name = f"{base}-{number}"
        names.add(name)
        language = (outline.get("language") or "").strip() or None
        found.append(
            Subscription(
                name=name,
                url=url,
                tags=tuple(f for f in reversed(folders) if f),
                language=language,
                line=outline.sourceline or 0,
            )
        )
    if not found:
        raise InvalidOpml("no <outline> with an xmlUrl: no feeds listed")
    return found
