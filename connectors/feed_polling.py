"""PollFeeds: feeds → feed entries, one HTTP GET per feed whenever it is due.

Input: ``Feed`` records, as often as the source ticks (once in ``--once`` mode). Per feed, Beam state
keyed by feed name holds the validators (ETag, Last-Modified), the time the next poll is due and the
count of consecutive failures, so the schedule survives on whichever worker owns the key:

- a 304 costs no parsing and yields nothing;
- the next poll is the larger of the configured interval and the server's hints (RSS ``<ttl>``,
  ``Cache-Control: max-age``, ``Retry-After``), capped at ``MAX_INTERVAL``;
- after a failure the interval doubles per consecutive failure (with jitter), and resets on success;
  from ``BROKEN_AFTER`` consecutive failures on, the ops record's outcome is ``broken`` (the reason
  stays in its ``error``) and the feed is still retried, slowly;
- the entry identity mode (GUID, GUID+link, link, content hash; ``transforms.ids``) chosen for the
  feed is kept, never climbed back from, and logged once when it changes.

Outputs: entries (main), dead letters (unreachable or invalid feeds, entries without links, and any
exception a feed raised that no one anticipated: ``unexpected_error``, the feed then backs off like any
failed one) and one ``FeedPoll`` ops record per poll.

A bounded (``--once``) run polls each feed exactly once and with no validators yet, so its GETs need not
wait for one another: ``PollFeeds(http, at_once=True)`` fetches every feed of a bundle concurrently
(``_FetchFeedsAtOnceFn``, still under the per-site gate), with the robots.txt of each feed's site beside
it (``connectors.robots.shared_robots``), and the stateful step takes each response as it comes. Polled
one after another, each feed would wait for the ones before it while the extraction processes sit idle.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import random
import re
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection, TaggedOutput
from apache_beam.transforms.userstate import ReadModifyWriteRuntimeState, ReadModifyWriteStateSpec
from apache_beam.utils.windowed_value import WindowedValue

from connectors.errors import FetchError, FetchTimeout, HttpStatusError
from connectors.http import HttpClient, HttpResponse, HttpSettings
from connectors.in_flight import InFlight, Overdue
from connectors.robots import RobotsCache, shared_robots
from transforms.dead_letters import DEAD_LETTER, UNEXPECTED, Crashed, dead_letter, utc_now
from transforms.failures import ElementFailures
from transforms.feed_parsing import InvalidFeed, ParsedFeed, parse_feed
from transforms.records import DeadLetter, Feed, FeedEntry, FeedPoll

log = logging.getLogger(__name__)

STAGE = "PollFeeds"
OPS = "ops"  # tagged output of FeedPoll records
MAX_INTERVAL = 6 * 3600.0
BROKEN_AFTER = 5  # consecutive failures after which a feed is reported broken (still retried, slowly)
FEEDS_AT_ONCE = 16  # concurrent feed GETs of a bounded run (each site still takes its per-host share)
ACCEPT = {"Accept": "application/rss+xml, application/atom+xml, application/feed+json, */*;q=0.5"}

# Past the fetch budget, the wait for a bundle's feeds gives up on the ones still out (a backstop: every
# fetch keeps to its budget); robots.txt may be fetched beside each, under a budget of its own.
FETCH_GRACE = 30.0


@dataclass(frozen=True, slots=True)
class Prefetched:
    """A feed fetched ahead of its stateful poll step: the response, or the failure (an unexpected one as
    ``Crashed``, which survives pickling), and the seconds the fetch took."""

    outcome: HttpResponse | FetchError | Crashed
    seconds: float


@dataclass(frozen=True, slots=True)
class _FeedState:
    next_due: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    identity: str | None = None  # the feed's entry identity mode, once a poll chose one


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _seconds_hint(headers: dict[str, str]) -> float | None:
    """The server's own idea of when to come back, in seconds from now."""
    hints: list[float] = []
    retry_after = headers.get("retry-after", "").strip()
    if retry_after.isdigit():
        hints.append(float(retry_after))
    elif retry_after:
        with contextlib.suppress(TypeError, ValueError):
            hints.append(email.utils.parsedate_to_datetime(retry_after).timestamp() - time.time())
    max_age = re.search(r"max-age=(\d+)", headers.get("cache-control", ""))
    if max_age:
        hints.append(float(max_age.group(1)))
    elif headers.get("expires"):
        with contextlib.suppress(TypeError, ValueError):  # an unparseable Expires is no hint
            hints.append(email.utils.parsedate_to_datetime(headers["expires"]).timestamp() - time.time())
    return max(hints) if hints else None


def next_interval(feed: Feed, *, failures: int, hint: float | None) -> float:
    """Seconds until the next poll of ``feed``: configured interval, server hints, failure backoff."""
    interval = max(feed.poll_interval, hint or 0.0)
    if failures:
        interval = feed.poll_interval * (2 ** min(failures, 8)) * random.uniform(0.8, 1.2)
        interval = max(interval, hint or 0.0)
    return min(interval, MAX_INTERVAL)


def get_feed(client: HttpClient, feed: Feed, headers: dict[str, str] = ACCEPT) -> HttpResponse:
    """GET ``feed`` (its size cap, the Accept header of a feed reader, and any validators in ``headers``)."""
    return client.get(feed.url, max_bytes=client.settings.max_feed_bytes, headers=headers)


class _FetchFeedsAtOnceFn(beam.DoFn):
    """Feeds → ``(feed, response or failure)``, every feed of the bundle fetched concurrently, in order of
    arrival. A feed named twice in one bundle is fetched once; its repeats follow it carrying None (the
    poll step then finds it polled already, or polls it itself)."""

    def __init__(self, http: HttpSettings) -> None:
        self._http_settings = http
        self._client: HttpClient | None = None
        self._robots: RobotsCache | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._fetching: InFlight[Feed, Prefetched] | None = None
        self._repeats: list[WindowedValue] = []
        self._names: set[str] = set()

    def setup(self) -> None:
        self._client = HttpClient(self._http_settings, pool_size=FEEDS_AT_ONCE)
        self._robots = shared_robots(self._http_settings)
        # each feed's robots.txt goes beside it, on threads of its own
        self._pool = ThreadPoolExecutor(2 * FEEDS_AT_ONCE, thread_name_prefix="feed")

    def teardown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        if self._client is not None:
            self._client.close()

    def start_bundle(self) -> None:
        self._fetching = InFlight(self._start_fetch)  # the pool's threads are the only cap
        self._repeats, self._names = [], set()

    def _start_fetch(self, feed: Feed) -> Future[Prefetched]:
        assert self._pool is not None
        return self._pool.submit(self._fetch, feed)

    def _fetch(self, feed: Feed) -> Prefetched:
        """The feed's response or failure, as data: the poll step turns a failure into its dead letter."""
        assert self._client is not None
        started = time.monotonic()
        outcome: HttpResponse | FetchError | Crashed
        try:
            outcome = get_feed(self._client, feed)
        except FetchError as error:
            outcome = error
        except Exception as error:  # the poll step dead-letters it with the rest of the feed's failures
            outcome = Crashed.of(error)
        return Prefetched(outcome, time.monotonic() - started)

    def process(
        self,
        feed: Feed,
        timestamp: Any = beam.DoFn.TimestampParam,  # Beam fills these; Any because the default is a marker
        window: Any = beam.DoFn.WindowParam,
    ) -> None:  # the outputs come in finish_bundle, once the fetches are under way together
        assert self._pool is not None and self._robots is not None and self._fetching is not None
        if feed.name in self._names:
            self._repeats.append(WindowedValue((feed, None), timestamp, (window,)))
            return
        self._names.add(feed.name)
        self._fetching.submit(feed, timestamp=timestamp, window=window)
        if feed.respect_robots:
            # the feed's pages are usually on its site: their robots.txt comes in beside the feed
            self._pool.submit(self._robots.warm, feed.url)

    def finish_bundle(self) -> Iterator[WindowedValue]:
        assert self._fetching is not None
        # robots.txt and the feed each keep to the budget; the grace only bounds what nothing should reach
        limit = 2 * self._http_settings.total_timeout + FETCH_GRACE
        for done in self._fetching.drain(max_wait=limit):
            feed = done.element
            if isinstance(done.error, Overdue):  # abandoned: its thread ends on its own
                late = FetchTimeout(f"still fetching after {limit:g}s; given up", url=feed.url)
                yield done.windowed((feed, Prefetched(late, limit)))
            else:
                yield done.windowed((feed, done.result()))
        yield from self._repeats
        self._repeats, self._names = [], set()


@dataclass(frozen=True, slots=True)
class _PollClock:
    """When one poll began: epoch seconds, the entries' ``seen_at``, and the monotonic start (moved back by
    the time a fetch ahead of the poll took)."""

    now: float
    seen_at: str
    started: float


def _parse_warnings(
    feed: Feed, response: HttpResponse, parsed: ParsedFeed, identity_before: str | None
) -> Iterator[TaggedOutput[str, DeadLetter]]:
    """Log what the parser had to say about ``feed``; a malformed feed is also a dead letter (its entries,
    as far as the lenient parser recovered them, still go out)."""
    if parsed.malformed:
        log.warning("feed %s is not well-formed XML: %s", feed.name, parsed.warning)
        yield TaggedOutput(
            DEAD_LETTER,
            dead_letter(
                STAGE,
                "malformed_feed",
                f"not well-formed: {parsed.warning}; {len(parsed.entries)} entries recovered",
                feed=feed.name,
                url=feed.url,
                input={"feed": feed.name, "body": response.body[:4096]},
            ),
        )
    elif parsed.warning:
        log.info("feed %s parsed with a warning: %s", feed.name, parsed.warning)
    if parsed.identity != (identity_before or "guid"):
        log.warning(
            "feed %s: entry GUIDs are blank or repeated; telling entries apart by %s from now on",
            feed.name,
            parsed.identity,
        )
    if parsed.repeated:
        log.info("feed %s repeats %d entries in one body; each kept once", feed.name, parsed.repeated)


class _PollFeedFn(beam.DoFn):
    STATE = ReadModifyWriteStateSpec("feed_state", PickleCoder())

    def __init__(self, http: HttpSettings) -> None:
        self._http_settings = http
        self._client: HttpClient | None = None
        self._failures = ElementFailures(STAGE)
        self.polled = Metrics.counter(STAGE, "feeds_polled")
        self.not_modified = Metrics.counter(STAGE, "not_modified")
        self.failed = Metrics.counter(STAGE, "poll_failures")
        self.entries_seen = Metrics.counter(STAGE, "entries_seen")
        self.latency = Metrics.distribution(STAGE, "poll_latency_ms")

    def setup(self) -> None:
        self._client = HttpClient(self._http_settings, pool_size=4)

    def teardown(self) -> None:
        if self._client is not None:
            self._client.close()

    def process(
        self,
        keyed: tuple[str, tuple[Feed, Prefetched | None]],
        state: ReadModifyWriteRuntimeState = beam.DoFn.StateParam(STATE),  # type: ignore[assignment]  # Beam passes the runtime state
    ) -> Iterator[Any]:
        _, (feed, prefetched) = keyed
        yield from self._failures.outputs(
            lambda: self._poll(feed, prefetched, state), feed=feed.name, url=feed.url, input=feed
        )

    def _fetch(self, feed: Feed, prefetched: Prefetched | None, current: _FeedState) -> HttpResponse:
        """The feed's response: the one fetched ahead where it stands, else a GET now (with validators)."""
        assert self._client is not None
        # a fetched-ahead outcome stands only where no validators would have been sent (a first poll)
        if prefetched is not None and not (current.etag or current.last_modified):
            if isinstance(prefetched.outcome, Exception):
                raise prefetched.outcome
            return prefetched.outcome
        headers = dict(ACCEPT)
        if current.etag:
            headers["If-None-Match"] = current.etag
        if current.last_modified:
            headers["If-Modified-Since"] = current.last_modified
        return get_feed(self._client, feed, headers)

    def _poll(
        self, feed: Feed, prefetched: Prefetched | None, state: ReadModifyWriteRuntimeState
    ) -> Iterator[Any]:
        current: _FeedState = state.read() or _FeedState()
        now = time.time()
        if now < current.next_due:
            return
        ahead = prefetched.seconds if prefetched is not None else 0.0
        clock = _PollClock(now=now, seen_at=utc_now(), started=time.monotonic() - ahead)
        try:
            response = self._fetch(feed, prefetched, current)
            self.polled.inc()
            if response.status == 304:
                self.not_modified.inc()
                wait = next_interval(feed, failures=0, hint=_seconds_hint(response.headers))
                state.write(replace(current, next_due=now + wait, failures=0))
                yield self._record(feed, clock, status=304, outcome="not_modified", next_due=now + wait)
                return
            parsed = parse_feed(
                feed,
                response.body,
                content_type=response.headers.get("content-type"),
                final_url=response.url,
                seen_at=clock.seen_at,
                identity_floor=current.identity,
            )
        except (FetchError, InvalidFeed) as error:
            letter = dead_letter(STAGE, error.reason, error, feed=feed.name, url=feed.url, input=feed)
            yield from self._failed(feed, clock, current, state, error, error.reason, letter)
            return
        except Exception as error:  # anything else one feed raises: its dead letter, and the others go on
            letter = self._failures.dead_letter(error, feed=feed.name, url=feed.url, input=feed)
            yield from self._failed(feed, clock, current, state, error, UNEXPECTED, letter)
            return
        yield from self._parsed(feed, clock, current, state, response, parsed)

    def _failed(
        self,
        feed: Feed,
        clock: _PollClock,
        current: _FeedState,
        state: ReadModifyWriteRuntimeState,
        error: Exception,
        reason: str,
        letter: DeadLetter,
    ) -> Iterator[Any]:
        """A failed poll: back off, log, the dead letter and the ops record."""
        failures = current.failures + 1
        status = error.status if isinstance(error, HttpStatusError) else None
        hint = (
            _seconds_hint({"retry-after": error.retry_after or ""})
            if isinstance(error, HttpStatusError)
            else None
        )
        wait = next_interval(feed, failures=failures, hint=hint)
        state.write(replace(current, next_due=clock.now + wait, failures=failures))
        self.failed.inc()
        level = logging.ERROR if failures >= BROKEN_AFTER else logging.WARNING
        log.log(level, "feed %s (%s) failed %d time(s) in a row: %s", feed.name, feed.url, failures, error)
        yield TaggedOutput(DEAD_LETTER, letter)
        broken = failures >= BROKEN_AFTER
        yield self._record(
            feed,
            clock,
            status=status,
            outcome="broken" if broken else reason,
            next_due=clock.now + wait,
            failures=failures,
            error=f"{reason}: {error}" if broken else str(error),
        )

    def _parsed(
        self,
        feed: Feed,
        clock: _PollClock,
        current: _FeedState,
        state: ReadModifyWriteRuntimeState,
        response: HttpResponse,
        parsed: ParsedFeed,
    ) -> Iterator[Any]:
        """A feed that parsed: its warnings, the new state, the rejected entries, the ops record, the entries."""
        yield from _parse_warnings(feed, response, parsed, current.identity)
        wait = next_interval(
            feed, failures=0, hint=max(_seconds_hint(response.headers) or 0, parsed.ttl or 0)
        )
        state.write(
            _FeedState(
                next_due=clock.now + wait,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                failures=0,
                identity=parsed.identity,
            )
        )
        for reason, raw in parsed.rejected:
            yield TaggedOutput(
                DEAD_LETTER,
                dead_letter(
                    STAGE, reason, f"feed entry rejected: {reason}", feed=feed.name, url=feed.url, input=raw
                ),
            )
        self.entries_seen.inc(len(parsed.entries))
        self.latency.update(int((time.monotonic() - clock.started) * 1000))
        log.info("polled %s: %d entries (%s)", feed.name, len(parsed.entries), parsed.format)
        yield self._record(
            feed,
            clock,
            status=response.status,
            outcome="malformed_feed" if parsed.malformed else "ok",
            entries=len(parsed.entries),
            next_due=clock.now + wait,
            fmt=parsed.format,
            error=parsed.warning if parsed.malformed else None,
            identity=parsed.identity,
            encoding=parsed.encoding,
        )
        yield from parsed.entries

    @staticmethod
    def _record(
        feed: Feed,
        clock: _PollClock,
        *,
        status: int | None,
        outcome: str,
        next_due: float,
        entries: int = 0,
        failures: int = 0,
        fmt: str = "",
        error: str | None = None,
        identity: str = "",
        encoding: str = "",
    ) -> TaggedOutput[str, FeedPoll]:
        """The poll's ops record."""
        return TaggedOutput(
            OPS,
            FeedPoll(
                feed=feed.name,
                url=feed.url,
                at=clock.seen_at,
                status=status,
                outcome=outcome,
                entries=entries,
                duration=round(time.monotonic() - clock.started, 3),
                next_poll=_iso(next_due),
                consecutive_failures=failures,
                format=fmt,
                error=error,
                identity=identity,
                encoding=encoding,
            ),
        )


def _keyed_by_feed(fetched: tuple[Feed, Prefetched | None]) -> tuple[str, tuple[Feed, Prefetched | None]]:
    feed, _ = fetched
    return feed.name, fetched


class PollFeeds(
    beam.PTransform[
        PCollection[Feed], tuple[PCollection[FeedEntry], PCollection[DeadLetter], PCollection[FeedPoll]]
    ]
):
    """Feeds (each tick) → ``(entries, dead_letters, polls)``.

    ``at_once``: fetch every feed of a bundle concurrently before the stateful poll step; for bounded runs,
    where each feed is polled once (a streaming poll must wait for its feed's validators in state).
    """

    def __init__(self, http: HttpSettings, *, at_once: bool = False) -> None:
        super().__init__()
        self._http = http
        self._at_once = at_once

    def expand(
        self, feeds: PCollection[Feed]
    ) -> tuple[PCollection[FeedEntry], PCollection[DeadLetter], PCollection[FeedPoll]]:
        fetched: PCollection[tuple[Feed, Prefetched | None]] = (
            feeds | "FetchAtOnce" >> beam.ParDo(_FetchFeedsAtOnceFn(self._http))
            if self._at_once
            else feeds | "NotFetchedYet" >> beam.Map(lambda feed: (feed, None))
        )
        outputs = (
            fetched
            # a str key: the state of a feed is keyed by a deterministic coder
            | "KeyByFeed" >> beam.Map(_keyed_by_feed).with_output_types(beam.typehints.KV[str, Any])
            | "Poll" >> beam.ParDo(_PollFeedFn(self._http)).with_outputs(DEAD_LETTER, OPS, main="entries")
        )
        return outputs.entries, outputs[DEAD_LETTER], outputs[OPS]
