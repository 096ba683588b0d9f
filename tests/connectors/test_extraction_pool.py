"""ExtractArticles on a pool of extraction processes: same articles as in-process, same budget, no leftovers."""

from __future__ import annotations

import os
import time
from pathlib import Path

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.article_extraction import ExtractArticles, extraction_pools_ahead
from tests.conftest import SAMPLES
from transforms.extraction import extract_article
from transforms.records import Article, FeedEntry, Page


def _page(path: Path | None, slug: str, *, summary: str = "") -> Page:
    url = f"http://127.0.0.1:9/en/{slug}.html"
    entry = FeedEntry(
        article_id=slug, feed="sample-en", feed_url="http://127.0.0.1:9/en/rss.xml", url=url, guid=slug,
        title="", summary=summary, content="", published=None, language_hint="en",
        seen_at="2026-11-23T08:05:00Z",
    )  # fmt: skip
    body = path.read_bytes() if path is not None else None
    return Page(
        entry=entry, final_url=url, status=200 if body else 404, body=body,
        content_type="text/html; charset=utf-8", error=None if body else "gone",
    )  # fmt: skip


def _essentials(article: Article) -> tuple[object, ...]:
    return (
        article.article_id,
        article.text_source,
        article.text,
        article.title,
        article.authors,
        article.published,
        article.language,
        article.fetch_error,
    )


def extraction_processes() -> list[int]:
    """Pids of this process's descendants that are extraction processes (spawned pool workers)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
            commands[int(entry.name)] = (
                Path(f"/proc/{entry.name}/cmdline").read_bytes().decode(errors="replace")
            )
        except OSError:  # gone meanwhile
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == os.getpid():
                return True
        return False

    return [pid for pid, command in commands.items() if "spawn_main" in command and descends(pid)]


def test_pool_extracts_the_same_articles_as_in_process_and_stops_its_processes() -> None:
    assert extraction_processes() == []
    pages = [_page(path, path.stem) for path in sorted((SAMPLES / "en").glob("*.html"))]
    pages.append(_page(None, "gone", summary="Only the feed's summary is left of this one."))
    expected, expected_dead = [], []
    for page in pages:
        try:
            expected.append(_essentials(extract_article(page)))
        except ValueError:  # NoText: the broken page with no feed text
            expected_dead.append((page.entry.article_id, "no_text"))
    assert len(expected) >= 6 and expected_dead == [("broken-page", "no_text")]
    with TestPipeline(runner="FnApiRunner") as pipeline:
        articles, dead = pipeline | beam.Create(pages) | ExtractArticles(processes=2)
        assert_that(articles | "Essentials" >> beam.Map(_essentials), equal_to(expected), label="articles")
        assert_that(dead | beam.Map(lambda d: (d.key, d.reason)), equal_to(expected_dead), label="dead")
        # while articles come out, the extraction processes are there (so the check after the run can fail)
        assert_that(
            articles | "PoolAlive" >> beam.Map(lambda _: len(extraction_processes()) >= 1),
            equal_to([True] * len(expected)),
            label="pool",
        )
    assert extraction_processes() == []  # teardown shut the pool down


def test_page_over_budget_in_a_process_is_dead_lettered_and_falls_back_to_the_feed() -> None:
    page = _page(
        SAMPLES / "en" / "sec-custody-rule.html", "a1", summary="The feed's own summary of the story."
    )
    with TestPipeline(runner="FnApiRunner") as pipeline:
        articles, dead = pipeline | beam.Create([page]) | ExtractArticles(timeout=1e-4, processes=2)
        assert_that(
            articles | beam.Map(lambda a: (a.article_id, a.text_source, a.text, a.fetch_error.split(":")[0])),
            equal_to([("a1", "feed", "The feed's own summary of the story.", "extraction_timeout")]),
            label="articles",
        )
        assert_that(
            dead | beam.Map(lambda d: (d.stage, d.reason, d.key)),
            equal_to([("ExtractArticles", "extraction_timeout", "a1")]),
            label="dead",
        )
    assert extraction_processes() == []  # the replaced pool and the new one are both gone


def _processes_once_started(count: int) -> set[int]:
    """The extraction processes, once ``count`` of them have started (a spawn takes a moment to exec)."""
    deadline = time.monotonic() + 30
    while len(found := set(extraction_processes())) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


def test_a_pool_started_ahead_is_the_one_the_run_extracts_on_and_its_teardown_stops_it() -> None:
    assert extraction_processes() == []
    pages = [
        _page(SAMPLES / "en" / f"{slug}.html", slug) for slug in ("sec-custody-rule", "mica-licence-deadline")
    ]
    with extraction_pools_ahead(2) as pools_ahead:
        ahead = _processes_once_started(2)
        assert len(ahead) == 2  # both processes start at once, before any page
        with TestPipeline(runner="FnApiRunner") as pipeline:
            articles, _ = (
                pipeline | beam.Create(pages) | ExtractArticles(processes=2, pools_ahead=pools_ahead)
            )
            # while pages are extracted, the processes are the ones started ahead, and no others
            assert_that(
                articles | beam.Map(lambda _: set(extraction_processes()) == ahead),
                equal_to([True] * len(pages)),
            )
        assert extraction_processes() == []  # the run took the pool, and its teardown shut it down


def test_a_pool_started_ahead_that_no_run_takes_is_stopped_with_its_block() -> None:
    assert extraction_processes() == []
    with extraction_pools_ahead(2):
        assert len(_processes_once_started(2)) == 2
    assert extraction_processes() == []
