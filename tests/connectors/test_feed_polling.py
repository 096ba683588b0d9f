"""PollFeeds on Beam (FnApiRunner) against real HTTP: conditional GET, server hints, broken feeds, identity."""

from __future__ import annotations

import datetime as dt
import http.server
from collections.abc import Iterator

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.feed_polling import BROKEN_AFTER, PollFeeds
from connectors.http import HttpSettings
from connectors.static_server import StaticServer, reply, respond
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
