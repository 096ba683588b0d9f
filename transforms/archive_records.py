"""Which web-archive records a backfill keeps, and the ``Page`` each kept record becomes.

A backfill reads WARC/ARC files (``connectors.warc_reading``) and hands every record here as an
``ArchiveRecord`` (plain data: the record's type, target URI, WARC-Date, HTTP status and headers, its
length). ``judge_record`` decides, before the payload is read:

- ``keep``: a ``response`` record of an HTML page (``text/html`` or ``application/xhtml+xml``) with HTTP
  status 200 that passes the filters (``ArchiveFilter``: domains, WARC-Date window);
- ``skip`` (counted, never published): any other record type, another status, another content type, a
  page outside the filters;
- ``reject`` (a dead letter with its file and offset): a record over the size cap, or one whose headers
  are unusable (no target URI, no date).

Once the payload is read, ``page_of_record`` makes the ``Page`` the extraction stage takes: the article id
of the canonical URL (the one a feed entry of the same URL gets), ``seen_at`` from the WARC-Date, and where
it was read from (``ArchivedAt``). A payload that is binary although it claims to be HTML is rejected there
(``BinaryPayload``). The payload crosses to extraction as the bytes the server sent (decoded where it is
extracted), as a fetched page does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from transforms.ids import article_id, canonical_url
from transforms.records import ArchivedAt, FeedEntry, Page

__all__ = [
    "ARCHIVE_FEED",
    "DEFAULT_MAX_RECORD_BYTES",
    "DEFAULT_SPLIT_BYTES",
    "HTML_TYPES",
    "ArchiveFilter",
    "ArchiveRecord",
    "BinaryPayload",
    "Verdict",
    "capture_of",
    "judge_record",
    "looks_binary",
    "page_of_record",
    "parse_day_or_time",
    "parse_warc_date",
    "utc_iso",
]

ARCHIVE_FEED = "archive"  # the ``feed`` of a backfilled article: it came from no feed of the feeds file
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
DEFAULT_MAX_RECORD_BYTES = (
    10 * 1024 * 1024
)  # a news page is well under 1 MB; far bigger ones are not articles
DEFAULT_SPLIT_BYTES = 64 * 1024 * 1024  # files are read in parts of this size: a CC-NEWS file (~1 GB) in ~16
# bytes looked at to tell a binary payload (an image, an archive) from markup
_SNIFF = 1024
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00",
)


class BinaryPayload(ValueError):
    """A payload that claims to be HTML but is binary data."""


@dataclass(frozen=True, slots=True)
class ArchiveRecord:
    """One record's headers, as the reader found them (the payload is read only when the record is kept)."""

    file: str
    offset: int  # byte offset of the record in ``file`` (of its gzip member in a .warc.gz)
    record_type: str  # WARC-Type: response, request, revisit, warcinfo... (ARC records read as response)
    target_uri: str | None
    warc_date: str | None  # as written in the record
    http_status: int | None  # None when the record carries no HTTP response
    content_type: str | None  # the HTTP response's Content-Type header, charset included
    length: int  # the record's Content-Length: HTTP headers and body


@dataclass(frozen=True, slots=True, kw_only=True)
class ArchiveFilter:
    """What a backfill keeps: pages of these registrable domains or hosts (``domains``; empty: any) crawled
    within ``[since, until)`` (WARC-Date, UTC; None: open), and records up to ``max_record_bytes``."""

    domains: tuple[str, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "domains", tuple(d.strip().lower().strip(".") for d in self.domains if d.strip())
        )
        if self.max_record_bytes <= 0:
            raise ValueError("--max-record-bytes must be positive")
        if self.since is not None and self.until is not None and self.since >= self.until:
            raise ValueError("--since must be before --until")

    def host_wanted(self, url: str) -> bool:
        """Whether ``url``'s host is one of ``domains`` or under one of them (any host when none)."""
        if not self.domains:
            return True
        host = (_host(url) or "").lower().rstrip(".")
        return any(host == domain or host.endswith("." + domain) for domain in self.domains)

    def date_wanted(self, when: dt.datetime) -> bool:
        """Whether a page crawled at ``when`` is inside the window."""
        return (self.since is None or when >= self.since) and (self.until is None or when < self.until)


@dataclass(frozen=True, slots=True)
class Verdict:
    """``judge_record``'s decision: keep, skip (with why, for the counters) or reject (a dead letter)."""

    action: Literal["keep", "skip", "reject"]
    reason: str = ""  # skip: not_response, http_status, not_html, domain, date; reject: too_large, malformed
    message: str = ""


KEEP = Verdict("keep")


def judge_record(record: ArchiveRecord, wanted: ArchiveFilter) -> Verdict:
    """Keep, skip or reject ``record`` from its headers alone (see the module's docstring)."""
    if record.record_type != "response":
        return Verdict("skip", "not_response")
    if record.length > wanted.max_record_bytes:
        return Verdict(
            "reject",
            "too_large",
            f"record of {record.length} bytes is over the cap of {wanted.max_record_bytes} (--max-record-bytes)",
        )
    if record.http_status is None:
        return Verdict("skip", "not_http")
    if record.http_status != 200:
        return Verdict("skip", "http_status")
    media_type = (record.content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in HTML_TYPES:
        return Verdict("skip", "not_html")
    if not record.target_uri or not _host(record.target_uri):
        return Verdict("reject", "malformed", "a response record without a usable WARC-Target-URI")
    if not wanted.host_wanted(record.target_uri):
        return Verdict("skip", "domain")
    when = parse_warc_date(record.warc_date)
    if when is None:
        return Verdict("reject", "malformed", f"unreadable WARC-Date {record.warc_date!r}")
    if not wanted.date_wanted(when):
        return Verdict("skip", "date")
    return KEEP


def capture_of(record: ArchiveRecord) -> tuple[str, ArchivedAt]:
    """A kept record's article id (of its canonical URL) and where it is, its WARC-Date in our format."""
    assert record.target_uri is not None
    when = parse_warc_date(record.warc_date)
    assert when is not None, "judge_record rejects records without a date"
    return article_id(record.target_uri), ArchivedAt(
        file=record.file, offset=record.offset, warc_date=utc_iso(when)
    )


def page_of_record(record: ArchiveRecord, body: bytes) -> Page:
    """The ``Page`` of a kept record whose HTTP body is ``body``; ``BinaryPayload`` when it is not markup."""
    if looks_binary(body):
        raise BinaryPayload(f"the {record.content_type or 'HTML'} payload is binary data")
    assert record.target_uri is not None
    key, archived = capture_of(record)
    entry = FeedEntry(
        article_id=key,
        feed=ARCHIVE_FEED,
        feed_url=record.file,
        url=canonical_url(record.target_uri),
        guid=None,
        # no title nor date: the page is asked for them (transforms.extraction.metadata_wanted)
        title="",
        summary="",
        content="",
        published=None,
        language_hint=None,
        seen_at=archived.warc_date,
    )
    return Page(
        entry=entry,
        final_url=record.target_uri,
        status=200,
        body=body,
        content_type=record.content_type,
        archived=archived,
    )


def looks_binary(body: bytes) -> bool:
    """Whether ``body`` starts like an image, a PDF, a compressed file, or holds NUL bytes early on.

    UTF-16 markup (a BOM, then text) also holds NUL bytes: it counts as text.
    """
    head = body[:_SNIFF]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    return head.startswith(_BINARY_MAGIC) or b"\x00" in head


def parse_warc_date(value: str | None) -> dt.datetime | None:
    """A WARC-Date (ISO 8601, ``Z``) or an ARC date (``YYYYMMDDhhmmss``) as an aware UTC datetime."""
    if not value:
        return None
    text = value.strip()
    try:
        if text.isdigit() and len(text) in (12, 14):
            parsed = dt.datetime.strptime(text.ljust(14, "0"), "%Y%m%d%H%M%S")
        else:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def parse_day_or_time(value: str) -> dt.datetime:
    """A ``--since``/``--until`` value: ``YYYY-MM-DD`` (midnight UTC) or an ISO 8601 time; ValueError if not."""
    parsed = parse_warc_date(value)
    if parsed is None:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD) nor an ISO 8601 time")
    return parsed


def utc_iso(when: dt.datetime) -> str:
    """UTC ISO 8601 with milliseconds and a ``Z``: the wire's one timestamp format."""
    return when.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _host(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None
