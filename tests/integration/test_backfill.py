"""A backfill of real archived pages publishes exactly what the same pages give through a feed.

The real pages of the shared corpus (the Zyte benchmark's and the trafilatura evaluation's, the German
Cointelegraph article among them) are served over real HTTP on 127.0.0.1 with an RSS feed that links them,
and crawled into a WARC file the way an archiver does (one GET each, the response as it came). Then
``newsbeam run --once`` on the feed and ``newsbeam backfill`` on the WARC publish to real Kafka under two
prefixes, and the topics are compared: the same article ids, titles, texts, languages and flags, the same
pages dead-lettered; only ``text_source`` (``archive``) and ``seen_at`` (the WARC-Date) differ.
"""

from __future__ import annotations

import io
import urllib.request
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer, reply
from tests.integration.helpers import assert_valid, newsbeam, topic_messages, write_feeds
from tests.shared_corpus import ZYTE_BENCHMARK, absent_reason, corpus_path

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TRAFILATURA_EVAL = Path("pages") / "trafilatura-eval"
WARC_DATE = "2024-11-05T09:30:00Z"


def corpus_pages() -> list[bytes]:
    """The real pages: every Zyte benchmark page and every trafilatura evaluation page here."""
    zyte, trafilatura = corpus_path(ZYTE_BENCHMARK / "items"), corpus_path(TRAFILATURA_EVAL)
    if not zyte.is_dir():
        pytest.skip(absent_reason(zyte))
    pages = sorted(zyte.glob("*.html"))
    if trafilatura.is_dir():
        pages += sorted(trafilatura.glob("*.html"))
    return [path.read_bytes() for path in pages]


def rss(urls: list[str]) -> bytes:
    """A feed that only links the pages: title, date and text all come from the pages, as in a backfill."""
    items = "".join(f"<item><link>{escape(u)}</link><guid>{escape(u)}</guid></item>" for u in urls)
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>archive test</title>'
        f"<link>http://127.0.0.1/</link><description>pages</description>{items}</channel></rss>"
    ).encode()


def crawl_into_warc(urls: list[str], path: Path) -> Path:
    """GET each URL and write the response as it came (status, headers, body) to a WARC, gzip per record."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url in urls:
            with urllib.request.urlopen(url, timeout=30) as response:
                body = response.read()
                headers = StatusAndHeaders(
                    f"{response.status} {response.reason}",
                    list(response.headers.items()),
                    protocol="HTTP/1.1",
                )
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    length=len(body),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": WARC_DATE},
                )
            )
    return path


def published(
    settings: KafkaSettings, prefix: str
) -> tuple[dict[str, dict[str, Any]], set[str], set[tuple[str, str]]]:
    """Articles by id, flagged ids, and (url, reason) of the dead letters under ``prefix``, validated."""
    topics = TopicNames(prefix)
    articles = topic_messages(settings, topics.articles)
    flagged = topic_messages(settings, topics.regulation)
    dead = topic_messages(settings, topics.deadletter)
    for topic, messages in (
        (topics.articles, articles),
        (topics.regulation, flagged),
        (topics.deadletter, dead),
    ):
        assert_valid(topic, messages)
    by_id = {str(m.key): m.value for m in articles if m.value is not None}
    assert len(by_id) == len(articles), "an article was published twice"
    return (
        by_id,
        {str(m.key) for m in flagged},
        {(m.value["url"], m.value["reason"]) for m in dead if m.value},
    )


def test_a_backfill_publishes_exactly_what_the_same_pages_give_through_a_feed(
    kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    pages = corpus_pages()
    assert len(pages) >= 181
    with StaticServer(tmp_path / "empty-root") as server:
        urls = [server.url(f"pages/{number}.html") for number in range(len(pages))]
        for number, body in enumerate(pages):
            server.routes[f"/pages/{number}.html"] = reply(200, body, Content_Type="text/html")
        server.routes["/feed.xml"] = reply(200, rss(urls), Content_Type="application/rss+xml")
        warc = crawl_into_warc(urls, tmp_path / "CC-NEWS-20241105093000-00001.warc.gz")
        feeds = write_feeds(
            tmp_path / "feeds.yaml",
            [{"name": "archive-test", "url": server.url("feed.xml")}],
            allow_private_networks=True,
        )
        common = ["--bootstrap-servers", kafka_settings.bootstrap_servers]
        live = newsbeam(
            "run", "--feeds", str(feeds), "--once", "--topic-prefix", f"{topic_prefix}.live", *common
        )
        assert live.returncode == 0, live.stderr[-4000:]
    # the server is gone: the backfill reads only the archive
    listing = tmp_path / "warc.paths"
    listing.write_text(f"{warc.name}\n", encoding="utf-8")
    backfill = newsbeam(
        "backfill",
        "--warc",
        str(listing),
        "--topic-prefix",
        f"{topic_prefix}.archive",
        "--split-bytes",
        "2000000",
        *common,
    )
    assert backfill.returncode == 0, backfill.stderr[-4000:]

    live_articles, live_flagged, live_dead = published(kafka_settings, f"{topic_prefix}.live")
    archived, archived_flagged, archived_dead = published(kafka_settings, f"{topic_prefix}.archive")

    assert len(live_articles) >= 150
    assert archived.keys() == live_articles.keys()
    assert archived_flagged == live_flagged
    assert {(url, reason) for url, reason in archived_dead if reason == "no_text"} == {
        (url, reason) for url, reason in live_dead if reason == "no_text"
    }
    for key, live_article in live_articles.items():
        article = archived[key]
        for field in ("url", "title", "text", "language", "authors", "published", "regulation"):
            assert article[field] == live_article[field], f"{key} {live_article['url']}: {field} differs"
        assert live_article["text_source"] == "page" and article["text_source"] == "archive"
        assert article["seen_at"] == "2024-11-05T09:30:00.000Z"
        assert article["feed"] == "archive"

    # the operator's progress on the ops topic: every record read, the file done
    ops = topic_messages(kafka_settings, TopicNames(f"{topic_prefix}.archive").ops)
    assert_valid(TopicNames(f"{topic_prefix}.archive").ops, ops)
    progress = [m.value for m in ops if m.value and m.value["event"] == "archive_progress"]
    assert sum(p["records"] for p in progress) == len(pages)
    assert sum(p["bytes_read"] for p in progress) == warc.stat().st_size
    print(
        f"\nbackfill of {len(pages)} archived pages: {len(archived)} articles, {len(archived_flagged)} flagged, "
        f"{len(archived_dead)} dead letters — the same as through the feed"
    )
