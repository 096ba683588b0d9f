"""Parse the bytes of a feed into ``FeedEntry`` records: RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.x.

Input: a ``Feed`` and the body and headers its poll returned. The body is decoded first
(``transforms.feed_encoding``: BOM, HTTP charset, XML declaration, then detection), so undeclared
windows-1251 or Shift_JIS feeds read correctly. XML goes to feedparser, whose strict parser (expat)
expands the entities a document declares. So before feedparser sees it, expat itself reads the document's
prolog, where a DOCTYPE can stand (comments, quoting and all, however long), and a DOCTYPE with an
internal subset is refused (``UnsafeFeed``, reason ``unsafe_xml``): no news feed needs one, and it is
where billion laughs and external entities are declared. A document whose prolog expat cannot read gets
to feedparser's lenient parser, which expands no declared entity; it is refused all the same if
``<!ENTITY`` appears anywhere in it. JSON Feed (which feedparser does not read) is parsed here with
``json``; JSON nested deeper than the parser goes is not a feed.

Output: a ``ParsedFeed`` with the entries that have a usable link and, as data, the entries that were
rejected and why (``no_link``; ``bad_link`` for a link that is not an http(s) URL or does not parse, such
as a port out of range). Entries are told apart within the feed by GUID, falling back to GUID+link, the link,
then a content hash when the feed's GUIDs are blank or repeated (``transforms.ids.choose_identity``);
an entry repeated under the same key is counted and kept once. A body that is not a feed at all
raises ``InvalidFeed``; the polling stage turns that into a dead letter.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import xml.parsers.expat
import xml.sax
from dataclasses import dataclass, field
from typing import Any

import feedparser
import lxml.html
from feedparser.datetimes import _parse_date as parse_feed_date

from transforms.bylines import byline_authors
from transforms.dead_letters import well_formed
from transforms.feed_encoding import DecodedFeed, decode_feed
from transforms.ids import article_id, canonical_url, choose_identity, content_hash, entry_key
from transforms.records import Feed, FeedEntry

_JSON_FEED_VERSION = "https://jsonfeed.org/version/"


class InvalidFeed(ValueError):
    """The body is not a feed that can be read."""

    reason = "invalid_feed"


class UnsafeFeed(InvalidFeed):
    """The XML declares entities (billion laughs, external entities): refused, never expanded."""

    reason = "unsafe_xml"


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What one feed body yielded."""

    entries: list[FeedEntry]
    rejected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (reason, raw entry)
    format: str = ""  # "rss20", "atom10", "json11"... (feedparser's version strings, plus JSON Feed's)
    warning: str | None = None  # the parser's complaint (bozo) on a feed that still parsed
    malformed: bool = False  # the XML was not well-formed: entries are what the lenient parser recovered
    ttl: float | None = None  # the feed's own <ttl>, in seconds
    encoding: str = ""  # the codec the body was decoded with, e.g. "cp1251"
    encoding_source: str = ""  # how it was decided: "bom", "http", "declared", "utf-8", "detected"
    identity: str = "guid"  # how entries are told apart: "guid", "guid+link", "link" or "hash"
    repeated: int = 0  # entries dropped because an earlier entry of this body had the same key
    title: str = ""  # the feed's own title


@dataclass(frozen=True, slots=True)
class _RawItem:
    guid: str
    link: str
    title: str  # HTML or text, as the feed gave it
    summary: str
    content: str
    published: str | None
    bylines: tuple[str, ...] = ()  # author names as the feed gave them


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


def fallback_title(text: str, *, limit: int = 100) -> str:
    """A title for an entry that has none (feed readers do the same): its text's opening words."""
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,;:") + "…"


def _iso(parsed: Any) -> str | None:
    # feedparser's *_parsed values are UTC struct_times whatever the feed's timezone was
    if not parsed:
        return None
    try:
        stamp = calendar.timegm(parsed)
    except (TypeError, ValueError, OverflowError):
        return None
    return dt.datetime.fromtimestamp(stamp, dt.UTC).isoformat().replace("+00:00", "Z")


def _iso_text(value: Any) -> str | None:
    """A date string in RFC 3339 (JSON Feed) or any format feedparser knows → UTC ISO 8601, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return _iso(parse_feed_date(value))
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)  # no offset given: UTC is the only honest guess
    return stamp.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _looks_like_json(decoded: DecodedFeed, content_type: str | None) -> bool:
    return "json" in (content_type or "").lower() or decoded.text.lstrip("\ufeff \t\r\n").startswith("{")


def _json_items(text: str, base: str) -> tuple[list[_RawItem], str, str, str | None, str]:
    """JSON Feed 1.0/1.1 → raw items, format, declared language, a warning, the feed's title."""
    try:
        document = json.loads(text)
    except ValueError as error:
        raise InvalidFeed(f"not a feed: JSON that does not parse ({error})") from error
    except RecursionError as error:  # json's parser recurses once per level of nesting
        raise InvalidFeed("not a feed: JSON nested deeper than a JSON parser reads") from error
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise InvalidFeed("not a feed: JSON without an items list")
    version = str(document.get("version") or "")
    warning = None
    if not version.startswith(_JSON_FEED_VERSION):
        warning = f"JSON Feed version {version!r} is not a jsonfeed.org version; read as 1.1"
    number = version.removeprefix(_JSON_FEED_VERSION).replace(".", "") or "11"
    items: list[_RawItem] = []
    for raw in document["items"]:
        if not isinstance(raw, dict):
            continue
        link = raw.get("url") or raw.get("external_url") or ""
        items.append(
            _RawItem(
                guid=_text(raw.get("id") if raw.get("id") is not None else "").strip(),
                link=_text(link).strip() if isinstance(link, str) else "",  # resolved against base later
                title=_text(raw.get("title") or ""),
                summary=_text(raw.get("summary") or ""),
                content=_text(raw.get("content_html") or raw.get("content_text") or ""),
                published=_iso_text(raw.get("date_published")) or _iso_text(raw.get("date_modified")),
                bylines=_json_bylines(raw),
            )
        )
    title = _text(document.get("title") or "")
    return items, f"json{number}", _text(document.get("language") or ""), warning, title


def _json_bylines(raw: dict[str, Any]) -> tuple[str, ...]:
    """JSON Feed's ``authors`` (1.1) or ``author`` (1.0): objects with a ``name``."""
    people = raw.get("authors")
    if not isinstance(people, list):
        people = [raw.get("author")]
    return tuple(
        _text(person["name"])
        for person in people
        if isinstance(person, dict) and isinstance(person.get("name"), str)
    )


def _xml_bylines(raw: Any) -> tuple[str, ...]:
    """feedparser's ``authors`` (every dc:creator, <author>, Atom <author>): names only, never a bare email."""
    names = tuple(
        str(person.get("name") or "") for person in raw.get("authors") or () if isinstance(person, dict)
    )
    return tuple(name for name in names if name.strip())


def _text(value: Any) -> str:
    """A JSON value as text that has a UTF-8 form: JSON can escape lone surrogates, Kafka cannot carry them."""
    return well_formed(str(value))


class _PrologRead(Exception):
    """The root element started: the prolog, the only place a DOCTYPE can stand, is over."""


def refuse_internal_subset(document: bytes) -> None:
    """Raise ``UnsafeFeed`` when ``document`` (UTF-8 XML) has a DOCTYPE with an internal subset, as expat
    itself reads it; a prolog expat cannot read is refused when ``<!ENTITY`` appears anywhere.

    Only the prolog is parsed: the first element ends it (a DOCTYPE can stand nowhere else), so this
    costs next to nothing, and no entity is ever declared to the parser, let alone expanded.
    """

    def doctype(name: str, system_id: str | None, public_id: str | None, internal_subset: int) -> None:
        if internal_subset:
            raise UnsafeFeed(
                f"the XML's DOCTYPE {name} has an internal subset, where entities are declared "
                "(billion laughs, external entities): refused"
            )

    def element(name: str, attributes: object) -> None:
        raise _PrologRead

    parser = xml.parsers.expat.ParserCreate("utf-8")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = element
    try:
        parser.Parse(document, True)
    except _PrologRead:
        return
    except xml.parsers.expat.ExpatError as error:
        # not well-formed before its root: only the lenient parser reads it, and it expands no declared
        # entity; a declaration that only a repair could turn into a DOCTYPE is refused all the same
        if b"<!ENTITY" in document:
            raise UnsafeFeed(
                f"the XML declares entities where its prolog cannot be read ({error}): refused"
            ) from error


def _xml_items(
    decoded: DecodedFeed, base: str
) -> tuple[list[_RawItem], str, str, str | None, bool, float | None, str]:
    """RSS/Atom → raw items, format, declared language, warning, malformed, ttl, title (feedparser)."""
    # the text is handed on as UTF-8 with a matching declaration: feedparser must not second-guess it
    document = decoded.as_utf8_xml()
    refuse_internal_subset(document)
    result = feedparser.parse(
        document,
        response_headers={"content-location": base, "content-type": "application/xml; charset=utf-8"},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    if not result.get("version") and not result.entries:
        problem = result.get("bozo_exception")
        raise InvalidFeed(f"not a feed: {problem or 'no feed elements found'}")
    # Atom (RFC 4287 4.2.1): the feed's authors apply to an entry that names none of its own (nor a source's)
    feed_bylines = _xml_bylines(result.feed) if str(result.get("version") or "").startswith("atom") else ()
    items: list[_RawItem] = []
    for raw in result.entries:
        contents = raw.get("content") or []
        items.append(
            _RawItem(
                guid=(raw.get("id") or "").strip(),
                link=(raw.get("link") or "").strip(),
                title=raw.get("title", ""),
                summary=raw.get("summary", ""),
                content=max((c.get("value", "") for c in contents), key=len, default=""),
                # dict.get: FeedParserDict maps a missing "updated_parsed" to "published_parsed", with a warning
                published=_iso(raw.get("published_parsed") or dict.get(raw, "updated_parsed")),
                bylines=_xml_bylines(raw) or _xml_bylines(raw.get("source") or {}) or feed_bylines,
            )
        )
    problem = result.get("bozo_exception")
    warning = f"{type(problem).__name__}: {problem}" if result.get("bozo") else None
    # feedparser also flags a charset override or a text/plain content type, whose entries parse whole;
    # broken XML is what loses entries
    malformed = isinstance(problem, xml.sax.SAXException)
    ttl_text = str(result.feed.get("ttl") or "").strip()
    ttl = float(ttl_text) * 60 if ttl_text.isdigit() else None  # RSS <ttl> counts minutes
    language, title = result.feed.get("language") or "", result.feed.get("title") or ""
    return items, result.get("version") or "", language, warning, malformed, ttl, title


def parse_feed(
    feed: Feed,
    body: bytes,
    *,
    content_type: str | None = None,
    final_url: str | None = None,
    seen_at: str = "",
    identity_floor: str | None = None,
) -> ParsedFeed:
    """Parse ``body`` as ``feed``; relative links resolve against the URL the body came from.

    ``identity_floor`` is the identity mode chosen at the feed's previous poll (never climbed back from).
    """
    base = final_url or feed.url
    decoded = decode_feed(body, content_type, language_hint=feed.language)
    warning: str | None
    malformed, ttl = False, None
    if _looks_like_json(decoded, content_type):
        items, fmt, declared, warning, feed_title = _json_items(decoded.text, base)
    else:
        items, fmt, declared, warning, malformed, ttl, feed_title = _xml_items(decoded, base)
    language = (feed.language or declared).replace("_", "-").split("-")[0].lower() or None
    identity = choose_identity([(item.guid, item.link, item.title) for item in items], floor=identity_floor)
    keys = [
        entry_key(
            identity, guid=item.guid, link=item.link, title=item.title, text=item.content or item.summary
        )
        for item in items
    ]
    # a link that entries with different titles share names a section page, not an article (regulators'
    # feeds do this): those entries get an id over the link and their own key, so they stay distinct
    titles_of_link: dict[str, set[str]] = {}
    for item in items:
        titles_of_link.setdefault(item.link, set()).add(" ".join(item.title.split()))
    entries: list[FeedEntry] = []
    rejected: list[tuple[str, dict[str, Any]]] = []
    seen_keys: set[str] = set()
    repeated = 0
    for item, key in zip(items, keys, strict=True):
        if key in seen_keys:
            repeated += 1
            continue
        seen_keys.add(key)
        link = item.link
        if not link and item.guid.startswith(("http://", "https://")):
            link = item.guid
        if not link:
            text = html_to_text(item.content or item.summary)
            title = html_to_text(item.title) or fallback_title(text)
            rejected.append(("no_link", {"guid": item.guid or None, "title": title}))
            continue
        try:
            url = canonical_url(link, base)
        except ValueError as error:  # a port out of range, a broken IPv6 literal...
            rejected.append(("bad_link", {"guid": item.guid or None, "link": link, "error": str(error)}))
            continue
        if not url.startswith(("http://", "https://")):
            rejected.append(("bad_link", {"guid": item.guid or None, "link": link}))
            continue
        shared = len(titles_of_link.get(item.link, ())) > 1
        summary, content = html_to_text(item.summary), html_to_text(item.content)
        entries.append(
            FeedEntry(
                article_id=content_hash(url, key) if shared else article_id(url),
                feed=feed.name,
                feed_url=feed.url,
                url=url,
                guid=item.guid or None,
                title=html_to_text(item.title) or fallback_title(content or summary),
                summary=summary,
                content=content,
                published=item.published,
                language_hint=language,
                authors=byline_authors(item.bylines),
                tags=feed.tags,
                seen_at=seen_at,
            )
        )
    return ParsedFeed(
        entries=entries,
        rejected=rejected,
        format=fmt,
        warning=warning,
        malformed=malformed,
        ttl=ttl,
        encoding=decoded.encoding,
        encoding_source=decoded.source,
        identity=identity,
        repeated=repeated,
        title=html_to_text(feed_title),
    )
