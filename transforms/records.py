"""The one data model that flows through every stage.

Frozen, slotted dataclasses: cheap to pickle between Beam stages, impossible to mutate by accident.
Each stage takes one of these and returns the next; the wire format (JSON with ``schema_version``)
is produced from them by ``transforms.wire`` and consumed by the Kafka connector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Feed:
    """One subscription from the feeds file."""

    name: str
    url: str
    language: str | None = None
    poll_interval: float = 300.0
    tags: tuple[str, ...] = ()
    respect_robots: bool = True  # honour robots.txt when fetching this feed's article pages


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a parsed feed, keyed by the stable article id of its canonical URL."""

    article_id: str
    feed: str
    feed_url: str
    url: str
    guid: str | None
    title: str
    summary: str
    content: str
    published: str | None  # UTC ISO 8601, or None when the feed gave no usable date
    language_hint: str | None
    tags: tuple[str, ...] = ()
    seen_at: str = ""  # UTC ISO 8601: when the poll saw the entry
    version: int = 1  # bumped when the same feed later changes the entry's title or content
    fingerprint: str = ""  # hash of title + text that versions are told apart by (set by DropDuplicates)
    authors: tuple[str, ...] = ()  # the feed's byline, normalised (transforms.bylines); () when it gave none


@dataclass(frozen=True, slots=True)
class ArchivedAt:
    """Where a page was read from a web archive: the WARC/ARC file and the byte offset of its record."""

    file: str
    offset: int
    warc_date: str  # UTC ISO 8601: when the crawler fetched the page (the record's WARC-Date)


@dataclass(frozen=True, slots=True)
class Page:
    """The outcome of fetching one entry's article page: its body as it arrived, or why there is none.

    The body is decoded where it is extracted (``transforms.page_encoding``, with ``content_type``): bytes
    cross to an extraction process as one copy, where decoded text cost an encode and a decode.
    """

    entry: FeedEntry
    final_url: str
    status: int
    body: bytes | None
    content_type: str | None = None  # the response's Content-Type header, charset included
    error: str | None = None  # why there is no body (the entry then falls back to feed content)
    archived: ArchivedAt | None = None  # set when the page came from a web archive rather than a fetch


@dataclass(frozen=True, slots=True)
class Evidence:
    """A sentence that moved the score, with what matched in it and where."""

    sentence: str
    start: int  # character offsets of the sentence in ``title + "\n" + text``
    end: int
    signals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Entities:
    """Named entities found in an article."""

    regulators: tuple[str, ...] = ()  # authorities, ministries, courts, regional bodies
    companies: tuple[str, ...] = ()  # companies, platforms, projects
    people: tuple[str, ...] = ()

    @property
    def organizations(self) -> tuple[str, ...]:
        """Every organisation, regulators first."""
        return self.regulators + tuple(c for c in self.companies if c not in self.regulators)


@dataclass(frozen=True, slots=True)
class Regulation:
    """The regulation verdict of one article; ``score`` is calibrated so 0.5 is the threshold."""

    flagged: bool
    score: float
    categories: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, plus "EU" and "INTL"
    entities: Entities = field(default_factory=Entities)
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """An extracted article; ``regulation`` is None until the flagger has seen it."""

    article_id: str
    url: str
    feed: str
    title: str
    text: str
    # "page" when trafilatura extracted it from a fetched page, "archive" from an archived one (a backfill),
    # "feed" for the entry's own content
    text_source: str
    authors: tuple[str, ...]
    published: str | None
    language: str | None
    seen_at: str
    tags: tuple[str, ...] = ()
    version: int = 1
    fetch_error: str | None = None  # why the page could not be used, when text_source is "feed"
    regulation: Regulation | None = None
    fingerprint: str = ""  # the feed entry's fingerprint: restarts compare against it (transforms.dedup)


@dataclass(frozen=True, slots=True)
class FeedPoll:
    """What one poll of one feed did: the operators' record, published to ``<prefix>.ops``."""

    feed: str
    url: str
    at: str  # UTC ISO 8601
    status: int | None  # HTTP status; None when no response came back
    outcome: str  # "ok", "not_modified", "skipped" or the failure reason
    entries: int
    duration: float  # seconds
    next_poll: str  # UTC ISO 8601
    consecutive_failures: int
    format: str = ""
    error: str | None = None
    identity: str = ""  # how the feed's entries are told apart: "guid", "guid+link", "link" or "hash"
    encoding: str = ""  # the codec the feed body was decoded with


@dataclass(frozen=True, slots=True)
class ArchiveProgress:
    """What reading part of one web-archive file has done since its last report, published to
    ``<prefix>.ops`` so that an operator sees a backfill advance (counts add up across reports)."""

    job: str
    file: str
    at: str  # UTC ISO 8601
    bytes_read: int  # bytes of the file read since the last report of this part
    records: int  # WARC/ARC records read since the last report
    pages: int  # records kept as pages to extract
    skipped: int  # records passed over on purpose (not a response, not HTML, not 200, filtered out)
    dead: int  # records dead-lettered (malformed, truncated, too large, undecodable)
    part_done: bool  # this part of the file is read to its end
    part: tuple[int, int] = (0, 0)  # the byte range of the file this reader owns


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """The pipeline's sign of life with its counters, published to ``<prefix>.ops``.

    Streaming runs send one every heartbeat interval from inside the graph; a ``--once`` run sends one
    (``final``) when it finishes. ``counters`` are cumulative since ``started_at`` and use the Beam
    metric names (``"PollFeeds.feeds_polled"``), so a restart shows as a reset, like any counter.
    """

    job: str  # an id of the run, so the monitor tells runs (and restarts) apart
    at: str  # UTC ISO 8601
    mode: str  # "streaming" or "once"
    started_at: str  # UTC ISO 8601
    sequence: int
    interval: float  # seconds until the next heartbeat is due (0 after the final one)
    counters: tuple[tuple[str, int], ...] = ()
    final: bool = False


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """An element that failed a stage: JSON-safe, so it can always be published."""

    stage: str
    reason: str  # a short machine-friendly cause, e.g. "http_status", "invalid_feed", "no_text"
    error_class: str
    message: str
    feed: str | None
    url: str | None
    key: str | None  # the article id when one is known
    input: Any  # a JSON-safe rendering of what the stage received
    at: str  # UTC ISO 8601
