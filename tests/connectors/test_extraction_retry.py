"""ExtractArticles when extraction processes die: the page due out is tried once more on a new pool, and a
page whose processes die twice is dead-lettered (``extraction_error``) while the others go on."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.article_extraction import ExtractArticles
from tests.conftest import SAMPLES
from tests.connectors.test_extraction_pool import _page, extraction_processes
from transforms.records import Page

SLUGS = ("sec-custody-rule", "mica-licence-deadline", "fca-fine-aml", "btc-price-rally")
POISONED = "sec-custody-rule"  # the page on whose way every process dies, on the first pool and the next
KILLED_ONCE = "mica-licence-deadline"  # the page on whose way the processes die once


def _exited(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")  # a zombie has exited: its parent sees it as soon as it looks


def _kill(pids: list[int]) -> None:
    """SIGKILL ``pids`` and wait until they have exited, so the stage finds its pool broken at once."""
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not all(_exited(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.01)


def _kill_the_next_pool(before: set[int]) -> None:
    """Kill the extraction processes that start after ``before`` were killed: the pool the page is tried
    again on (it is still starting up, so it cannot have finished the page)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = [pid for pid in extraction_processes() if pid not in before and not _exited(pid)]
        if new:
            _kill(new)
            return
        time.sleep(0.01)


def _kill_the_extraction_processes(page: Page) -> Page:
    """Before ``POISONED`` and ``KILLED_ONCE`` reach extraction, kill every extraction process (and, for
    ``POISONED``, the pool that replaces them too), so the stage finds its pool broken with the page in
    flight."""
    if page.entry.article_id in (POISONED, KILLED_ONCE):
        pids = extraction_processes()
        assert pids, "no extraction process to kill: the test would prove nothing"
        _kill(pids)
        if page.entry.article_id == POISONED:
            threading.Thread(target=_kill_the_next_pool, args=(set(pids),), daemon=True).start()
    return page


def test_a_page_whose_processes_die_is_tried_again_and_dead_lettered_the_second_time() -> None:
    assert extraction_processes() == []
    pages = [_page(SAMPLES / "en" / f"{slug}.html", slug) for slug in SLUGS]
    with TestPipeline(runner="FnApiRunner") as pipeline:
        articles, dead = (
            pipeline
            | beam.Create(pages, reshuffle=False)  # one bundle, in this order, fused with extraction
            | beam.Map(_kill_the_extraction_processes)
            | ExtractArticles(processes=2)
        )
        assert_that(
            dead | beam.Map(lambda d: (d.key, d.reason, d.error_class, "died twice" in d.message)),
            equal_to([(POISONED, "extraction_error", "ExtractionProcessDied", True)]),
            label="dead",
        )
        # the page whose pool died once is extracted on the next pool, like the pages after it
        assert_that(
            articles | beam.Map(lambda a: (a.article_id, a.text_source)),
            equal_to([(slug, "page") for slug in SLUGS if slug != POISONED]),
            label="articles",
        )
    assert extraction_processes() == []  # every replaced pool is gone, and so is the last one
