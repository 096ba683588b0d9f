"""ExtractArticles: fetched ``Page`` → ``Article`` (``transforms.extraction``), on a thread or a process pool.

When the page could not be fetched, or trafilatura finds no main text in it, the article is built from
the feed entry's content or summary and says so in ``text_source = "feed"``. Only an entry with no text
anywhere becomes a dead letter (reason ``no_text``); a page whose extraction overran its wall-clock budget
becomes a dead letter ``extraction_timeout`` and its article falls back to the feed's text; an extraction
that raised becomes ``extraction_error``.

The DoFn hands pages ahead to an extractor (``connectors.in_flight``) and yields results in input order,
on the bundle's thread, so that a fused stage keeps extracting while its bundle thread waits on the network
(feed polls, fetches). The extractor is one of:

- ``processes=0`` (``_ExtractOnThreadFn``): one extraction thread in this process, under a ``Watchdog``
  budget. Extraction holds the GIL, so this uses at most one core whatever else runs here.
- ``processes=N`` (``_ExtractInProcessesFn``): a pool of N extraction processes
  (``connectors.extraction_processes``: only the page's bytes, Content-Type and URL go in, plain
  ``PageFields`` come back), so extraction uses N cores beside the bundle's thread.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeAlias, TypeVar

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection, TaggedOutput
from apache_beam.utils.shared import Shared
from apache_beam.utils.windowed_value import WindowedValue

from connectors.extraction_processes import ExtractionProcesses
from connectors.in_flight import Done, InFlight, Overdue
from connectors.watchdog import TimedOut, Watchdog
from transforms.dead_letters import DEAD_LETTER, dead_letter
from transforms.extraction import NoText, build_article, extract_article, metadata_wanted
from transforms.extraction_fields import PageFields
from transforms.records import Article, DeadLetter, Page

log = logging.getLogger(__name__)

STAGE = "ExtractArticles"
# seconds of wall clock per page: far beyond a normal page, so only pathological ones reach it
EXTRACTION_TIMEOUT = 10.0
# pages handed ahead to each extraction process (or the thread): enough to keep it busy while the bundle's
# thread waits on the network, few enough that a page's wait behind them is small beside its budget
EXTRACTION_QUEUE = 16


class ExtractionProcessDied(RuntimeError):
    """An extraction process died (killed, out of memory, crashed in C code) twice while on this page."""


class ExtractionPoolsAhead:
    """Extraction pools started by a run's launcher before the run, for its ExtractArticles to take.

    The processes' start-up (an interpreter each, trafilatura imported and warmed) then overlaps the launcher's own (topics, the graph, the flagger's automata) instead of the first pages. The
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


class _PageOutcome(NamedTuple):
    """One page's outputs (the article or the feed's fallback, and its dead letters), the article when there
    is one, and the milliseconds its extraction took."""

    outputs: list[Article | TaggedOutput[str, DeadLetter]]
    article: Article | None
    elapsed_ms: int


# What an extraction process hands back for a page: its fields (None: nothing to extract), its own seconds.
_Extracted = tuple[PageFields | None, float | None]

if TYPE_CHECKING:
    _Output: TypeAlias = WindowedValue | TaggedOutput[str, WindowedValue]
else:  # the Flink path's Beam release (deploy/flink/requirements.txt) has no generic TaggedOutput
    _Output = WindowedValue | TaggedOutput
R = TypeVar("R")  # what an extractor hands back for a page


class _ExtractArticleFn(beam.DoFn, Generic[R]):
    """What both extractors share: pages handed ahead and taken back in input order
    (``connectors.in_flight``; a page waits for room once ``EXTRACTION_QUEUE`` pages per extractor are
    out), a page's outcome, its outputs in the page's window, the metrics. An extractor makes
    ``_extracting`` in ``start_bundle`` and says how a page it handed back is emitted."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._extracting: InFlight[Page, R] | None = None
        self.extracted = Metrics.counter(STAGE, "extracted")
        self.fallbacks = Metrics.counter(STAGE, "fallback_to_feed")
        self.text_length = Metrics.distribution(STAGE, "text_length")
        self.extraction_ms = Metrics.distribution(STAGE, "extraction_ms")

    def process(
        self,
        page: Page,
        timestamp: Any = beam.DoFn.TimestampParam,  # Beam fills these; Any because the default is a marker
        window: Any = beam.DoFn.WindowParam,
    ) -> Iterator[_Output]:
        assert self._extracting is not None
        self._extracting.submit(page, timestamp=timestamp, window=window)
        # hand on what is done, and wait for the oldest page only while a page waits for room
        for extracted in self._extracting.ready(max_held=0):
            yield from self._emit_extracted(extracted)

    def finish_bundle(self) -> Iterator[_Output]:
        assert self._extracting is not None
        for extracted in self._extracting.drain():  # each page within its budget
            yield from self._emit_extracted(extracted)

    def _emit_extracted(self, extracted: Done[Page, R]) -> Iterator[_Output]:
        raise NotImplementedError

    def _emit(self, page: Done[Page, Any], outcome: _PageOutcome) -> Iterator[_Output]:
        # metrics here, on the bundle's thread: Beam keeps them per thread
        for output in outcome.outputs:
            if isinstance(output, TaggedOutput):
                yield TaggedOutput(output.tag, page.windowed(output.value))
            else:
                yield page.windowed(output)
        article = outcome.article
        if article is None:
            return
        if article.text_source == "feed":
            self.fallbacks.inc()
        self.extracted.inc()
        self.text_length.update(len(article.text))
        self.extraction_ms.update(outcome.elapsed_ms)

    def _outcome(
        self, page: Page, article_of: Callable[[], Article]
    ) -> tuple[list[Article | TaggedOutput[str, DeadLetter]], Article | None]:
        """``article_of()``'s article, or the dead letters and feed fallback its failure calls for."""
        outputs: list[Article | TaggedOutput[str, DeadLetter]] = []
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
    def _dead_letter(page: Page, reason: str, error: BaseException) -> TaggedOutput[str, DeadLetter]:
        entry = page.entry
        return TaggedOutput(
            DEAD_LETTER,
            dead_letter(
                STAGE,
                reason,
                error,
                feed=entry.feed,
                url=entry.url,
                key=entry.article_id,
                # an archived page's dead letter says where to read it again: file and offset
                input=entry if page.archived is None else {"archived": page.archived, "entry": entry},
            ),
        )


class _ExtractOnThreadFn(_ExtractArticleFn[_PageOutcome]):
    """Extraction on one thread of this process, each page under a ``Watchdog`` budget. Extraction holds
    the GIL, so this uses at most one core whatever else runs here."""

    def __init__(self, timeout: float) -> None:
        super().__init__(timeout)
        self._watchdog: Watchdog | None = None
        self._worker: ThreadPoolExecutor | None = None

    def setup(self) -> None:
        self._watchdog = Watchdog(name="extract-watchdog")
        # One extraction thread, fed ahead: in a fused stage the bundle's thread also polls feeds and waits
        # for pages, and while it waits on the network the queued pages keep being extracted instead of
        # the core sitting idle.
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="extract")

    def teardown(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        if self._watchdog is not None:
            self._watchdog.close()
            self._watchdog = None

    def start_bundle(self) -> None:
        # no budget here: the watchdog keeps every page to it on the extraction thread
        self._extracting = InFlight(self._hand_over, max_in_flight=EXTRACTION_QUEUE, ordered=True)

    def _emit_extracted(self, extracted: Done[Page, _PageOutcome]) -> Iterator[_Output]:
        yield from self._emit(extracted, extracted.result())  # the thread never raises: see _outcome

    def _hand_over(self, page: Page) -> Future[_PageOutcome]:
        assert self._worker is not None
        return self._worker.submit(self._extract, page)

    def _extract(self, page: Page) -> _PageOutcome:
        """On the extraction thread: the page's outputs (no metrics here)."""
        started = time.monotonic()
        assert self._watchdog is not None
        watchdog = self._watchdog
        outputs, article = self._outcome(
            page, lambda: watchdog.run(lambda: extract_article(page), timeout=self._timeout)
        )
        elapsed_ms = int((time.monotonic() - started) * 1000) if article is not None else 0
        return _PageOutcome(outputs, article, elapsed_ms)


class _ExtractInProcessesFn(_ExtractArticleFn[_Extracted]):
    """Extraction on a pool of extraction processes (``connectors.extraction_processes``: only the page's
    bytes, Content-Type and URL go in, plain ``PageFields`` come back), so it uses that many cores beside
    the bundle's thread. A page over its budget, or a process that dies, costs the pool: it is replaced,
    and the pages out on it are handed to the new one."""

    def __init__(self, timeout: float, processes: int, pools_ahead: Shared | None) -> None:
        super().__init__(timeout)
        self._processes = processes
        self._pools_ahead = pools_ahead
        self._pool: ExtractionProcesses | None = None
        self.replaced_pools = Metrics.counter(STAGE, "extraction_pool_replaced")

    def setup(self) -> None:
        ahead = None
        if self._pools_ahead is not None:
            ahead = self._pools_ahead.acquire(ExtractionPoolsAhead, tag=_POOLS_AHEAD).take(self._processes)
        self._pool = ahead if ahead is not None else ExtractionProcesses(self._processes)

    def teardown(self) -> None:
        if self._pool is not None:
            # every page was waited for or timed out (which replaced the pool): nothing is stuck here
            self._pool.stop()
            self._pool = None

    def start_bundle(self) -> None:
        # the budget counts from the hand-over, so the time a page waits behind the others counts too
        self._extracting = InFlight(
            self._hand_over,
            max_in_flight=EXTRACTION_QUEUE * self._processes,
            budget=self._timeout,
            ordered=True,
            collect=self._collect,
        )

    def _hand_over(self, page: Page) -> Future[_Extracted]:
        assert self._pool is not None
        if not page.body:  # nothing to extract: the feed's text makes the article
            nothing: Future[_Extracted] = Future()
            nothing.set_result((None, None))
            return nothing
        return self._pool.submit(page.body, page.content_type, page.final_url, metadata_wanted(page.entry))

    def _collect(self, timeout: float | None) -> None:
        assert self._pool is not None
        self._pool.collect(timeout)  # nothing else completes the pool's futures

    def _emit_extracted(self, extracted: Done[Page, _Extracted]) -> Iterator[_Output]:
        page = extracted.element
        if isinstance(extracted.error, BrokenProcessPool):
            # a process died and took every page in flight with it: a new pool, and this page once more
            # (it may not be the page that killed the process)
            self._replace_pool()
            if extracted.attempt == 1:
                assert self._extracting is not None
                self._extracting.retry(extracted)
                # it was due out: it is waited for now, on the new pool
                yield from self._emit_extracted(self._extracting.next_done())
                return
        outputs, article = self._outcome(page, lambda: build_article(page, self._fields(extracted)))
        _, seconds = extracted.value or (None, None)
        elapsed = seconds if seconds is not None else time.monotonic() - extracted.started
        yield from self._emit(extracted, _PageOutcome(outputs, article, int(elapsed * 1000)))

    def _fields(self, extracted: Done[Page, _Extracted]) -> PageFields | None:
        """The page's fields; ``TimedOut`` past its budget, ``ExtractionProcessDied`` after a second death."""
        error = extracted.error
        if isinstance(error, Overdue):
            # Python cannot stop the call, but it can stop the process: the pool is replaced, so a
            # pathological page never keeps a process (a core) busy after its budget, and the pages
            # queued behind it are handed to the new pool with a fresh budget
            self._replace_pool()
            raise TimedOut(f"gave up after {self._timeout:g}s (its extraction process was stopped)")
        if isinstance(error, BrokenProcessPool):
            raise ExtractionProcessDied(f"an extraction process died twice on this page: {error}") from error
        fields, _ = extracted.result()  # an extraction that raised (a TimeoutError too) raises here
        return fields

    def _replace_pool(self) -> None:
        assert self._pool is not None and self._extracting is not None
        self._pool.stop(kill=True)
        self._pool = ExtractionProcesses(self._processes)
        self.replaced_pools.inc()
        self._extracting.restart_unfinished()  # what finished on the old pool stands


class ExtractArticles(
    beam.PTransform[PCollection[Page], tuple[PCollection[Article], PCollection[DeadLetter]]]
):
    """Pages → articles; returns ``(articles, dead_letters)``.

    ``timeout``: wall-clock seconds per extraction. ``processes``: 0 extracts on one thread of the worker's
    own process; N ≥ 1 on a pool of N extraction processes per DoFn instance, started in ``setup()`` (or taken
    from ``pools_ahead``, see ``extraction_pools_ahead``) and shut down in ``teardown()`` (see
    ``pipeline.runner_choice.default_extraction_processes`` for when to use it).
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

    def expand(self, pages: PCollection[Page]) -> tuple[PCollection[Article], PCollection[DeadLetter]]:
        extract: _ExtractArticleFn[Any] = (
            _ExtractInProcessesFn(self._timeout, self._processes, self._pools_ahead)
            if self._processes
            else _ExtractOnThreadFn(self._timeout)
        )
        outputs = pages | "Extract" >> beam.ParDo(extract).with_outputs(DEAD_LETTER, main="articles")
        return outputs.articles, outputs[DEAD_LETTER]
