"""FetchPages: feed entries → fetched pages, many requests in flight, results in arrival order.

Input: ``FeedEntry``. Output: ``Page`` with the body as it arrived and its Content-Type (extraction
decodes it: ``transforms.page_encoding``), or, when the page cannot be had, a ``Page`` with ``body=None``
and the error, so that extraction falls back to the feed's own text. Page failures are therefore not dead
letters here: they are logged and counted, and the article still flows. Only an exception that no one
anticipated is also a dead letter (``unexpected_error``, with its class) beside that page.

robots.txt is honoured for every page (``connectors.robots``) unless the entry's feed is listed in
``ignore_robots_for`` (``respect_robots: false`` in the feeds file); a disallowed page is not requested
and comes back with the error ``robots: ...``. Requests share the process-wide per-site gate with the
feed polls (``connectors.http``).

Concurrency (``connectors.in_flight``): each entry's fetch starts on a thread pool from ``process``, and
pages come out as they complete (not in input order), so the fused extraction step downstream works on
one page while the next ones download. Entries arrive grouped by feed, i.e. by site, and a site takes only
``per_host_concurrency`` requests at a time: entries are held back per site (up to
``HELD_PER_SLOT × max_in_flight`` of them before ``process`` waits) and a free slot goes to the site with
the most entries held that is below its cap. So the pool's threads never queue on one site's gate while
other sites' pages wait, and the sites' backlogs shrink together: a run does not end on one site's last
pages fetched a few at a time while the extraction cores idle.
Every fetch keeps to its budget; still, a bundle waits for none longer than twice the budget (robots.txt
and the page) plus ``FETCH_GRACE``: past that the page comes out without a body, and its thread is left
to end on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection, TaggedOutput
from apache_beam.utils.windowed_value import WindowedValue

from connectors.errors import FetchError
from connectors.http import HttpClient, HttpSettings, politeness_key
from connectors.in_flight import Done, InFlight, Overdue
from connectors.robots import RobotsCache, shared_robots
from transforms.dead_letters import DEAD_LETTER, UNEXPECTED, Crashed
from transforms.failures import ElementFailures
from transforms.records import DeadLetter, FeedEntry, Page

log = logging.getLogger(__name__)

STAGE = "FetchPages"
HELD_PER_SLOT = 16  # entries held back per pool slot before process() waits for a fetch to finish
FETCH_GRACE = 30.0  # seconds past twice the fetch budget before a bundle gives up waiting for a fetch


def fetch_page(client: HttpClient, entry: FeedEntry, robots: RobotsCache | None = None) -> Page:
    """Fetch ``entry``'s page; a failure comes back as a ``Page`` without HTML, never as an exception.

    With ``robots``, the page is fetched only when robots.txt allows it.
    """
    try:
        if robots is not None:
            robots.check(entry.url)
        response = client.get(entry.url, max_bytes=client.settings.max_page_bytes)
    except FetchError as error:
        return Page(
            entry=entry,
            final_url=entry.url,
            status=getattr(error, "status", 0),
            body=None,
            error=f"{error.reason}: {error}",
        )
    content_type = response.headers.get("content-type", "")
    if content_type and not any(kind in content_type for kind in ("html", "xml", "text/plain")):
        return Page(
            entry=entry,
            final_url=response.url,
            status=response.status,
            body=None,
            error=f"not_html: content type {content_type}",
        )
    return Page(
        entry=entry,
        final_url=response.url,
        status=response.status,
        body=response.body,
        content_type=content_type or None,
    )


class _FetchPageFn(beam.DoFn):
    def __init__(self, http: HttpSettings, max_in_flight: int, ignore_robots_for: frozenset[str]) -> None:
        self._http_settings = http
        self._max_in_flight = max_in_flight
        self._ignore_robots_for = ignore_robots_for
        self._client: HttpClient | None = None
        self._robots: RobotsCache | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._fetching: InFlight[FeedEntry, Page] | None = None
        self._failures = ElementFailures(STAGE)
        # robots.txt and the page, each within the budget; past this a fetch is given up on
        self._give_up_after = 2 * http.total_timeout + FETCH_GRACE
        self.fetched = Metrics.counter(STAGE, "pages_fetched")
        self.failed = Metrics.counter(STAGE, "page_failures")
        self.latency = Metrics.distribution(STAGE, "fetch_latency_ms")

    def setup(self) -> None:
        self._client = HttpClient(self._http_settings, pool_size=self._max_in_flight)
        self._robots = shared_robots(self._http_settings)
        self._pool = ThreadPoolExecutor(self._max_in_flight, thread_name_prefix="fetch")

    def teardown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()

    def start_bundle(self) -> None:
        # one site takes only its share of the slots, so the threads never queue on one site's gate
        self._fetching = InFlight(
            self._start_fetch,
            max_in_flight=self._max_in_flight,
            per_key=self._http_settings.per_host_concurrency,
            budget=self._give_up_after,
        )

    def _start_fetch(self, entry: FeedEntry) -> Future[Page]:
        assert self._pool is not None and self._client is not None
        robots = None if entry.feed in self._ignore_robots_for else self._robots
        return self._pool.submit(fetch_page, self._client, entry, robots)

    def process(
        self,
        entry: FeedEntry,
        timestamp: Any = beam.DoFn.TimestampParam,  # Beam fills these; Any because the default is a marker
        window: Any = beam.DoFn.WindowParam,
    ) -> Iterator[WindowedValue | TaggedOutput[str, WindowedValue]]:
        assert self._fetching is not None
        self._fetching.submit(entry, timestamp=timestamp, window=window, key=politeness_key(entry.url))
        # hand on what is done, and wait for a fetch to finish only when too many entries are held back
        for done in self._fetching.ready(max_held=HELD_PER_SLOT * self._max_in_flight):
            yield from self._emit(done)

    def finish_bundle(self) -> Iterator[WindowedValue | TaggedOutput[str, WindowedValue]]:
        assert self._fetching is not None
        for done in self._fetching.drain():  # each fetch within its budget
            yield from self._emit(done)

    def _emit(
        self, done: Done[FeedEntry, Page]
    ) -> Iterator[WindowedValue | TaggedOutput[str, WindowedValue]]:
        entry = done.element
        seconds = done.seconds
        if isinstance(done.error, Overdue):  # abandoned: its thread ends on its own, its result unread
            page = _without_body(entry, f"timeout: still fetching after {self._give_up_after:g}s; given up")
            seconds = self._give_up_after
            self._failures.count_success()
        elif done.error is not None:
            # the article still goes out, from the feed's text; a dead letter says why
            crash = Crashed.of(done.error)
            page = _without_body(entry, f"{UNEXPECTED}: {crash.error_class}: {crash}")
            letter = self._failures.dead_letter(
                crash, feed=entry.feed, url=entry.url, key=entry.article_id, input=entry
            )
            yield TaggedOutput(DEAD_LETTER, done.windowed(letter))
        else:
            page = done.result()
            self._failures.count_success()
        self.latency.update(int(seconds * 1000))
        if page.body is None:
            self.failed.inc()
            log.warning("page %s not fetched (%s); the feed's text will be used", page.entry.url, page.error)
        else:
            self.fetched.inc()
        yield done.windowed(page)


def _without_body(entry: FeedEntry, error: str) -> Page:
    return Page(entry=entry, final_url=entry.url, status=0, body=None, error=error)


class FetchPages(beam.PTransform[PCollection[FeedEntry], tuple[PCollection[Page], PCollection[DeadLetter]]]):
    """Feed entries → ``(pages, dead_letters)``: each page with the body that arrived or the reason there
    is none; dead letters only for unexpected failures (the page still comes out, without a body)."""

    def __init__(
        self, http: HttpSettings, *, max_in_flight: int = 32, ignore_robots_for: frozenset[str] = frozenset()
    ) -> None:
        super().__init__()
        self._http = http
        self._max_in_flight = max_in_flight
        self._ignore_robots_for = ignore_robots_for

    def expand(self, entries: PCollection[FeedEntry]) -> tuple[PCollection[Page], PCollection[DeadLetter]]:
        outputs = entries | "Fetch" >> beam.ParDo(
            _FetchPageFn(self._http, self._max_in_flight, self._ignore_robots_for)
        ).with_outputs(DEAD_LETTER, main="pages")
        return outputs.pages, outputs[DEAD_LETTER]


def _site_of(entry: FeedEntry) -> tuple[str, FeedEntry]:
    return politeness_key(entry.url), entry


class RouteEntriesBySite(beam.PTransform[PCollection[FeedEntry], PCollection[tuple[str, list[FeedEntry]]]]):
    """Entries → batches of one site's entries, ``(site, entries)``, each emitted by the worker owning the site.

    Why: the per-site gate in ``connectors.http`` is per worker process, so with entries spread at random
    over N workers a site would see up to N times its politeness limit. Batching keyed by site
    (``GroupIntoBatches``: keyed state) makes the runner send all of a site's entries to the one worker that
    owns that key, and ``FetchPages`` fused after it fetches them there, under that worker's gate: the
    site's limit then holds for the whole job. The price: at most ``max_buffering`` seconds of extra
    latency in streaming mode, and a site's pages are fetched by one worker (many sites still spread).
    """

    def __init__(self, *, batch_size: int, max_buffering: float = 1.0) -> None:
        super().__init__()
        self._batch_size = batch_size
        self._max_buffering = max_buffering

    def expand(self, entries: PCollection[FeedEntry]) -> PCollection[tuple[str, list[FeedEntry]]]:
        batches: PCollection[tuple[str, list[FeedEntry]]] = (
            entries
            | "KeyBySite" >> beam.Map(_site_of)
            | "BatchBySite"
            >> beam.GroupIntoBatches(self._batch_size, max_buffering_duration_secs=self._max_buffering)
        )
        return batches
