"""Read the full text of a labelled item that lives in the shared corpus (``regulation_set`` points at it).

Full texts stay outside the repository; the labelled set only says where each one is. Three kinds of place:

* an article page (``pages/…/*.html``): its text as the pipeline extracts it (``transforms.page_fields``), so the
  flagger is judged on what it is given in production;
* a feed entry (``feeds/…``, the ``index``-th entry as feedparser lists them): its ``content`` (else its summary),
  as text (``transforms.feed_parsing.html_to_text``);
* a record of a JSON capture (``news/…/*.json``, the ``index``-th record): the named ``field``, as text.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from transforms.feed_parsing import html_to_text
from transforms.page_fields import extract_page_fields

__all__ = ["read_text"]


def read_text(root: Path, path: str, index: int, field: str | None = None) -> str:
    """The text of the item at ``path`` (relative to the corpus ``root``) and ``index``."""
    location = root / path
    if location.suffix in (".html", ".htm"):
        return _page_text(location)
    if path.startswith("feeds/"):
        return _feed_entry_text(location, index)
    if location.suffix == ".json":
        if field is None:
            raise ValueError(f"{path}: a JSON capture needs the field that holds the text")
        return html_to_text(_plain(_json_records(location)[index].get(field)))
    raise ValueError(f"{path}: no reader for this kind of corpus file")


def _page_text(location: Path) -> str:
    fields = extract_page_fields(location.read_bytes(), "text/html", None)
    if fields is None or not fields.text:
        raise ValueError(f"{location}: the extractor found no text")
    return fields.text


@lru_cache(maxsize=64)
def _feed_entries(location: Path) -> list[Any]:
    import feedparser

    return list(feedparser.parse(location.read_bytes()).entries)


def _feed_entry_text(location: Path, index: int) -> str:
    entry = _feed_entries(location)[index]
    bodies = [part.get("value", "") for part in entry.get("content", ())]
    bodies.append(entry.get("summary", ""))
    return html_to_text(max(bodies, key=len))


@lru_cache(maxsize=64)
def _json_records(location: Path) -> list[dict[str, Any]]:
    data = json.loads(location.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "Data" in data:  # CryptoCompare's news API
        data = data["Data"]
    elif isinstance(data, dict) and "rss" in data:  # an RSS feed converted to JSON
        data = data["rss"]["channel"]["item"]
    if not isinstance(data, list):
        raise ValueError(f"{location}: no list of records in this capture")
    return data


def _plain(value: Any) -> str:
    """A field's string (XML-to-JSON converters wrap CDATA as ``{"#cdata-section": ...}``)."""
    if isinstance(value, dict):
        value = value.get("#cdata-section", value.get("#text", ""))
    if isinstance(value, list):
        value = " ".join(_plain(part) for part in value)
    return value if isinstance(value, str) else ""
