"""ExtractArticles: fetched ``Page`` → ``Article`` (``transforms.extraction``), on a thread or a process pool.

When the page could not be fetched, or trafilatura finds no main text in it, the article is built from
the feed entry's content or summary and says so in ``text_source = "feed"``. Only an entry with no text
anywhere becomes a dead letter (reason ``no_text``); a page whose extraction overran its wall-clock budget
becomes a dead letter ``extraction_timeout`` and its article falls back to the feed's text; an extraction
that raised becomes ``extraction_error``.

The DoFn hands pages ahead to an extractor and yields results in input order, on the bundle's thread, so
that a fused stage keeps extracting while its bundle thread waits on the network (feed polls, fetches).
The extractor is one of:

- ``processes=0``: one extraction thread in this process, under a ``Watchdog`` budget. Extraction holds
  the GIL, so this uses at most one core whatever else runs here.
- ``processes=N``: a pool of N extraction processes (``connectors.extraction_processes``: only the page's
  bytes, Content-Type and URL go in, plain ``PageFields`` come back), so extraction uses N cores beside the
  bundle's thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics
from apache_beam.utils.shared import Shared
from apache_beam.utils.windowed_value import WindowedValue

from connectors.extraction_processes import ExtractionProcesses
from connectors.watchdog import TimedOut, Watchdog
from transforms.dead_letters import DEAD_LETTER, dead_letter
from transforms.extraction import NoText, build_article, extract_article
from transforms.page_fields import PageFields
from transforms.records import Article, Page

log = logging.getLogger(__name__)

STAGE = "ExtractArticles"
EXTRACTION_TIMEOUT = 10.0  # seconds of wall clock per page (trafilatura's p95 is ~58 ms a page)
EXTRACTION_QUEUE = 16  # pages handed ahead to each extraction process (or the thread): ~0.3 s of work


class ExtractionProcessDied(RuntimeError):
    """An extraction process died (killed, out of memory, crashed in C code) twice while on this page."""


class ExtractionPoolsAhead:
    """Extraction pools started by a run's launcher before the run, for its ExtractArticles to take.

    The processes' start-up (an interpreter, trafilatura imported and warmed: ~0.5 CPU-s and 0.5 s each) then
    overlaps the launcher's own (topics, the graph, the flagger's automata) instead of the first pages. The
    launcher hands this over through a ``Shared`` handle (``extraction_pools_ahead``); a stage running in
    another process finds an empty one there and starts its own pool.
    """

    def __init__(self) -> None:
        self._pools: dict[int, ExtractionProcesses] = {}
        self._lock = threading.Lock()

    def start(self, processes: int) -> None:
        """Start a pool of ``processes`` extraction processes, unless one of that size is waiting."""
        with self._lock:
            if processes > 0 and processes not in self._pools:
                self._pools[processes] = ExtractionProcesses(processes)

    def take(self, processes: int) -> ExtractionProcesses | None:
        """The waiting pool of this size, now the caller's to stop, or None."""
        with self._lock:
            return self._pools.pop(processes, None)

    def stop_left(self) -> None:
        """Stop the pools nobody took."""
        with self._lock:
            left, self._pools = list(self._pools.values()), {}
        for pool in left:
            pool.stop(kill=True)


_POOLS_AHEAD = "extraction-pools-ahead"  # the tag of the ``Shared`` object: one holder per handle


@contextlib.contextmanager
def extraction_pools_ahead(processes: int) -> Iterator[Shared]:
    """Start a pool of ``processes`` extraction processes now; yield the handle to give ``ExtractArticles``.

    Within the block, an ``ExtractArticles(processes=N, pools_ahead=handle)`` running in this process takes the
    pool in its ``setup()``; at the end of the block a pool nobody took is stopped. The block's own reference
    keeps the holder alive (``Shared`` holds objects weakly).
    """
    handle = Shared()
    holder = handle.acquire(ExtractionPoolsAhead, tag=_POOLS_AHEAD)
    holder.start(processes)
    try:
        yield handle
    finally:
        holder.stop_left()


# One page's outputs (articles and tagged dead letters), the article when there is one, and milliseconds spent.
_Outcome = tuple[list[Article | beam.pvalue.TaggedOutput], Article | None, int]


@dataclass(slots=True)
class _Queued:
    """A page handed to the extractor: its future, and what its outputs need (window, budget, retries)."""

    page: Page
    timestamp: Any
    window: Any
    # thread: Future[_Outcome]; pool: Future[tuple[PageFields | None, float]], None without a body
    future: Future[Any] | None
    submitted: float
    retried: bool = False
    seconds: float | None = None  # the extraction process's own time for the page


class _ExtractArticleFn(beam.DoFn):
    def __init__(
        self, timeout: float = EXTRACTION_TIMEOUT, processes: int = 0, pools_ahead: Shared | None = None
    ) -> None:
        self._timeout = timeout
        self._processes = processes
        self._pools_ahead = pools_ahead
        self._watchdog: Watchdog | None = None
        self._worker: ThreadPoolExecutor | None = None
        self._pool: ExtractionProcesses | None = None
        self._queued: deque[_Queued] = deque()
        self.extracted = Metrics.counter(STAGE, "extracted")
        self.fallbacks = Metrics.counter(STAGE, "fallback_to_feed")
        self.replaced_pools = Metrics.counter(STAGE, "extraction_pool_replaced")
        self.text_length = Metrics.distribution(STAGE, "text_length")
        self.extraction_ms = Metrics.distribution(STAGE, "extraction_ms")

    def setup(self) -> None:
        if self._processes > 0:
            ahead = None
            if self._pools_ahead is not None:
                ahead = self._pools_ahead.acquire(ExtractionPoolsAhead, tag=_POOLS_AHEAD).take(
                    self._processes
                )
            self._pool = ahead if ahead is not None else ExtractionProcesses(self._processes)
            return
        self._watchdog = Watchdog(name="extract-watchdog")
        # One extraction thread, fed ahead: in a fused stage the bundle's thread also polls feeds and waits
        # for pages, and while it waits on the network the queued pages keep being extracted (profiled:
        # without it the core sat idle during every feed poll).
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="extract")

    def teardown(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        if self._watchdog is not None:
            self._watchdog.close()
            self._watchdog = None
        if self._pool is not None:
            # every page was waited for or timed out (which replaced the pool): nothing is stuck here
            self._pool.stop()
            self._pool = None

    def start_bundle(self) -> None:
        self._queued = deque()

    def process(
        self,
        page: Page,
        timestamp: Any = beam.DoFn.TimestampParam,  # Beam fills these; Any because the default is a marker
        window: Any = beam.DoFn.WindowParam,
    ) -> Iterator[WindowedValue | beam.pvalue.TaggedOutput]:
        future: Future[Any] | None
        if self._pool is not None:
            future = self._submit(page)
            ahead = EXTRACTION_QUEUE * self._processes
        else:
            assert self._worker is not None
            future, ahead = self._worker.submit(self._extract, page), EXTRACTION_QUEUE
        self._queued.append(_Queued(page, timestamp, window, future, time.monotonic()))
        if self._pool is not None:
            self._pool.collect()  # take the results that have arrived (nothing else completes the futures)
        # hand on what is done, and wait for the oldest only when enough pages are queued
        while self._queued and (self._done(self._queued[0]) or len(self._queued) >= ahead):
            yield from self._emit(self._queued.popleft())

    def finish_bundle(self) -> Iterator[WindowedValue | beam.pvalue.TaggedOutput]:
        while self._queued:
            yield from self._emit(self._queued.popleft())

    @staticmethod
    def _done(queued: _Queued) -> bool:
        return queued.future is None or queued.future.done()

    def _emit(self, queued: _Queued) -> Iterator[WindowedValue | beam.pvalue.TaggedOutput]:
        # metrics here, on the bundle's thread: Beam keeps them per thread
        if self._pool is None:
            assert queued.future is not None
            outputs, article, elapsed_ms = queued.future.result()
        else:
            outputs, article = self._outcome(
                queued.page, lambda: build_article(queued.page, self._await(queued))
            )
            elapsed = queued.seconds if queued.seconds is not None else time.monotonic() - queued.submitted
            elapsed_ms = int(elapsed * 1000)
        for output in outputs:
            if isinstance(output, beam.pvalue.TaggedOutput):
                yield beam.pvalue.TaggedOutput(
                    output.tag, WindowedValue(output.value, queued.timestamp, (queued.window,))
                )
            else:
                yield WindowedValue(output, queued.timestamp, (queued.window,))
        if article is None:
            return
        if article.text_source == "feed":
            self.fallbacks.inc()
        self.extracted.inc()
        self.text_length.update(len(article.text))
        self.extraction_ms.update(elapsed_ms)

    # ------------------------------------------------------------------------------ in-process thread

    def _extract(self, page: Page) -> _Outcome:
        """On the extraction thread: the page's outputs (no metrics here)."""
        started = time.monotonic()
        assert self._watchdog is not None
        watchdog = self._watchdog
        outputs, article = self._outcome(
            page, lambda: watchdog.run(lambda: extract_article(page), timeout=self._timeout)
        )
        return outputs, article, int((time.monotonic() - started) * 1000) if article is not None else 0

    # ------------------------------------------------------------------------------ extraction processes

    def _submit(self, page: Page) -> Future[tuple[PageFields | None, float]] | None:
        assert self._pool is not None
        if not page.body:
            return None  # nothing to extract: the feed's text makes the article
        return self._pool.submit(page.body, page.content_type, page.final_url)

    def _await(self, queued: _Queued) -> PageFields | None:
        """The queued page's fields, waiting at most what is left of its budget (from when it was handed
        to the pool, so the time it waited behind at most ``EXTRACTION_QUEUE`` pages per process counts:
        0.3-1 s of work at this machine's p50-p95, against a 10 s budget). Raises ``TimedOut`` past it."""
        while queued.future is not None:
            remaining = queued.submitted + self._timeout - time.monotonic()
            try:
                assert self._pool is not None
                fields, queued.seconds = self._pool.result(queued.future, max(remaining, 0.0))
                return fields
            except BrokenProcessPool as broken:
                # a process died and took every page in flight with it: a new pool, and this page once more
                # (it may not be the page that killed the process)
                self._replace_pool()
                if queued.retried:
                    raise ExtractionProcessDied(
                        f"an extraction process died twice on this page: {broken}"
                    ) from broken
                queued.retried = True
                queued.future, queued.submitted = self._submit(queued.page), time.monotonic()
            except TimeoutError:
                if queued.future.done():
                    raise  # the extraction itself raised a TimeoutError: an extraction error
                # Python cannot stop the call, but it can stop the process: the pool is replaced, so a
                # pathological page never keeps a process (a core) busy after its budget, and the pages
                # queued behind it are handed to the new pool with a fresh budget
                self._replace_pool()
                raise TimedOut(
                    f"gave up after {self._timeout:g}s (its extraction process was stopped)"
                ) from None
        return None

    def _replace_pool(self) -> None:
        assert self._pool is not None
        self._pool.stop(kill=True)
        self._pool = ExtractionProcesses(self._processes)
        self.replaced_pools.inc()
        now = time.monotonic()
        for queued in self._queued:
            future = queued.future
            if future is None or (future.done() and not future.cancelled() and future.exception() is None):
                continue  # finished on the old pool: its result stands
            queued.future, queued.submitted = self._submit(queued.page), now

    # ------------------------------------------------------------------------------ shared

    def _outcome(
        self, page: Page, article_of: Callable[[], Article]
    ) -> tuple[list[Article | beam.pvalue.TaggedOutput], Article | None]:
        """``article_of()``'s article, or the dead letters and feed fallback its failure calls for."""
        outputs: list[Article | beam.pvalue.TaggedOutput] = []
        try:
            try:
                article = article_of()
            except TimedOut as timed_out:
                # the page is given up on (a dead letter says so); the feed's own text still makes an article
                log.warning("extraction of %s timed out: %s", page.entry.url, timed_out)
                outputs.append(self._dead_letter(page, "extraction_timeout", timed_out))
                article = build_article(
                    replace(page, body=None, error=f"extraction_timeout: {timed_out}"), None
                )
        except NoText as error:
            log.warning("no text for %s: %s", page.entry.url, error)
            outputs.append(self._dead_letter(page, "no_text", error))
            return outputs, None
        except Exception as error:  # trafilatura/lxml on hostile markup: one page must not stop the run
            log.exception("extraction failed for %s", page.entry.url)
            outputs.append(self._dead_letter(page, "extraction_error", error))
            return outputs, None
        if article.text_source == "feed":
            log.info("%s: using the feed's text (%s)", page.entry.url, page.error or "page had no main text")
        outputs.append(article)
        return outputs, article

    @staticmethod
    def _dead_letter(page: Page, reason: str, error: BaseException) -> beam.pvalue.TaggedOutput:
        entry = page.entry
        return beam.pvalue.TaggedOutput(
            DEAD_LETTER,
            dead_letter(
                STAGE, reason, error, feed=entry.feed, url=entry.url, key=entry.article_id, input=entry
            ),
        )


class ExtractArticles(beam.PTransform):
    """Pages → articles; returns ``(articles, dead_letters)``.

    ``timeout``: wall-clock seconds per extraction. ``processes``: 0 extracts on one thread of the worker's
    own process; N ≥ 1 on a pool of N extraction processes per DoFn instance, started in ``setup()`` (or taken
    from ``pools_ahead``, see ``extraction_pools_ahead``) and shut down in ``teardown()`` (see
    ``pipeline.runners.default_extraction_processes`` for when to use it).
    """

    def __init__(
        self, *, timeout: float = EXTRACTION_TIMEOUT, processes: int = 0, pools_ahead: Shared | None = None
    ) -> None:
        super().__init__()
        if processes < 0:
            raise ValueError(f"processes must be 0 (in-process) or more, not {processes}")
        self._timeout = timeout
        self._processes = processes
        self._pools_ahead = pools_ahead

    def expand(self, pages: beam.PCollection[Page]) -> tuple[beam.PCollection[Article], beam.PCollection]:
        outputs = pages | "Extract" >> beam.ParDo(
            _ExtractArticleFn(self._timeout, self._processes, self._pools_ahead)
        ).with_outputs(DEAD_LETTER, main="articles")
        return outputs.articles, outputs[DEAD_LETTER]
