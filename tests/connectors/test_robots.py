"""robots.txt over real HTTP: rules honoured, 4xx means allowed, 5xx means not now, one fetch per origin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.errors import RobotsDisallowed
from connectors.http import HttpClient, HttpSettings
from connectors.page_fetching import fetch_page
from connectors.robots import RobotsCache
from connectors.static_server import Route, StaticServer, reply
from tests.conftest import SAMPLES
from transforms.records import FeedEntry

ROBOTS = b"User-agent: otherbot\nDisallow: /\n\nUser-agent: *\nDisallow: /private/\n"
# a group for our token replaces the * group for us (RFC 9309 2.2.1)
OUR_GROUP = b"User-agent: *\nDisallow: /\n\nUser-agent: newsbeam\nDisallow: /no-bots/\n"


def _reply(status: int, body: bytes = b"") -> Route:
    return reply(status, body, Content_Type="text/plain")


@pytest.fixture
def server() -> Iterator[StaticServer]:
    with StaticServer(SAMPLES) as running:
        yield running


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http_client = HttpClient(HttpSettings(allow_private_networks=True, total_timeout=3.0))
    yield http_client
    http_client.close()


def _robots_requests(server: StaticServer) -> int:
    return sum(1 for path, _ in server.requests if path == "/robots.txt")


def test_the_star_group_is_honoured(server: StaticServer, client: HttpClient) -> None:
    server.routes["/robots.txt"] = _reply(200, ROBOTS)
    robots = RobotsCache(client)
    robots.check(server.url("en/btc-price-rally.html"))
    with pytest.raises(RobotsDisallowed, match="disallows"):
        robots.check(server.url("private/x.html"))
    robots.check(server.url("en/fca-fine-aml.html"))
    assert _robots_requests(server) == 1  # cached per origin


def test_a_group_for_our_token_is_the_one_we_follow(server: StaticServer, client: HttpClient) -> None:
    server.routes["/robots.txt"] = _reply(200, OUR_GROUP)
    robots = RobotsCache(client)
    robots.check(server.url("en/btc-price-rally.html"))
    with pytest.raises(RobotsDisallowed):
        robots.check(server.url("no-bots/y.html"))


def test_missing_robots_allows_everything(server: StaticServer, client: HttpClient) -> None:
    robots = RobotsCache(client)  # the static server answers 404 for /robots.txt
    robots.check(server.url("private/x.html"))


def test_server_error_on_robots_disallows_for_now(server: StaticServer, client: HttpClient) -> None:
    server.routes["/robots.txt"] = _reply(503, b"busy")
    with pytest.raises(RobotsDisallowed, match="unavailable"):
        RobotsCache(client).check(server.url("en/btc-price-rally.html"))


def test_disallowed_page_is_never_requested(server: StaticServer, client: HttpClient) -> None:
    server.routes["/robots.txt"] = _reply(200, ROBOTS)
    entry = FeedEntry(
        article_id="x", feed="f", feed_url="", url=server.url("private/page.html"), guid=None,
        title="t", summary="s", content="", published=None, language_hint=None,
    )  # fmt: skip
    page = fetch_page(client, entry, RobotsCache(client))
    assert page.body is None and page.error is not None and page.error.startswith("robots:")
    assert "/private/page.html" not in [path for path, _ in server.requests]
    # a feed with respect_robots: false fetches it (the DoFn passes no cache)
    assert fetch_page(client, entry).error is not None  # 404 here, but requested
    assert "/private/page.html" in [path for path, _ in server.requests]
