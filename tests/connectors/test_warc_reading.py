"""ReadArchives on WARC and ARC files the tests write with warcio: what is kept, skipped and dead-lettered,
files cut into parts, damaged files, and the inputs (paths, globs, warc.paths lists) through Beam."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import apache_beam as beam
import pytest
from apache_beam.pvalue import TaggedOutput
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import BeamAssertException, assert_that

from connectors.warc_reading import (
    PROGRESS,
    ArchivePart,
    ReadArchives,
    archive_parts,
    archive_patterns,
    read_archive_part,
)
from tests.archives import Capture, arc_bytes, page, warc_bytes, write_warc
from transforms.archive_records import ArchiveFilter, parse_day_or_time
from transforms.dead_letters import DEAD_LETTER
from transforms.ids import article_id
from transforms.records import ArchiveProgress, DeadLetter, Page

EVERYTHING = ArchiveFilter()


def read_whole(
    path: Path, wanted: ArchiveFilter = EVERYTHING
) -> tuple[list[Page], list[DeadLetter], list[ArchiveProgress]]:
    """Every output of reading ``path`` as one part."""
    return split_outputs(
        read_archive_part(ArchivePart(str(path), 0, path.stat().st_size, path.stat().st_size), wanted)
    )


def split_outputs(outputs: list[Any]) -> tuple[list[Page], list[DeadLetter], list[ArchiveProgress]]:
    pages = [o for o in outputs if isinstance(o, Page)]
    dead = [o.value for o in outputs if isinstance(o, TaggedOutput) and o.tag == DEAD_LETTER]
    progress = [o.value for o in outputs if isinstance(o, TaggedOutput) and o.tag == PROGRESS]
    assert len(pages) + len(dead) + len(progress) == len(outputs)
    return pages, dead, progress


CAPTURES = [
    Capture("https://news.example/markets/sec-rule?utm_source=rss", page("SEC adopts a custody rule")),
    Capture(
        "https://br.news.example/pt/regras",
        page("Banco Central publica regras", lang="pt"),
        date="2024-10-16T08:30:00Z",
    ),
    Capture("https://other.example/sport", page("A football final")),
    Capture("https://news.example/missing", b"<html>gone</html>", status=404),
    Capture("https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), content_type="image/png"),
]


@pytest.mark.parametrize("gzip_records", [True, False], ids=["warc.gz", "warc"])
def test_keeps_the_200_html_responses_with_their_id_date_and_place(
    tmp_path: Path, gzip_records: bool
) -> None:
    path = write_warc(tmp_path / "crawl.warc", CAPTURES, gzip_records=gzip_records)
    pages, dead, progress = read_whole(path)

    assert [p.entry.url for p in pages] == [
        "https://news.example/markets/sec-rule",  # canonical: the tracking parameter is gone
        "https://br.news.example/pt/regras",
        "https://other.example/sport",
    ]
    first = pages[0]
    assert first.entry.article_id == article_id("https://news.example/markets/sec-rule")
    assert first.entry.seen_at == "2024-10-15T12:00:00.000Z"
    assert pages[1].entry.seen_at == "2024-10-16T08:30:00.000Z"
    assert first.entry.feed == "archive" and first.entry.title == "" and first.entry.published is None
    assert first.body == CAPTURES[0].body and first.content_type == "text/html; charset=utf-8"
    assert first.archived is not None and first.archived.file == str(path)
    # offsets point at the records: reading from there gives the same page
    offsets = [p.archived.offset for p in pages if p.archived is not None]
    assert offsets == sorted(set(offsets)) and offsets[0] > 0
    again, _, _ = split_outputs(
        read_archive_part(ArchivePart(str(path), offsets[1], offsets[1] + 1, path.stat().st_size), EVERYTHING)
    )
    assert [p.entry.url for p in again] == [pages[1].entry.url]

    assert dead == []
    # warcinfo + 5 requests + 5 responses; 3 kept, the 404 and the image skipped
    assert sum(p.records for p in progress) == 11
    assert sum(p.pages for p in progress) == 3 and sum(p.skipped for p in progress) == 8
    assert progress[-1].part_done and sum(p.bytes_read for p in progress) == path.stat().st_size


def test_filters_by_domain_and_warc_date(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", CAPTURES)
    wanted = ArchiveFilter(
        domains=("news.example",),
        since=parse_day_or_time("2024-10-16"),
        until=parse_day_or_time("2024-10-17T00:00:00Z"),
    )
    pages, dead, progress = read_whole(path, wanted)
    assert [p.entry.url for p in pages] == [
        "https://br.news.example/pt/regras"
    ]  # subdomain, inside the window
    assert dead == [] and sum(p.skipped for p in progress) == 10


def test_hostile_records_become_dead_letters_with_file_and_offset_and_the_rest_is_read(
    tmp_path: Path,
) -> None:
    good = Capture("https://news.example/good", page("A good page"))
    binary = Capture("https://news.example/fake.html", b"\x89PNG\r\n\x1a\n" + bytes(5000))
    huge = Capture("https://news.example/huge", page("Huge") + b"<p>" + b"x" * (20 * 1024 * 1024) + b"</p>")
    broken_gzip = Capture(
        "https://news.example/broken-encoding",
        b"\x1f\x8b\x08\x00not really gzip at all",
        extra_headers=(("Content-Encoding", "gzip"),),
    )
    last = Capture("https://news.example/last", page("The last page"))
    path = write_warc(
        tmp_path / "hostile.warc.gz", [good, binary, huge, broken_gzip, last], with_requests=False
    )

    pages, dead, _ = read_whole(path)

    assert [p.entry.url for p in pages] == ["https://news.example/good", "https://news.example/last"]
    reasons = {letter.url: letter.reason for letter in dead}
    assert reasons == {
        "https://news.example/fake.html": "binary_payload",
        "https://news.example/huge": "too_large",  # over the 10 MiB default cap: never read
        "https://news.example/broken-encoding": "undecodable",
    }
    for letter in dead:
        assert letter.stage == "ReadArchives" and letter.feed == "archive"
        assert letter.input["file"] == str(path) and letter.input["offset"] > 0
        assert letter.key == article_id(letter.url)


def _one(url: str, title: str) -> bytes:
    return warc_bytes([Capture(url, page(title))], gzip_records=False, with_requests=False)


def _lie(record: bytes, by: int) -> bytes:
    """``record`` (a warcinfo and a response) with the response's Content-Length off by ``by`` bytes."""
    start = record.index(b"WARC/1.0", 10)
    declared = record.index(b"Content-Length: ", start) + len(b"Content-Length: ")
    end = record.index(b"\r\n", declared)
    return record[:declared] + str(int(record[declared:end]) + by).encode() + record[end:]


def test_a_short_lying_content_length_and_garbage_cost_only_their_records(tmp_path: Path) -> None:
    one, two, three = (_one(f"https://news.example/{n}", n.title()) for n in ("one", "two", "three"))
    path = tmp_path / "lying.warc"
    # two claims 40 bytes fewer than it holds: its tail, then garbage, stand where a record should start
    path.write_bytes(one + _lie(two, -40) + b"\x00garbage between records\r\n" + three)

    pages, dead, _ = read_whole(path)

    assert [p.entry.url for p in pages] == [f"https://news.example/{n}" for n in ("one", "two", "three")]
    assert [(letter.reason, letter.url) for letter in dead] == [("malformed", None)]
    assert dead[0].input["file"] == str(path) and dead[0].input["offset"] > len(one) + len(two) - 100


def test_a_long_lying_content_length_costs_only_its_record(tmp_path: Path) -> None:
    one, two, three = (_one(f"https://news.example/{n}", n.title()) for n in ("one", "two", "three"))
    path = tmp_path / "lying.warc"
    path.write_bytes(one + _lie(two, 5000) + three)  # two claims to run past three, to the end of the file

    pages, dead, _ = read_whole(path)

    assert [p.entry.url for p in pages] == ["https://news.example/one", "https://news.example/three"]
    assert [(letter.reason, letter.url) for letter in dead] == [("truncated", "https://news.example/two")]


def test_progress_reports_add_up_over_many_records(tmp_path: Path) -> None:
    captures = [Capture(f"https://news.example/{n}", b"<html>tiny</html>") for n in range(700)]
    path = write_warc(tmp_path / "many.warc.gz", captures)
    pages, _, progress = read_whole(path)
    assert len(pages) == 700 and len(progress) >= 2 and not progress[0].part_done
    assert sum(p.records for p in progress) == 1 + 2 * 700
    assert sum(p.pages for p in progress) == 700
    assert sum(p.bytes_read for p in progress) == path.stat().st_size


def test_a_truncated_file_dead_letters_its_last_record(tmp_path: Path) -> None:
    whole = warc_bytes(
        [
            Capture("https://news.example/one", page("One")),
            Capture("https://news.example/two", page("Two", 30)),
        ],
        gzip_records=False,
        with_requests=False,
    )
    path = tmp_path / "cut.warc"
    path.write_bytes(whole[:-2000])  # the crawler died in the middle of the second page

    pages, dead, progress = read_whole(path)

    assert [p.entry.url for p in pages] == ["https://news.example/one"]
    assert [(letter.url, letter.reason) for letter in dead] == [("https://news.example/two", "truncated")]
    assert progress[-1].part_done


@pytest.mark.parametrize("gzip_records", [False, True], ids=["arc", "arc.gz"])
def test_reads_arc_files(tmp_path: Path, gzip_records: bool) -> None:
    path = tmp_path / ("old.arc.gz" if gzip_records else "old.arc")
    path.write_bytes(arc_bytes(CAPTURES[:3], gzip_records=gzip_records))

    pages, dead, _ = read_whole(path)

    assert dead == []
    assert [p.entry.url for p in pages] == [
        "https://news.example/markets/sec-rule",
        "https://br.news.example/pt/regras",
        "https://other.example/sport",
    ]
    assert pages[1].entry.seen_at == "2024-10-16T08:30:00.000Z"
    assert archive_parts(str(path), 10_000_000, 100) == [ArchivePart(str(path), 0, 10_000_000, 10_000_000)]


@pytest.mark.parametrize("gzip_records", [True, False], ids=["warc.gz", "warc"])
def test_parts_of_a_file_read_each_record_exactly_once(tmp_path: Path, gzip_records: bool) -> None:
    captures = [Capture(f"https://news.example/story-{n}", page(f"Story number {n}")) for n in range(40)]
    path = write_warc(tmp_path / "big.warc", captures, gzip_records=gzip_records)
    size = path.stat().st_size
    parts = archive_parts(str(path), size, 3000)
    assert len(parts) > 5

    seen: list[str] = []
    read = 0
    for part in parts:
        pages, dead, progress = split_outputs(read_archive_part(part, EVERYTHING))
        assert dead == []
        seen.extend(p.entry.url for p in pages)
        read += sum(p.bytes_read for p in progress)
    assert sorted(seen) == sorted(c.url for c in captures)
    assert read == size


def test_through_beam_globs_and_a_warc_paths_list_spread_over_parts(tmp_path: Path) -> None:
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    for day in range(3):
        captures = [
            Capture(f"https://news.example/{day}/{n}", page(f"Day {day} story {n}")) for n in range(5)
        ]
        write_warc(crawl / f"CC-NEWS-2024101{day}.warc.gz", captures)
    listing = tmp_path / "warc.paths.gz"
    listing.write_bytes(gzip.compress(b"crawl/CC-NEWS-20241010.warc.gz\ncrawl/CC-NEWS-20241011.warc.gz\n"))
    patterns = archive_patterns([str(listing), str(crawl / "*2.warc.gz")])
    assert patterns[0] == str(crawl / "CC-NEWS-20241010.warc.gz")

    def check(urls: list[str]) -> None:
        want = sorted(f"https://news.example/{day}/{n}" for day in range(3) for n in range(5))
        if sorted(urls) != want:
            raise BeamAssertException(f"{sorted(urls)} != {want}")

    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        pages, dead, progress = pipeline | ReadArchives(patterns, EVERYTHING, job="j", split_bytes=4096)
        assert_that(pages | beam.Map(lambda p: p.entry.url), check)
        assert_that(dead, lambda letters: _none(list(letters)), label="NoDead")
        assert_that(
            progress | beam.Filter(lambda p: p.part_done) | beam.Map(lambda p: p.file) | beam.Distinct(),
            lambda files: _count(list(files), 3),
            label="EveryFileDone",
        )


def _none(items: list[Any]) -> None:
    if items:
        raise BeamAssertException(f"unexpected: {items}")


def _count(items: list[Any], want: int) -> None:
    if len(items) != want:
        raise BeamAssertException(f"{len(items)} != {want}: {items}")


def test_an_unreadable_file_is_a_dead_letter(tmp_path: Path) -> None:
    missing = tmp_path / "gone.warc.gz"
    outputs = read_archive_part(ArchivePart(str(missing), 0, 100, 100), EVERYTHING)
    _, dead, progress = split_outputs(outputs)
    assert [letter.reason for letter in dead] == ["unreadable_file"]
    assert progress[-1].part_done and progress[-1].dead == 1


def test_through_beam_the_two_passes_give_the_same_pages_and_dead_letters(tmp_path: Path) -> None:
    one, two, three = (_one(f"https://news.example/{n}", n.title()) for n in ("one", "two", "three"))
    (tmp_path / "lying-long.warc").write_bytes(one + _lie(two, 5000) + three)
    (tmp_path / "garbage.warc").write_bytes(
        _one("https://news.example/four", "Four") + b"\x00junk\r\n" + three
    )
    captures = [
        Capture("https://news.example/five", page("Five")),
        Capture("https://news.example/fake.html", b"\x89PNG\r\n\x1a\n" + bytes(500)),
        Capture("https://news.example/big", page("Big", 400)),
        Capture("https://news.example/five", page("Five, later"), date="2024-10-20T00:00:00Z"),
    ]
    write_warc(tmp_path / "mixed.warc.gz", captures)
    wanted = ArchiveFilter(max_record_bytes=20_000)

    def check_pages(found: list[tuple[str, str]]) -> None:
        want = [
            ("https://news.example/five", "2024-10-20T00:00:00.000Z"),  # the later capture only
            ("https://news.example/one", "2024-10-15T12:00:00.000Z"),
            ("https://news.example/four", "2024-10-15T12:00:00.000Z"),
            ("https://news.example/three", "2024-10-15T12:00:00.000Z"),  # three is in two files: one article
        ]
        if sorted(found) != sorted(want):
            raise BeamAssertException(f"{sorted(found)} != {sorted(want)}")

    def check_dead(found: list[tuple[str, str | None]]) -> None:
        want = [
            ("binary_payload", "https://news.example/fake.html"),
            ("malformed", None),
            ("too_large", "https://news.example/big"),
            ("truncated", "https://news.example/two"),
        ]
        if sorted(found, key=str) != sorted(want, key=str):
            raise BeamAssertException(f"{sorted(found, key=str)} != {want}")

    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        pages, dead, _ = pipeline | ReadArchives(
            [str(tmp_path / "*.warc*")], wanted, job="j", split_bytes=1500
        )
        assert_that(pages | beam.Map(lambda p: (p.entry.url, p.entry.seen_at)), check_pages)
        assert_that(dead | beam.Map(lambda d: (d.reason, d.url)), check_dead, label="Dead")


def test_a_file_gzipped_whole_is_a_dead_letter_that_says_how_to_fix_it(tmp_path: Path) -> None:
    captures = [Capture(f"https://news.example/{n}", page(f"Story {n}")) for n in range(3)]
    path = tmp_path / "whole.warc.gz"
    path.write_bytes(gzip.compress(warc_bytes(captures, gzip_records=False, with_requests=False)))

    pages, dead, progress = read_whole(path)

    assert len(pages) <= 1  # warcio reads per-record gzip only: at most the first record comes out
    assert [letter.reason for letter in dead] == ["malformed"]
    assert "warcio recompress" in dead[0].message
    assert progress[-1].part_done
