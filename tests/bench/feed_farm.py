"""A local "feed farm" for the benchmarks: N RSS feeds × M entries on 127.0.0.1, whose links point to
real article pages served by the same server, every response held back by a configurable latency.

Pages come from the Zyte article-extraction benchmark in the shared corpus (``tests/shared_corpus.py``
says where; read in place, never copied) when that folder exists, otherwise from ``generated_pages()`` (synthetic news pages with
boilerplate around the article, so trafilatura has real work to do). Each entry has its own URL; the
pages behind them cycle through the page set, so ``feeds × entries`` may exceed the number of pages.

Routes:
Each feed and its pages are served by "a publisher" of their own: a server on its own loopback address
(127.0.0.1, 127.0.0.2, ...; Linux routes all of 127.0.0.0/8 to the loopback interface), because the
pipeline caps concurrent requests per site as a polite crawler must.

- ``/feeds/<i>.xml``: feed ``i`` (RSS 2.0, M items, titles and a one-line description);
- ``/pages/<i>/<j>.html``: the page of entry ``j`` of feed ``i``;
- ``/live.xml`` and ``/pages/live/<k>.html``: a feed that grows while the farm runs (``add_live_entry``),
  for the streaming-latency benchmark;
- ``/tiny/<i>.xml``: ``M`` entries whose links point to ``/gone/...`` (404), with the text in the feed.

Run it alone with ``python tests/bench/feed_farm.py --feeds 10 --entries 50`` to poke at it with curl.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import http.server
import json
import random
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # runnable alone as a script
    sys.path.insert(0, str(REPO))

from tests.shared_corpus import ZYTE_BENCHMARK, corpus_path  # noqa: E402

ZYTE_ITEMS = corpus_path(ZYTE_BENCHMARK, "items")
DEFAULT_LATENCY = 0.2

_WORD_TEXT = (
    "market regulator bank policy central rate inflation court ruling minister election parliament city "
    "council budget energy climate company shares investors growth report data study research university "
    "health hospital school teachers students police transport railway airport weather storm season club "
    "league coach players fans museum exhibition artist film festival music technology software security "
    "privacy network mobile users platform price quarter revenue profit loss workers union strike talks"
)
_WORDS = tuple(_WORD_TEXT.split())


@dataclass(frozen=True, slots=True)
class PageSet:
    """The HTML pages the farm serves, and where they came from (for the results table)."""

    pages: tuple[bytes, ...]
    source: str
    titles: tuple[str, ...] = field(default=())
    authors: tuple[str, ...] = field(default=())  # trafilatura's author of each page ("" when none)

    def page_of(self, index: int) -> bytes:
        """The page behind the farm's ``index``-th entry (feed by feed): the pages cycle."""
        return self.pages[index % len(self.pages)]


def _title_of(html: bytes) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title>", html[:200_000], re.IGNORECASE | re.DOTALL)
    if not match:
        return ""
    return " ".join(match.group(1).decode("utf-8", "replace").split())[:200]


def _author_of(html: bytes) -> str:
    """The page's author as trafilatura reads it: what a feed entry's byline for the page would name."""
    import trafilatura

    found = trafilatura.extract_metadata(html.decode("utf-8", "replace"))
    return (found.author if found is not None else None) or ""


def words(count: int, *, seed: int = 8) -> str:
    """``count`` words of news-like text (for message payloads that compress as articles do)."""
    rng = random.Random(seed)
    return " ".join(rng.choice(_WORDS) for _ in range(count))


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(_WORDS) for _ in range(rng.randint(9, 24))]
    return " ".join(words).capitalize() + "."


def generated_pages(count: int = 120, *, seed: int = 8) -> PageSet:
    """Synthetic news pages (~60-120 KB): navigation, scripts, a long article body, related links, footer."""
    rng = random.Random(seed)
    pages: list[bytes] = []
    titles: list[str] = []
    for n in range(count):
        title = " ".join(rng.choice(_WORDS) for _ in range(7)).capitalize()
        nav = "".join(f'<li><a href="/section/{w}">{w.title()}</a></li>' for w in rng.sample(_WORDS, 25))
        paragraphs = "".join(
            "<p>" + " ".join(_sentence(rng) for _ in range(rng.randint(2, 5))) + "</p>"
            for _ in range(rng.randint(8, 30))
        )
        related = "".join(
            f'<li><a href="/story/{n}-{k}">{_sentence(rng)}</a></li>' for k in range(rng.randint(10, 30))
        )
        script = (
            "var cfg = {" + ",".join(f'"k{k}": "{rng.random()}"' for k in range(rng.randint(300, 900))) + "};"
        )
        html = (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | Farm News</title>'
            f'<meta name="author" content="Reporter {n}"><meta property="article:published_time" '
            f'content="2025-0{1 + n % 9}-1{n % 10}T08:00:00Z"><script>{script}</script></head><body>'
            f'<header><nav><ul>{nav}</ul></nav><div class="cookie">We use cookies to improve your '
            f"experience. Accept all cookies?</div></header><main><article><h1>{title}</h1>"
            f'<p class="byline">By Reporter {n}</p>{paragraphs}</article>'
            f"<aside><h2>Related</h2><ul>{related}</ul></aside></main><footer><p>© Farm News. All "
            f"rights reserved.</p><ul>{nav}</ul></footer></body></html>"
        )
        pages.append(html.encode("utf-8"))
        titles.append(title)
    return PageSet(tuple(pages), f"{count} generated pages", tuple(titles))


def load_pages(folder: Path | None = ZYTE_ITEMS, *, generated: int = 120) -> PageSet:
    """The Zyte benchmark pages when ``folder`` exists (read in place), else ``generated`` synthetic ones."""
    if folder is not None and folder.is_dir():
        paths = sorted(folder.glob("*.html"))
        if paths:
            pages = tuple(path.read_bytes() for path in paths)
            return PageSet(
                pages,
                f"{len(pages)} Zyte benchmark pages ({folder})",
                tuple(map(_title_of, pages)),
                tuple(map(_author_of, pages)),
            )
    return generated_pages(generated)


# items are dated as real feeds date them (93% of the entries of the shared corpus's feeds carry a date)
_DATED_FROM = 1_780_000_000  # epoch seconds (2026-05-28)


def _pub_date(guid: str) -> str:
    """A stable ``pubDate`` per item: the same on every poll, so a re-polled item is no new version."""
    minutes = int(hashlib.sha256(guid.encode()).hexdigest()[:6], 16) % 100_000
    return email.utils.formatdate(_DATED_FROM - 60 * minutes, usegmt=True)


# items carry a byline as real feeds do: 141 of the 263 entries of the shared corpus's feeds (54%) name an author
_BYLINE_SHARE = 54


def _byline(guid: str, author: str) -> str:
    """A stable ``dc:creator`` for about half the items: the page's own author, when it has one."""
    if (
        not author
        or int(hashlib.sha256(b"byline" + guid.encode()).hexdigest()[:6], 16) % 100 >= _BYLINE_SHARE
    ):
        return ""
    return f"<dc:creator>{escape(author)}</dc:creator>"


def _rss(title: str, items: list[tuple[str, str, str, str, str]]) -> bytes:
    """RSS 2.0 with ``(title, link, guid, description, author)`` items, each with its ``pubDate``."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(link)}</link><guid>{escape(guid)}</guid>"
        f"<pubDate>{_pub_date(guid)}</pubDate>{_byline(guid, author)}"
        f"<description>{escape(description)}</description></item>"
        for t, link, guid, description, author in items
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>{escape(title)}</title>'
        f"<link>http://127.0.0.1/</link><description>benchmark feed</description>{body}</channel></rss>"
    ).encode()


class FeedFarm:
    """The farm's HTTP server, in daemon threads; ``close()`` (or ``with``) stops it."""

    def __init__(
        self,
        pages: PageSet,
        *,
        feeds: int,
        entries: int,
        latency: float = DEFAULT_LATENCY,
        port: int = 0,
        publishers: int | None = None,
    ) -> None:
        if not pages.pages:
            raise ValueError("the farm needs at least one page")
        self.page_set = pages
        self.feeds = feeds
        self.entries = entries
        self.latency = latency
        self._lock = threading.Lock()
        self._live: list[tuple[int, float]] = []  # (page index, time.time() it was added)
        self.requests = 0
        self.first_request: float | None = None  # time.time() of the first request (the run's real start)
        self.last_request: float | None = None
        self.log: list[tuple[float, str]] = []  # (time.time(), path) of every request, for timelines
        farm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the benchmark prints figures
                pass

            def do_GET(self) -> None:
                farm._respond(self)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # the pipeline opens many connections at once

        # one loopback address per publisher (127.0.0.1, 127.0.0.2, ...): the pipeline caps concurrent
        # requests per site, as a polite crawler must, and a real run reads many publishers, not one
        count = max(1, min(publishers if publishers is not None else feeds, 250))
        self._servers = [Server((f"127.0.0.{1 + i}", port if i == 0 else 0), Handler) for i in range(count)]
        self.addresses = [(str(s.server_address[0]), int(s.server_address[1])) for s in self._servers]
        self.port = self.addresses[0][1]
        self._threads = [
            threading.Thread(target=server.serve_forever, name=f"feed-farm-{i}", daemon=True)
            for i, server in enumerate(self._servers)
        ]
        for thread in self._threads:
            thread.start()

    @property
    def base_url(self) -> str:
        """The first publisher's address (the live feed lives there)."""
        return f"http://127.0.0.1:{self.port}"

    def publisher_url(self, feed: int) -> str:
        """Where feed ``feed`` and its pages are served."""
        host, port = self.addresses[feed % len(self.addresses)]
        return f"http://{host}:{port}"

    def feed_urls(self, kind: str = "feeds") -> list[str]:
        """The URLs of the N feeds (``kind="tiny"``: the same feeds with text-only entries)."""
        return [f"{self.publisher_url(i)}/{kind}/{i}.xml" for i in range(self.feeds)]

    def page_of(self, feed: int, entry: int) -> bytes:
        return self.page_set.page_of(feed * self.entries + entry)

    def reset_log(self) -> None:
        """Forget the requests seen so far (before the next run)."""
        with self._lock:
            self.first_request = self.last_request = None
            self.log = []

    def timeline(self, since: float) -> dict[str, float]:
        """Seconds after ``since`` of the first and last feed and page requests."""
        with self._lock:
            log = list(self.log)
        spans: dict[str, float] = {}
        for kind, prefix in (("feeds", ("/feeds/", "/tiny/", "/live")), ("pages", ("/pages/", "/gone/"))):
            times = [at for at, path in log if path.startswith(prefix)]
            if times:
                spans[f"first_{kind}_request"] = min(times) - since
                spans[f"last_{kind}_request"] = max(times) - since
        return spans

    def add_live_entry(self) -> tuple[str, float]:
        """Append an entry to ``/live.xml``; returns its URL and the time it was added (epoch seconds)."""
        with self._lock:
            index = len(self._live)
            added = time.time()
            self._live.append((index, added))
        return f"{self.base_url}/pages/live/{index}.html", added

    def write_feeds_file(self, path: Path, *, poll_interval: float = 300.0, kind: str = "feeds") -> Path:
        """A newsbeam feeds file (JSON is YAML): the N feeds, the N ``tiny`` ones, or only ``live``."""
        urls = [f"{self.base_url}/live.xml"] if kind == "live" else self.feed_urls(kind)
        document = {
            "allow_private_networks": True,
            "feeds": [
                {"name": f"farm-{i}", "url": url, "language": "en", "poll_interval": poll_interval}
                for i, url in enumerate(urls)
            ],
        }
        path.write_text(json.dumps(document, indent=1), encoding="utf-8")
        return path

    def _feed_body(self, path: str) -> bytes | None:
        if path == "/live.xml":
            with self._lock:
                live = list(self._live)
            items = [
                (
                    f"Live story {k}: {self._title(k)}",
                    f"{self.base_url}/pages/live/{k}.html",
                    f"live-{k}",
                    f"Added at {added:.3f}",
                    self._author(k),
                )
                for k, added in live
            ]
            return _rss("live", items)
        match = re.fullmatch(r"/(feeds|tiny)/(\d+)\.xml", path)
        if not match or int(match.group(2)) >= self.feeds:
            return None
        kind, feed = match.group(1), int(match.group(2))
        if kind == "tiny":
            # no page to fetch (404): the article text is the feed's own, so nothing but the state grows
            items = [
                (
                    f"Brief {feed}-{j}",
                    f"{self.publisher_url(feed)}/gone/{feed}/{j}.html",
                    f"tiny-{feed}-{j}",
                    f"Brief number {j} of feed {feed}: {_WORDS[j % len(_WORDS)]} news in one line.",
                    "",
                )
                for j in range(self.entries)
            ]
            return _rss(f"tiny {feed}", items)
        items = [
            (
                f"Story {feed}-{j}: {self._title(feed * self.entries + j)}",
                f"{self.publisher_url(feed)}/pages/{feed}/{j}.html",
                f"farm-{feed}-{j}",
                "A one-line summary of the story.",
                self._author(feed * self.entries + j),
            )
            for j in range(self.entries)
        ]
        return _rss(f"farm {feed}", items)

    def _author(self, index: int) -> str:
        authors = self.page_set.authors
        return authors[index % len(authors)] if authors else ""

    def _title(self, index: int) -> str:
        titles = self.page_set.titles
        return titles[index % len(titles)] if titles else f"page {index}"

    def _page_body(self, path: str) -> bytes | None:
        match = re.fullmatch(r"/pages/(\d+|live)/(\d+)\.html", path)
        if not match:
            return None
        if match.group(1) == "live":
            return self.page_set.page_of(int(match.group(2)))
        feed, entry = int(match.group(1)), int(match.group(2))
        if feed >= self.feeds or entry >= self.entries:
            return None
        return self.page_of(feed, entry)

    def _respond(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        now = time.time()
        with self._lock:
            self.requests += 1
            if self.first_request is None:
                self.first_request = now
            self.last_request = now
            self.log.append((now, handler.path))
        if self.latency > 0:
            time.sleep(self.latency)  # a slow origin: this thread waits, the others keep serving
        path = handler.path.split("?")[0]
        body, kind = self._feed_body(path), "application/rss+xml; charset=utf-8"
        if body is None:
            body, kind = self._page_body(path), "text/html; charset=utf-8"
        status = 200
        if body is None:
            status, body, kind = 404, b"not found", "text/plain"
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def close(self) -> None:
        """Stop serving and join the thread."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> FeedFarm:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def main() -> None:
    """Serve a farm until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=10)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    with FeedFarm(
        load_pages(), feeds=args.feeds, entries=args.entries, latency=args.latency, port=args.port
    ) as farm:
        print(f"serving {farm.page_set.source} at {farm.base_url}/feeds/0.xml ... (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
