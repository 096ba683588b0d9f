"""Writing the web archives the backfill tests read: WARC files through warcio (gzip per record or not),
ARC files by hand (warcio reads ARC but does not write it), and hostile records."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True)
class Capture:
    """One crawled page: what a response record holds."""

    url: str
    body: bytes
    date: str = "2024-10-15T12:00:00Z"
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    extra_headers: tuple[tuple[str, str], ...] = field(default=())


def warc_bytes(
    captures: Iterable[Capture], *, gzip_records: bool = True, with_requests: bool = True
) -> bytes:
    """A WARC file as a crawler writes it: a warcinfo record, then a request and a response per capture."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzip_records)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "newsbeam tests"}))
    for capture in captures:
        if with_requests:
            request = writer.create_warc_record(
                capture.url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True),
                warc_headers_dict={"WARC-Date": capture.date},
            )
            writer.write_record(request)
        writer.write_record(response_record(writer, capture))
    return out.getvalue()


def response_record(writer: WARCWriter, capture: Capture) -> object:
    """warcio's response record of ``capture``."""
    reason = {200: "OK", 404: "Not Found", 301: "Moved Permanently"}.get(capture.status, "Status")
    headers = StatusAndHeaders(
        f"{capture.status} {reason}",
        [("Content-Type", capture.content_type), *capture.extra_headers],
        protocol="HTTP/1.1",
    )
    return writer.create_warc_record(
        capture.url,
        "response",
        payload=io.BytesIO(capture.body),
        length=len(capture.body),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": capture.date},
    )


def write_warc(path: Path, captures: Iterable[Capture], **options: bool) -> Path:
    """``warc_bytes`` of ``captures`` written to ``path``."""
    path.write_bytes(warc_bytes(captures, **options))
    return path


def arc_bytes(captures: Iterable[Capture], *, gzip_records: bool = False) -> bytes:
    """An ARC (version 1) file: the ``filedesc://`` header record, then one record per capture."""
    records: list[bytes] = []
    desc_body = b"1 0 newsbeam-tests\nURL IP-address Archive-date Content-type Archive-length\n"
    records.append(
        b"filedesc://test.arc 0.0.0.0 20241015120000 text/plain %d\n" % len(desc_body) + desc_body + b"\n"
    )
    for capture in captures:
        http = (
            f"HTTP/1.1 {capture.status} OK\r\nContent-Type: {capture.content_type}\r\n"
            f"Content-Length: {len(capture.body)}\r\n\r\n"
        ).encode("ascii") + capture.body
        date = capture.date.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")[:14]
        media = capture.content_type.split(";")[0]
        header = f"{capture.url} 127.0.0.1 {date} {media} {len(http)}\n".encode("ascii")
        records.append(header + http + b"\n")
    if gzip_records:
        return b"".join(gzip.compress(record) for record in records)
    return b"".join(records)


def page(title: str, paragraphs: int = 4, lang: str = "en") -> bytes:
    """A small article page of real sentences (enough text for trafilatura to take it as an article)."""
    sentence = (
        f"{title} is the story of this page, told in enough words for an extractor to keep it as the "
        "article's main text rather than a teaser."
    )
    body = "".join(
        f"<p>{sentence} Paragraph {n} adds its own detail to the account.</p>" for n in range(paragraphs)
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()
