"""PollFeeds on Beam (FnApiRunner) against real HTTP: conditional GET, server hints, broken feeds, identity."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.feed_polling import BROKEN_AFTER, PollFeeds
from connectors.http import HttpSettings
from connectors.static_server import Route, StaticServer, reply, respond
from tests.conftest import FIXTURES
from transforms.records import Feed, FeedPoll

HTTP = HttpSettings(allow_private_networks=True, total_timeout=5.0)
RSS = (FIXTURES / "feeds" / "guids-duplicated.xml").read_bytes()
ALWAYS_DUE = 1e-6  # seconds: every element of the test is a due poll


@pytest.fixture
def server() -> Iterator[StaticServer]:
    with StaticServer(FIXTURES) as running:
        yield running


def _etagged(handler: http.server.BaseHTTPRequestHandler) -> None:
    if handler.headers.get("If-None-Match") == '"v1"':
        respond(handler, 304, ETag='"v1"')
        return
    respond(handler, 200, RSS, Content_Type="application/rss+xml", ETag='"v1"')


def test_second_poll_is_conditional_and_costs_nothing(server: StaticServer) -> None:
    server.routes["/etag.xml"] = _etagged
    feed = Feed(name="etag", url=server.url("etag.xml"), poll_interval=ALWAYS_DUE)

    def check(polls: list[FeedPoll]) -> None:
        assert sorted(p.outcome for p in polls) == ["not_modified", "ok"]
        ok = next(p for p in polls if p.outcome == "ok")
        assert (ok.identity, ok.encoding, ok.entries) == ("guid+link", "utf_8", 3)  # GUIDs all alike

    with TestPipeline(runner="FnApiRunner") as pipeline:
        entries, _dead, ops = pipeline | beam.Create([feed, feed]) | PollFeeds(HTTP)
        assert_that(ops, check, label="polls")
        assert_that(entries | beam.combiners.Count.Globally(), equal_to([3]), label="entries")
    assert [h.get("if-none-match") for path, h in server.requests if path == "/etag.xml"] == [None, '"v1"']


def test_retry_after_pushes_the_next_poll_and_repeated_failures_mark_the_feed_broken(
    server: StaticServer,
) -> None:
    server.routes["/busy.xml"] = reply(429, Retry_After="120")
    server.routes["/down.xml"] = reply(500)
    busy = Feed(name="busy", url=server.url("busy.xml"), poll_interval=1.0)
    down = Feed(name="down", url=server.url("down.xml"), poll_interval=ALWAYS_DUE)

    def check(polls: list[FeedPoll]) -> None:
        (busy_poll,) = [p for p in polls if p.feed == "busy"]
        assert busy_poll.status == 429 and busy_poll.outcome == "http_status"
        wait = dt.datetime.fromisoformat(busy_poll.next_poll) - dt.datetime.fromisoformat(busy_poll.at)
        assert wait.total_seconds() >= 119
        down_polls = sorted((p for p in polls if p.feed == "down"), key=lambda p: p.consecutive_failures)
        assert [p.consecutive_failures for p in down_polls] == list(range(1, BROKEN_AFTER + 2))
        assert [p.outcome for p in down_polls] == ["http_status"] * (BROKEN_AFTER - 1) + ["broken"] * 2
        assert down_polls[-1].error is not None and down_polls[-1].error.startswith("http_status: HTTP 500")

    with TestPipeline(runner="FnApiRunner") as pipeline:
        _entries, dead, ops = pipeline | beam.Create([busy] + [down] * (BROKEN_AFTER + 1)) | PollFeeds(HTTP)
        assert_that(ops, check, label="polls")
        assert_that(
            dead | beam.Map(lambda d: (d.feed, d.reason)),
            equal_to([("busy", "http_status")] + [("down", "http_status")] * (BROKEN_AFTER + 1)),
            label="dead",
        )


def _together(barrier: threading.Barrier) -> Route:
    """A feed that answers only once all of ``barrier``'s feeds are being requested at the same time."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        try:
            barrier.wait(timeout=10)
        except threading.BrokenBarrierError:
            respond(handler, 503)  # polled one after another: the poll fails and the test says so
            return
        respond(handler, 200, RSS, Content_Type="application/rss+xml")

    return route


def test_a_bounded_run_fetches_its_feeds_at_once(server: StaticServer) -> None:
    barrier = threading.Barrier(3)
    for name in ("a", "b", "c"):
        server.routes[f"/{name}.xml"] = _together(barrier)
    server.routes["/down.xml"] = reply(500)
    feeds = [Feed(name=name, url=server.url(f"{name}.xml")) for name in ("a", "b", "c", "down")]

    def check(polls: list[FeedPoll]) -> None:
        outcomes = sorted((p.feed, p.outcome, p.entries) for p in polls)
        assert outcomes == [("a", "ok", 3), ("b", "ok", 3), ("c", "ok", 3), ("down", "http_status", 0)]

    with TestPipeline(runner="FnApiRunner") as pipeline:
        # "a" twice: fetched once, and its repeat finds it polled already
        entries, dead, ops = pipeline | beam.Create([*feeds, feeds[0]]) | PollFeeds(HTTP, at_once=True)
        assert_that(ops, check, label="polls")
        assert_that(entries | beam.combiners.Count.Globally(), equal_to([9]), label="entries")
        # a failure fetched ahead is the poll step's failure, with its reason
        assert_that(
            dead | beam.Map(lambda d: (d.feed, d.reason)), equal_to([("down", "http_status")]), label="dead"
        )
    feeds_asked = sorted(path for path, _ in server.requests if path != "/robots.txt")
    assert feeds_asked == ["/a.xml", "/b.xml", "/c.xml", "/down.xml"]


def test_a_bounded_run_asks_for_the_robots_txt_of_each_feed_site_beside_the_feed(
    server: StaticServer,
) -> None:
    asked = threading.Event()

    def robots(handler: http.server.BaseHTTPRequestHandler) -> None:
        asked.set()
        respond(handler, 404)

    def feed_once_robots_is_asked(handler: http.server.BaseHTTPRequestHandler) -> None:
        if not asked.wait(timeout=10):  # asked only after the feed: the poll fails and the test says so
            respond(handler, 503)
            return
        respond(handler, 200, RSS, Content_Type="application/rss+xml")

    server.routes["/robots.txt"] = robots
    server.routes["/news.xml"] = feed_once_robots_is_asked
    server.routes["/own-rules.xml"] = reply(200, RSS, Content_Type="application/rss+xml")
    settings = HttpSettings(allow_private_networks=True, total_timeout=15.0)  # settings of this test only
    feeds = [
        Feed(name="news", url=server.url("news.xml")),
        Feed(name="own-rules", url=server.url("own-rules.xml"), respect_robots=False),
    ]
    with TestPipeline(runner="FnApiRunner") as pipeline:
        _entries, _dead, ops = pipeline | beam.Create(feeds) | PollFeeds(settings, at_once=True)
        assert_that(
            ops | beam.Map(lambda poll: (poll.feed, poll.outcome)),
            equal_to([("news", "ok"), ("own-rules", "ok")]),
        )
    # one origin, asked once: the feed that ignores robots.txt adds no request of its own
    assert [path for path, _ in server.requests].count("/robots.txt") == 1
