"""ReadArchives: WARC and ARC files (gzip per record or not) → pages to extract, dead letters, progress.

Input: the backfill's file patterns (paths, globs, or the lines of a ``warc.paths`` list, resolved by
``archive_patterns``). Beam's ``fileio.MatchAll`` finds the files on any file system Beam knows
(local, ``gs://``, ``s3://``...); each file is cut into parts of ``split_bytes`` (``archive_parts``), and
the parts are spread over the workers, so a 1 GB CC-NEWS file is read by several at once. A part owns the
records that *start* inside its byte range: its reader finds the first record boundary at or after its
start (``next_record_start``: a gzip member that opens a WARC record, or a ``WARC/1.x`` line) and reads
on until a record starts past its end. ARC files are read whole by one reader.

Records are parsed by warcio (``warcio.ArchiveIterator``, ARC records converted to WARC ones), in two
passes. The first reads every record's headers and judges them
(``transforms.archive_records.judge_record``); a kept record leaves as its article id and place only.
``transforms.captures.LatestCaptures`` chooses one capture per article (the latest; none already
published), and the second pass reads the chosen captures' payloads at their offsets, part by part, in
file order. Only small records are grouped between the passes, whatever the size of the input, and the
pages stream on to extraction. Outputs:

- ``pages`` (main): a ``Page`` per chosen capture (``Page.archived``: file, offset, WARC-Date);
- ``dead_letter``: records over the size cap (``too_large``), malformed or truncated ones, binary payloads
  labelled HTML (``binary_payload``), bodies whose Content-Encoding cannot be undone (``undecodable``), a
  file that cannot be opened; each with the file and the byte offset. A record the parser chokes on
  costs only that record: the reader finds the next boundary after it and reads on, so a damaged file
  never stops the run;
- ``progress``: an ``ArchiveProgress`` of the first pass every ``PROGRESS_EVERY`` records and at the end of
  each part, which the graph publishes to ``<prefix>.ops`` for the operator's progress display and the
  monitor.
"""

from __future__ import annotations

import logging
import posixpath
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PBegin, PCollection, TaggedOutput
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from transforms.archive_records import (
    ARCHIVE_FEED,
    DEFAULT_SPLIT_BYTES,
    ArchiveFilter,
    ArchiveRecord,
    BinaryPayload,
    capture_of,
    judge_record,
    looks_binary,
    page_of_record,
)
from transforms.captures import LatestCaptures
from transforms.dead_letters import DEAD_LETTER, dead_letter, utc_now
from transforms.ids import article_id
from transforms.records import ArchivedAt, ArchiveProgress, DeadLetter, Page

log = logging.getLogger(__name__)

STAGE = "ReadArchives"
PROGRESS = "progress"  # the tagged output of progress reports
PROGRESS_EVERY = 500  # records between two progress reports of one part
_SCAN_CHUNK = 1024 * 1024  # bytes read at a time when looking for the next record boundary
_GZIP_MEMBER = b"\x1f\x8b\x08"
_WARC_LINE = b"WARC/1."
LIST_SUFFIX = ".paths"  # CC-NEWS's list of files: warc.paths (or warc.paths.gz)


# a kept record as the first pass sees it: its article id, and where it is (its payload is not read yet)
Capture = tuple[str, ArchivedAt]

# what warcio raises for a record it cannot parse (bad headers, bad gzip member, a lying length)
_MALFORMED = (ArchiveLoadFailed, StatusAndHeadersParserException, zlib.error, EOFError, ValueError)


@dataclass(frozen=True, slots=True)
class ArchivePart:
    """The byte range ``[start, end)`` of ``file`` that one reader owns: the records that start in it."""

    file: str
    start: int
    end: int
    size: int


def archive_patterns(inputs: Sequence[str], *, base: str | None = None) -> tuple[str, ...]:
    """The file patterns of a backfill's ``--warc`` values: each is a path or a glob, or a list file in
    CC-NEWS's ``warc.paths`` format (one path a line, relative ones resolved against ``base``, else the
    list's own folder). Read with Beam's file systems, so a list may itself be on ``gs://``."""
    patterns: list[str] = []
    for value in inputs:
        if not _is_list(value):
            patterns.append(value)
            continue
        folder = base if base is not None else posixpath.dirname(value)
        compression = CompressionTypes.GZIP if value.endswith(".gz") else CompressionTypes.UNCOMPRESSED
        with FileSystems.open(value, compression_type=compression) as listed:
            text = listed.read().decode("utf-8")  # a month of CC-NEWS lists a few hundred files
            for raw in text.splitlines():
                line = raw.strip()
                if line and not line.startswith("#"):
                    patterns.append(
                        line if _is_absolute(line) or not folder else FileSystems.join(folder, line)
                    )
    return tuple(patterns)


def _is_list(value: str) -> bool:
    return value.endswith((LIST_SUFFIX, LIST_SUFFIX + ".gz", ".txt"))


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or "://" in path


def match_archives(patterns: Sequence[str]) -> list[tuple[str, int]]:
    """``(path, size)`` of every file the patterns match, for the launcher's totals (a missing plain path
    is an error; a glob may match nothing)."""
    found: list[tuple[str, int]] = []
    for result in FileSystems.match(list(patterns)):
        found.extend((meta.path, meta.size_in_bytes) for meta in result.metadata_list)
    return found


def open_raw(path: str) -> IO[bytes]:
    """``path`` as stored: Beam must not undo the gzip of a .warc.gz (its members are the records)."""
    handle: IO[bytes] = FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    return handle


def archive_parts(path: str, size: int, split_bytes: int) -> list[ArchivePart]:
    """The parts of one file: ``split_bytes`` each, or the whole file when it cannot be split (ARC)."""
    if size <= split_bytes or _is_arc(path):
        return [ArchivePart(path, 0, max(size, 1), size)]
    return [
        ArchivePart(path, start, min(start + split_bytes, size), size)
        for start in range(0, size, split_bytes)
    ]


def _is_arc(path: str) -> bool:
    """ARC files (``.arc``, ``.arc.gz``, or a file that opens with ``filedesc://``): read whole."""
    if path.endswith((".arc", ".arc.gz")):
        return True
    try:
        with open_raw(path) as handle:
            head = handle.read(512)
        if head.startswith(_GZIP_MEMBER):
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except (OSError, zlib.error):
        return False
    return head.startswith(b"filedesc://")


def next_record_start(handle: IO[bytes], position: int, limit: int) -> int | None:
    """The offset of the first record that starts at or after ``position`` and before ``limit``, or None.

    A candidate is a gzip member header or a ``WARC/1.`` line; it counts only when warcio reads a record
    there (so bytes that merely look like a boundary, inside a payload or compressed data, are passed over).
    """
    while position < limit:
        handle.seek(position)
        chunk = handle.read(min(_SCAN_CHUNK, limit - position) + len(_WARC_LINE))
        if not chunk:
            return None
        found = _first_candidate(chunk, position)
        while found is not None:
            if found >= limit:
                return None
            if _record_at(handle, found):
                return found
            found = _first_candidate(chunk, position, after=found - position + 1)
        position += max(1, len(chunk) - len(_WARC_LINE))
    return None


def _first_candidate(chunk: bytes, base: int, after: int = 0) -> int | None:
    hits = [
        at
        for at in (
            chunk.find(_GZIP_MEMBER, after),
            _line_start(chunk, after),
        )
        if at >= 0
    ]
    return base + min(hits) if hits else None


def _line_start(chunk: bytes, after: int) -> int:
    at = chunk.find(_WARC_LINE, after)
    while at > 0 and chunk[at - 1 : at] != b"\n":
        at = chunk.find(_WARC_LINE, at + 1)
    return at


def _record_at(handle: IO[bytes], offset: int) -> bool:
    handle.seek(offset)
    try:
        record = next(iter(ArchiveIterator(handle, no_record_parse=True)), None)
    except (*_MALFORMED, OSError):
        return False
    return record is not None and record.rec_headers.protocol.startswith("WARC/")


@dataclass
class _PartCounts:
    """What a part's reader did since its last progress report."""

    bytes_read: int = 0
    records: int = 0
    pages: int = 0
    skipped: int = 0
    dead: int = 0
    cut_short: bool = False  # the last record ended before its Content-Length: look inside it for others

    def report(self) -> _PartCounts:
        """A copy of the counts for a progress report, and start counting afresh."""
        copy = replace(self)
        self.bytes_read = self.records = self.pages = self.skipped = self.dead = 0
        return copy


class _ReadArchivePartFn(beam.DoFn):
    """Reads the records one ``ArchivePart`` owns (see the module's docstring)."""

    def __init__(self, wanted: ArchiveFilter, job: str, *, index_only: bool = False) -> None:
        self._wanted = wanted
        self._job = job
        self._index_only = index_only
        self.records = Metrics.counter(STAGE, "records")
        self.pages = Metrics.counter(STAGE, "pages")
        self.skipped = Metrics.counter(STAGE, "skipped")
        self.dead = Metrics.counter(STAGE, "dead_lettered")
        self.bytes_read = Metrics.counter(STAGE, "bytes_read")

    def process(self, part: ArchivePart) -> Iterator[Page | Capture | TaggedOutput[str, Any]]:
        counts = _PartCounts()
        read_up_to = part.start
        try:
            with open_raw(part.file) as handle:
                for output in self._read(handle, part, counts):
                    if isinstance(output, int):  # the reader's position: progress
                        counts.bytes_read += output - read_up_to
                        read_up_to = output
                        if counts.records >= PROGRESS_EVERY:
                            yield self._progress(part, counts.report(), done=False)
                    else:
                        yield output
        except OSError as error:  # the file itself: gone, unreadable
            counts.dead += 1
            self.dead.inc()
            yield _dead(part.file, part.start, "unreadable_file", error)
        counts.bytes_read += max(0, part.end - read_up_to)
        yield self._progress(part, counts, done=True)

    def _read(
        self, handle: IO[bytes], part: ArchivePart, counts: _PartCounts
    ) -> Iterator[int | Page | Capture | TaggedOutput[str, Any]]:
        """The part's outputs, and after each record the reader's offset in the file."""
        start: int | None = part.start
        if part.start > 0:
            start = next_record_start(handle, part.start, part.end)
        while start is not None and start < part.end:
            handle.seek(start)
            records = ArchiveIterator(handle, arc2warc=True, check_digests=False)
            # warcio's ``offset`` is the file position where the record it yields next starts
            # (``get_record_offset()`` would read the record's payload to find out)
            offset = records.offset
            try:
                for record in records:
                    if offset >= part.end:
                        return  # the next part owns it
                    counts.records += 1
                    self.records.inc()
                    yield from self._record(part.file, offset, record, counts)
                    if not counts.cut_short and (short := _truncated(record)):
                        counts.cut_short = True
                        counts.dead += 1
                        self.dead.inc()
                        yield _truncated_letter(_headers_of(part.file, offset, record), short)
                    yield offset
                    if counts.cut_short:
                        # a Content-Length longer than the record ran into the records after it, or
                        # the file ends here: look for them inside what it claimed
                        counts.cut_short = False
                        break
                    records.read_to_end()
                    offset = records.offset
                else:
                    return
            except _MALFORMED as error:
                offset = max(offset, start)  # warcio's position is no offset inside a file gzipped whole
                # reported by the reader whose last record it follows, even past this part's end: the next
                # part's reader starts at the first good record after its start and never sees it
                counts.dead += 1
                self.dead.inc()
                yield _dead(part.file, offset, "malformed", error)
                if offset >= part.end:
                    return
            broke_at = offset
            # damaged from broke_at: read on from the next record boundary after it
            start = next_record_start(handle, broke_at + 1, part.end)
            if start is None:
                yield part.end

    def _record(
        self, file: str, offset: int, record: Any, counts: _PartCounts
    ) -> Iterator[Page | Capture | TaggedOutput[str, Any]]:
        headers = _headers_of(file, offset, record)
        verdict = judge_record(headers, self._wanted)
        if verdict.action == "skip":
            counts.skipped += 1
            self.skipped.inc()
            Metrics.counter(STAGE, f"skipped_{verdict.reason}").inc()
            return
        if verdict.action == "reject":
            counts.dead += 1
            self.dead.inc()
            yield _dead(file, offset, verdict.reason, verdict.message, headers)
            return
        if self._index_only:  # the payload is read once this capture is known to be the one to publish
            if short := _truncated(record):
                counts.cut_short = True
                counts.dead += 1
                self.dead.inc()
                yield _truncated_letter(headers, short)
                return
            counts.pages += 1
            self.pages.inc()
            yield capture_of(headers)
            return
        outputs = list(page_outputs(headers, record, self._wanted.max_record_bytes))
        if isinstance(outputs[-1], Page):
            counts.pages += 1
            self.pages.inc()
        else:
            counts.cut_short = any(
                o.value.reason == "truncated" for o in outputs if isinstance(o, TaggedOutput)
            )
            counts.dead += 1
            self.dead.inc()
        yield from outputs

    def _progress(self, part: ArchivePart, counts: _PartCounts, *, done: bool) -> TaggedOutput[str, Any]:
        self.bytes_read.inc(counts.bytes_read)
        return TaggedOutput(
            PROGRESS,
            ArchiveProgress(
                job=self._job,
                file=part.file,
                at=utc_now(),
                bytes_read=counts.bytes_read,
                records=counts.records,
                pages=counts.pages,
                skipped=counts.skipped,
                dead=counts.dead,
                part_done=done,
                part=(part.start, part.end),
            ),
        )


def page_outputs(
    headers: ArchiveRecord, record: Any, cap: int
) -> Iterator[Page | TaggedOutput[str, DeadLetter]]:
    """A kept record's ``Page``, or its dead letter: its body read (at most ``cap`` bytes once decoded),
    checked whole (``truncated``), decoded (``undecodable``) and markup (``binary_payload``)."""
    file, offset = headers.file, headers.offset
    try:
        body = record.content_stream().read(cap + 1)
        truncated = _truncated(record)
    except (zlib.error, OSError, EOFError, ValueError) as error:
        yield _dead(file, offset, "undecodable", error, headers)
        return
    if truncated:
        yield _truncated_letter(headers, truncated)
        return
    if len(body) > cap:  # a small record whose Content-Encoding inflates it past the cap
        yield _dead(file, offset, "too_large", f"the decoded body is over the cap of {cap} bytes", headers)
        return
    encoding = (record.http_headers.get_header("Content-Encoding") or "").strip().lower()
    if encoding not in ("", "identity") and looks_binary(body):
        # warcio hands back the raw bytes when it cannot undo the encoding
        yield _dead(file, offset, "undecodable", f"Content-Encoding {encoding} could not be undone", headers)
        return
    try:
        yield page_of_record(headers, body)
    except BinaryPayload as error:
        yield _dead(file, offset, "binary_payload", error, headers)


def _truncated_letter(headers: ArchiveRecord, short: int) -> TaggedOutput[str, DeadLetter]:
    return _dead(
        headers.file,
        headers.offset,
        "truncated",
        f"the record ends {short} bytes short of its Content-Length",
        headers,
    )


def _dead(
    file: str,
    offset: int,
    reason: str,
    error: BaseException | str,
    headers: ArchiveRecord | None = None,
) -> TaggedOutput[str, DeadLetter]:
    url = headers.target_uri if headers is not None else None
    log.warning("%s at %s:%d: %s", reason, file, offset, error)
    where: dict[str, Any] = {"file": file, "offset": offset}
    if headers is not None:
        where.update(
            record_type=headers.record_type,
            warc_date=headers.warc_date,
            content_type=headers.content_type,
            length=headers.length,
        )
    return TaggedOutput(
        DEAD_LETTER,
        dead_letter(
            STAGE,
            reason,
            error,
            feed=ARCHIVE_FEED,
            url=url,
            key=article_id(url) if url else None,
            input=where,
        ),
    )


class _ReadCapturesFn(beam.DoFn):
    """The second pass: the captures chosen to publish, grouped by the part of the file they are in →
    their pages (read at their offsets, in file order), or their dead letters."""

    def __init__(self, cap: int) -> None:
        self._cap = cap
        self.dead = Metrics.counter(STAGE, "dead_lettered")
        self.read = Metrics.counter(STAGE, "captures_read")

    def process(
        self, grouped: tuple[tuple[str, int], Iterable[ArchivedAt]]
    ) -> Iterator[Page | TaggedOutput[str, DeadLetter]]:
        (file, _), captures = grouped
        try:
            with open_raw(file) as handle:
                for where in sorted(captures, key=lambda c: c.offset):
                    for output in self._read_one(handle, where):
                        if isinstance(output, TaggedOutput):
                            self.dead.inc()
                        else:
                            self.read.inc()
                        yield output
        except OSError as error:
            self.dead.inc()
            yield _dead(file, 0, "unreadable_file", error)

    def _read_one(
        self, handle: IO[bytes], where: ArchivedAt
    ) -> Iterator[Page | TaggedOutput[str, DeadLetter]]:
        handle.seek(where.offset)
        try:
            record = next(iter(ArchiveIterator(handle, arc2warc=True, check_digests=False)))
        except (*_MALFORMED, StopIteration) as error:
            yield _dead(where.file, where.offset, "malformed", error or "no record at this offset")
            return
        yield from page_outputs(_headers_of(where.file, where.offset, record), record, self._cap)


def _headers_of(file: str, offset: int, record: Any) -> ArchiveRecord:
    """warcio's record → the plain ``ArchiveRecord`` the pure judge reads."""
    http = record.http_headers
    status: int | None = None
    content_type: str | None = None
    if http is not None and record.rec_type == "response":
        try:
            status = int(http.get_statuscode())
        except (TypeError, ValueError):
            status = None
        content_type = http.get_header("Content-Type")
    return ArchiveRecord(
        file=file,
        offset=offset,
        record_type=record.rec_type or "",
        target_uri=record.rec_headers.get_header("WARC-Target-URI"),
        warc_date=record.rec_headers.get_header("WARC-Date"),
        http_status=status,
        content_type=content_type,
        length=int(record.length or 0),
    )


def _truncated(record: Any) -> int:
    """How many bytes the record's payload lacks against its Content-Length (0: whole)."""
    raw = record.raw_stream
    raw.read()  # what the body reader left (trailing bytes, or nothing)
    return int(getattr(raw, "limit", 0) or 0)


def read_archive_part(part: ArchivePart, wanted: ArchiveFilter, *, job: str = "") -> list[Any]:
    """Everything ReadArchives' reader emits for ``part``, without Beam: pages, and ``TaggedOutput``s of
    dead letters and progress reports (for tests and benchmarks)."""
    return list(_ReadArchivePartFn(wanted, job).process(part))


class ReadArchives(
    beam.PTransform[PBegin, tuple[PCollection[Page], PCollection[DeadLetter], PCollection[ArchiveProgress]]]
):
    """File patterns → ``(pages, dead_letters, progress)`` (see the module's docstring).

    ``patterns``: paths or globs on any Beam file system (``archive_patterns`` resolves list files);
    ``wanted``: what to keep; ``job``: names the run in the progress reports; ``split_bytes``: the size of
    the parts a file is read in; ``published``: article ids not to read again (what earlier runs published).
    """

    def __init__(
        self,
        patterns: Sequence[str],
        wanted: ArchiveFilter,
        *,
        job: str,
        split_bytes: int = DEFAULT_SPLIT_BYTES,
        published: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__()
        if split_bytes <= 0:
            raise ValueError("split_bytes must be positive")
        self._patterns = tuple(patterns)
        self._wanted = wanted
        self._job = job
        self._split_bytes = split_bytes
        self._published = published

    def expand(
        self, begin: PBegin
    ) -> tuple[PCollection[Page], PCollection[DeadLetter], PCollection[ArchiveProgress]]:
        split_bytes = self._split_bytes
        parts = (
            begin
            | "Patterns" >> beam.Create(list(self._patterns))
            | "MatchFiles" >> fileio.MatchAll()
            | "SplitFiles"
            >> beam.FlatMap(lambda meta: archive_parts(meta.path, meta.size_in_bytes, split_bytes))
            # the parts, not the pages, cross between workers: a part is a few dozen bytes
            | "SpreadParts" >> beam.Reshuffle()
        )
        # first pass: every record's headers, judged; the kept ones as (article id, where) only
        indexed = parts | "IndexParts" >> beam.ParDo(
            _ReadArchivePartFn(self._wanted, self._job, index_only=True)
        ).with_outputs(DEAD_LETTER, PROGRESS, main="captures")
        # one capture per article id, the latest, and none already published: only small records are grouped
        chosen = indexed.captures | "LatestCaptures" >> LatestCaptures(self._published)
        # second pass: the chosen captures' payloads, read in file order, part by part over the workers
        read = (
            chosen
            | "ByPart" >> beam.Map(lambda where: ((where.file, where.offset // split_bytes), where))
            | "CapturesOfPart" >> beam.GroupByKey()
            | "ReadCaptures"
            >> beam.ParDo(_ReadCapturesFn(self._wanted.max_record_bytes)).with_outputs(
                DEAD_LETTER, main="pages"
            )
        )
        dead = (indexed[DEAD_LETTER], read[DEAD_LETTER]) | "ReadingDeadLetters" >> beam.Flatten()
        return read.pages, dead, indexed[PROGRESS]
