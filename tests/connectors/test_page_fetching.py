"""FetchPages over real HTTP: a site at its concurrency cap does not hold back the pages of other sites,
and every entry still comes out as a page exactly once."""

from __future__ import annotations

import http.server
import time
from collections.abc import Iterator
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from connectors.http import HttpSettings, politeness_key
from connectors.page_fetching import FetchPages, RouteEntriesBySite
from connectors.static_server import StaticServer, respond
from transforms.records import FeedEntry

ARTICLE = b"<html><body><article><p>" + b"A sentence of the article. " * 20 + b"</p></article></body></html>"


def _slow_page(handler: http.server.BaseHTTPRequestHandler) -> None:
    time.sleep(0.3)  # a slow site: its requests stay in flight while the others could go
    respond(handler, 200, ARTICLE, Content_Type="text/html; charset=utf-8")


def _entry(url: str, n: int) -> FeedEntry:
    return FeedEntry(
        article_id=f"{n:016x}", feed="f", feed_url="", url=url, guid=None,
        title=f"t{n}", summary="s", content="", published=None, language_hint=None,
    )  # fmt: skip


@pytest.fixture
def server(tmp_path: Path) -> Iterator[StaticServer]:
    (tmp_path / "fast").mkdir()
    for n in range(6):
        (tmp_path / "fast" / f"{n}.html").write_bytes(ARTICLE)
    with StaticServer(tmp_path) as running:
        for n in range(6):
            running.routes[f"/slow/{n}.html"] = _slow_page
        yield running


def test_a_site_at_its_cap_does_not_hold_back_other_sites(server: StaticServer) -> None:
    # two sites on one server: "127.0.0.1" and "localhost" count separately against the per-site cap
    slow = [_entry(f"http://127.0.0.1:{server.port}/slow/{n}.html", n) for n in range(6)]
    fast = [_entry(f"http://localhost:{server.port}/fast/{n}.html", 10 + n) for n in range(6)]
    settings = HttpSettings(allow_private_networks=True, per_host_concurrency=2)
    with TestPipeline(runner="FnApiRunner") as pipeline:
        pages = (
            pipeline
            # the slow site's entries first, in a row, as one feed's would come
            | beam.Create(slow + fast, reshuffle=False)
            | FetchPages(settings, max_in_flight=4, ignore_robots_for=frozenset({"f"}))
        )[0]
        fetched = pages | beam.Map(lambda page: (page.entry.url.rsplit("/", 2)[-2], page.body is not None))
        assert_that(fetched, equal_to([("slow", True)] * 6 + [("fast", True)] * 6))
    order = [path.split("/")[1] for path, _ in server.requests if path.endswith(".html")]
    # the slow site takes two at a time; the fast site's pages must not wait for the slow ones to drain
    assert order.index("fast") < [i for i, site in enumerate(order) if site == "slow"][2], order


def test_the_site_with_the_longest_backlog_gets_the_free_slot(server: StaticServer) -> None:
    # one slot, one request per site: "127.0.0.1" has 2 entries and comes first, "localhost" has 6. Each
    # freed slot goes to the site with more entries waiting, so the sites finish together instead of the
    # run ending on one site's pages fetched one at a time.
    small = [_entry(f"http://127.0.0.1:{server.port}/slow/{n}.html", n) for n in range(2)]
    large = [_entry(f"http://localhost:{server.port}/slow/{n}.html", 10 + n) for n in range(6)]
    settings = HttpSettings(allow_private_networks=True, per_host_concurrency=1)
    with TestPipeline(runner="FnApiRunner") as pipeline:
        pages = (
            pipeline
            | beam.Create(small + large, reshuffle=False)
            | FetchPages(settings, max_in_flight=1, ignore_robots_for=frozenset({"f"}))
        )[0]
        assert_that(pages | beam.Map(lambda page: page.body is not None), equal_to([True] * 8))
    order = [headers["host"].split(":")[0] for path, headers in server.requests if path.endswith(".html")]
    # the first entry goes at once (a free slot); while it is in flight the rest are held: then the larger
    # backlog is served until the two are even, and the first-held site wins the tie
    assert order == ["127.0.0.1"] + ["localhost"] * 5 + ["127.0.0.1", "localhost"], order


def test_entries_are_routed_in_batches_of_one_site() -> None:
    urls = [
        *(f"https://www.example.org/a{n}" for n in range(5)),
        *(f"https://news.example.org/b{n}" for n in range(3)),  # same registrable domain: the same site
        *(f"https://br.cointelegraph.com/c{n}" for n in range(4)),
        *(f"http://127.0.0.1:8080/d{n}" for n in range(2)),
    ]
    with TestPipeline(runner="FnApiRunner") as p:
        batches = (
            p | beam.Create([_entry(url, n) for n, url in enumerate(urls)]) | RouteEntriesBySite(batch_size=3)
        )
        assert_that(
            batches | "SitesOfEachBatch" >> beam.Map(lambda b: (b[0], {politeness_key(e.url) for e in b[1]})),
            lambda rows: _check(rows, {"example.org", "cointelegraph.com", "127.0.0.1"}),
            label="one site per batch",
        )
        assert_that(
            batches | "Entries" >> beam.FlatMap(lambda b: [e.url for e in b[1]]),
            equal_to(urls),
            label="every entry once",
        )


def _check(rows: list[tuple[str, set[str]]], sites: set[str]) -> None:
    assert rows, "no batches"
    for site, members in rows:
        assert members == {site}, f"batch keyed {site} holds {members}"
        assert site in sites
    # batch_size 3: example.org's 8 entries need 3 batches, cointelegraph's 4 need 2, 127.0.0.1's 2 need 1
    assert sorted(site for site, _ in rows) == sorted(
        ["example.org"] * 3 + ["cointelegraph.com"] * 2 + ["127.0.0.1"]
    )
