"""ExtractArticles: fetched ``Page`` → ``Article`` (trafilatura), with the feed's own text as fallback.

When the page could not be fetched, or trafilatura finds no main text in it, the article is built from
the feed entry's content or summary and says so in ``text_source = "feed"``. Only an entry with no text
anywhere becomes a dead letter (reason ``no_text``).

The DoFn hands pages to one extraction thread a few ahead and yields results in input order, so that
a fused stage keeps extracting while its bundle thread waits on the network (feed polls, fetches).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import apache_beam as beam
import trafilatura
from apache_beam.metrics import Metrics
from apache_beam.utils.windowed_value import WindowedValue

from transforms.dead_letters import DEAD_LETTER, dead_letter
from transforms.records import Article, Page
from transforms.watchdog import TimedOut, Watchdog

log = logging.getLogger(__name__)

STAGE = "ExtractArticles"
EXTRACTION_TIMEOUT = 10.0  # seconds of wall clock per page (p95 is ~58 ms: FACTS.md)
EXTRACTION_QUEUE = 16  # pages handed to the extraction thread ahead of their results (~0.3 s of work)
MIN_PAGE_TEXT = 80  # shorter "main text" is a cookie banner or a teaser, not the article


class NoText(ValueError):
    """Neither the page nor the feed entry carried any text."""


def extract_article(page: Page) -> Article:
    """Build the article for ``page``; raises ``NoText`` when there is nothing to read."""
    entry = page.entry
    doc = None
    if page.html:
        doc = trafilatura.bare_extraction(
            page.html,
            url=page.final_url,
            with_metadata=True,
            favor_precision=True,  # scored best and cost nothing on the Zyte pages (FACTS.md)
            include_comments=False,
            include_tables=True,
        )
    page_text = (getattr(doc, "text", None) or "").strip()
    if len(page_text) >= MIN_PAGE_TEXT:
        text, source = page_text, "page"
    else:
        text, source = (entry.content or entry.summary).strip(), "feed"
        if not text:
            why = page.error or ("the page has no extractable text" if page.html else "no page")
            raise NoText(f"no text in the page ({why}) nor in the feed entry")
    # the feed's title and timestamp are the publisher's own; the page's fill the gaps
    title = entry.title or (getattr(doc, "title", None) or "")
    authors = tuple(a.strip() for a in (getattr(doc, "author", None) or "").split(";") if a.strip())
    published = entry.published or getattr(doc, "date", None)
    declared = getattr(doc, "language", None)
    return Article(
        article_id=entry.article_id,
        url=entry.url,
        feed=entry.feed,
        title=title,
        text=text,
        text_source=source,
        authors=authors,
        published=published,
        language=(declared or entry.language_hint),
        seen_at=entry.seen_at,
        tags=entry.tags,
        version=entry.version,
        fetch_error=None if source == "page" else (page.error or "no main text in the page"),
        fingerprint=entry.fingerprint,
    )


# One page's outputs (articles and tagged dead letters), the article when there is one, and milliseconds spent.
_Outcome = tuple[list[Article | beam.pvalue.TaggedOutput], Article | None, int]


class _ExtractArticleFn(beam.DoFn):
    def __init__(self, timeout: float = EXTRACTION_TIMEOUT) -> None:
        self._timeout = timeout
        self._watchdog: Watchdog | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._queued: deque[tuple[Future[_Outcome], Any, Any]] = deque()
        self.extracted = Metrics.counter(STAGE, "extracted")
        self.fallbacks = Metrics.counter(STAGE, "fallback_to_feed")
        self.text_length = Metrics.distribution(STAGE, "text_length")
        self.extraction_ms = Metrics.distribution(STAGE, "extraction_ms")

    def setup(self) -> None:
        self._watchdog = Watchdog(name="extract-watchdog")
        # One extraction thread, fed ahead: in a fused stage the bundle's thread also polls feeds and waits
        # for pages, and while it waits on the network the queued pages keep being extracted (profiled:
        # without it the core sat idle during every feed poll).
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="extract")

    def teardown(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)

    def start_bundle(self) -> None:
        self._queued = deque()

    def process(
        self,
        page: Page,
        timestamp: Any = beam.DoFn.TimestampParam,  # Beam fills these; Any because the default is a marker
        window: Any = beam.DoFn.WindowParam,
    ) -> Iterator[WindowedValue | beam.pvalue.TaggedOutput]:
        assert self._worker is not None
        self._queued.append((self._worker.submit(self._extract, page), timestamp, window))
        # hand on what is done, and wait for the oldest only when enough pages are queued
        while self._queued and (self._queued[0][0].done() or len(self._queued) >= EXTRACTION_QUEUE):
            yield from self._emit(*self._queued.popleft())

    def finish_bundle(self) -> Iterator[WindowedValue | beam.pvalue.TaggedOutput]:
        while self._queued:
            yield from self._emit(*self._queued.popleft())

    def _emit(
        self, future: Future[_Outcome], timestamp: Any, window: Any
    ) -> Iterator[WindowedValue | beam.pvalue.TaggedOutput]:
        # metrics here, on the bundle's thread: Beam keeps them per thread
        outputs, article, elapsed_ms = future.result()
        for output in outputs:
            if isinstance(output, beam.pvalue.TaggedOutput):
                yield beam.pvalue.TaggedOutput(output.tag, WindowedValue(output.value, timestamp, (window,)))
            else:
                yield WindowedValue(output, timestamp, (window,))
        if article is None:
            return
        if article.text_source == "feed":
            self.fallbacks.inc()
        self.extracted.inc()
        self.text_length.update(len(article.text))
        self.extraction_ms.update(elapsed_ms)

    def _extract(self, page: Page) -> _Outcome:
        """On the extraction thread: the page's outputs (no metrics here)."""
        started = time.monotonic()
        assert self._watchdog is not None
        outputs: list[Article | beam.pvalue.TaggedOutput] = []
        try:
            try:
                article = self._watchdog.run(lambda: extract_article(page), timeout=self._timeout)
            except TimedOut as timed_out:
                # the page is given up on (a dead letter says so); the feed's own text still makes an article
                log.warning("extraction of %s timed out: %s", page.entry.url, timed_out)
                outputs.append(
                    beam.pvalue.TaggedOutput(
                        DEAD_LETTER,
                        dead_letter(
                            STAGE,
                            "extraction_timeout",
                            timed_out,
                            feed=page.entry.feed,
                            url=page.entry.url,
                            key=page.entry.article_id,
                            input=page.entry,
                        ),
                    )
                )
                article = extract_article(replace(page, html=None, error=f"extraction_timeout: {timed_out}"))
        except NoText as error:
            log.warning("no text for %s: %s", page.entry.url, error)
            outputs.append(
                beam.pvalue.TaggedOutput(
                    DEAD_LETTER,
                    dead_letter(
                        STAGE,
                        "no_text",
                        error,
                        feed=page.entry.feed,
                        url=page.entry.url,
                        key=page.entry.article_id,
                        input=page.entry,
                    ),
                )
            )
            return outputs, None, 0
        except Exception as error:  # trafilatura/lxml on hostile markup: one page must not stop the run
            log.exception("extraction failed for %s", page.entry.url)
            outputs.append(
                beam.pvalue.TaggedOutput(
                    DEAD_LETTER,
                    dead_letter(
                        STAGE,
                        "extraction_error",
                        error,
                        feed=page.entry.feed,
                        url=page.entry.url,
                        key=page.entry.article_id,
                        input=page.entry,
                    ),
                )
            )
            return outputs, None, 0
        if article.text_source == "feed":
            log.info("%s: using the feed's text (%s)", page.entry.url, page.error or "page had no main text")
        outputs.append(article)
        return outputs, article, int((time.monotonic() - started) * 1000)


class ExtractArticles(beam.PTransform):
    """Pages → articles; returns ``(articles, dead_letters)``; ``timeout``: seconds per extraction."""

    def __init__(self, *, timeout: float = EXTRACTION_TIMEOUT) -> None:
        super().__init__()
        self._timeout = timeout

    def expand(self, pages: beam.PCollection[Page]) -> tuple[beam.PCollection[Article], beam.PCollection]:
        outputs = pages | "Extract" >> beam.ParDo(_ExtractArticleFn(self._timeout)).with_outputs(
            DEAD_LETTER, main="articles"
        )
        return outputs.articles, outputs[DEAD_LETTER]
