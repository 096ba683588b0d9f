"""The hostile-feed suite: one `newsbeam run --once` over real HTTP and real Kafka with a healthy feed and
one feed per misbehaviour, asserting each feed's outcome, its dead letters, and that the healthy feeds
still published. Resource leaks (threads, sockets) are checked where they can be, in-process, in
tests/connectors/test_http.py."""

from __future__ import annotations

import datetime as dt
import gzip
import http.server
import socket
import struct
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer, reply
from tests.conftest import FIXTURES
from tests.integration.helpers import assert_valid, newsbeam, topic_messages, write_feeds
from transforms.ids import article_id

pytestmark = pytest.mark.integration

Handler = http.server.BaseHTTPRequestHandler
FEEDS = FIXTURES / "feeds"


def _rss(items: str, encoding: str | None = None) -> str:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    return f'{declaration}<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'


def _reset(handler: Handler) -> None:
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()
    handler.close_connection = True


def _drip(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    try:
        for _ in range(600):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.1)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _fifty_megabytes(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()  # no Content-Length: the cap must stop the read
    chunk = b"<!-- padding -->" * 4096
    try:
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    handler.close_connection = True


def test_hostile_feeds_in_one_run(
    sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    server = sample_server
    local = server.url  # pages that do not exist (404): the articles fall back to the feed's text
    russian = ["Банк России ужесточил требования к биржам", "Минфин предложил налог на майнинг"]
    japanese = ["金融庁が交換業者に業務改善命令を出した", "日本銀行がデジタル通貨の実験を拡大"]
    body_ru = "Регулятор опубликовал проект и пригласил участников рынка высказать замечания до конца месяца."
    body_ja = "当局は利用者保護の観点から顧客資産の分別管理と内部管理体制の見直しを求めている。"
    routes: dict[str, Callable[[Handler], None]] = {
        "/h/500.xml": reply(500, b"oops"),
        "/h/404.xml": reply(404, b"gone"),
        "/h/429.xml": reply(429, b"slow down", Retry_After="120"),
        "/h/304.xml": reply(304),
        "/h/reset.xml": _reset,
        "/h/drip.xml": _drip,
        "/h/50mb.xml": _fifty_megabytes,
        "/h/gzip-bomb.xml": reply(
            200, gzip.compress(b"\0" * 50 * 1024 * 1024), Content_Encoding="gzip", Content_Type="text/xml"
        ),
        "/h/loop-a.xml": reply(302, Location="/h/loop-b.xml"),
        "/h/loop-b.xml": reply(302, Location="/h/loop-a.xml"),
        "/h/to-metadata.xml": reply(302, Location="http://169.254.169.254/latest/meta-data"),
        "/h/malformed.xml": reply(200, b"<rss><channel><title>cut</title><item><title>half", Content_Type="text/xml"),
        "/h/billion-laughs.xml": reply(200, (FEEDS / "billion-laughs.xml").read_bytes(), Content_Type="text/xml"),
        "/h/external-entity.xml": reply(200, (FEEDS / "external-entity.xml").read_bytes(), Content_Type="text/xml"),
        "/h/cp1251.xml": reply(
            200,
            _rss("".join(f"<item><title>{t}</title><link>{local(f'ru/{i}.html')}</link><guid>ru{i}</guid>"
                         f"<description>{body_ru}</description></item>" for i, t in enumerate(russian))).encode("cp1251"),
            Content_Type="application/rss+xml",
        ),
        "/h/sjis.xml": reply(
            200,
            _rss("".join(f"<item><title>{t}</title><link>{local(f'ja/{i}.html')}</link><guid>ja{i}</guid>"
                         f"<description>{body_ja}</description></item>" for i, t in enumerate(japanese))).encode("shift_jis"),
            Content_Type="text/xml",
        ),
        "/h/same-guids.xml": reply(
            200,
            _rss("".join(f"<item><title>Same GUID story {i}</title><link>{local(f'dup/{i}.html')}</link>"
                         f"<guid>always-the-same</guid><description>Story number {i} in full.</description></item>"
                         for i in range(3))).encode(),
            Content_Type="application/rss+xml",
        ),
        "/h/blank-guids.xml": reply(
            200,
            _rss("".join(f"<item><title>Blank GUID story {i}</title><link>{local(f'blank/{i}.html')}</link>"
                         f"<guid></guid><description>Blank story {i}.</description></item>" for i in range(2))
                 + "<item><title>Entry without a link</title><description>Nowhere.</description></item>").encode(),
            Content_Type="application/rss+xml",
        ),
        "/h/no-text.xml": reply(
            200,
            _rss(f"<item><title>Empty page</title><link>{local('h/empty.html')}</link><guid>e1</guid></item>").encode(),
            Content_Type="application/rss+xml",
        ),
        "/h/empty.html": reply(200, b"<html><body><nav>menu</nav></body></html>", Content_Type="text/html"),
    }  # fmt: skip
    server.routes.update(routes)
    hostile = {
        "status-500": "h/500.xml", "status-404": "h/404.xml", "status-429": "h/429.xml",
        "not-modified": "h/304.xml", "reset": "h/reset.xml", "slow-drip": "h/drip.xml",
        "body-50mb": "h/50mb.xml", "gzip-bomb": "h/gzip-bomb.xml", "redirect-loop": "h/loop-a.xml",
        "redirect-private": "h/to-metadata.xml", "malformed": "h/malformed.xml",
        "billion-laughs": "h/billion-laughs.xml", "external-entity": "h/external-entity.xml",
        "cp1251-undeclared": "h/cp1251.xml", "shift-jis-undeclared": "h/sjis.xml",
        "duplicate-guids": "h/same-guids.xml", "blank-guids": "h/blank-guids.xml", "no-text": "h/no-text.xml",
    }  # fmt: skip
    feeds = [{"name": "healthy", "url": server.url("en/rss.xml"), "language": "en"}]
    feeds += [{"name": name, "url": server.url(path)} for name, path in hostile.items()]
    # only loopback is opened: the redirect to the metadata address must still be refused
    feeds_file = write_feeds(tmp_path / "feeds.yaml", feeds, allow_private_networks=["127.0.0.0/8"])

    started = time.monotonic()
    result = newsbeam(
        "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--topic-prefix", topic_prefix, "--once", "--fetch-budget", "3",
    )  # fmt: skip
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-4000:]

    topics = TopicNames(topic_prefix)
    articles = topic_messages(kafka_settings, topics.articles)
    dead = topic_messages(kafka_settings, topics.deadletter)
    ops = [
        m for m in topic_messages(kafka_settings, topics.ops) if m.value and m.value["event"] == "feed_poll"
    ]
    print(
        f"\nhostile suite: {len(articles)} articles, {len(dead)} dead letters, {len(ops)} polls in {took:.1f} s"
    )
    for topic, messages in ((topics.articles, articles), (topics.deadletter, dead), (topics.ops, ops)):
        assert_valid(topic, messages)

    polls = {m.value["feed"]: m.value for m in ops if m.value}
    outcomes = {feed: poll["outcome"] for feed, poll in polls.items()}
    assert outcomes == {
        "healthy": "ok", "status-500": "http_status", "status-404": "http_status", "status-429": "http_status",
        "not-modified": "not_modified", "reset": "connection_failed", "slow-drip": "timeout",
        "body-50mb": "too_large", "gzip-bomb": "too_large", "redirect-loop": "redirects",
        "redirect-private": "blocked", "malformed": "malformed_feed", "billion-laughs": "unsafe_xml",
        "external-entity": "unsafe_xml", "cp1251-undeclared": "ok", "shift-jis-undeclared": "ok",
        "duplicate-guids": "ok", "blank-guids": "ok", "no-text": "ok",
    }  # fmt: skip
    assert {f: polls[f]["status"] for f in ("status-500", "status-404", "status-429")} == {
        "status-500": 500, "status-404": 404, "status-429": 429,
    }  # fmt: skip
    retry = dt.datetime.fromisoformat(polls["status-429"]["next_poll"]) - dt.datetime.fromisoformat(
        polls["status-429"]["at"]
    )
    assert retry.total_seconds() >= 119, "Retry-After: 120 honoured"
    assert "169.254.169.254" in polls["redirect-private"]["error"]
    assert (polls["cp1251-undeclared"]["encoding"], polls["shift-jis-undeclared"]["encoding"]) == (
        "cp1251",
        "cp932",
    )
    assert (polls["duplicate-guids"]["identity"], polls["blank-guids"]["identity"]) == ("guid+link", "hash")

    letters = {(m.value["stage"], m.value["reason"], m.value["feed"]) for m in dead if m.value}
    for feed, reason in (
        ("status-500", "http_status"), ("status-404", "http_status"), ("status-429", "http_status"),
        ("reset", "connection_failed"), ("slow-drip", "timeout"), ("body-50mb", "too_large"),
        ("gzip-bomb", "too_large"), ("redirect-loop", "redirects"), ("redirect-private", "blocked"),
        ("malformed", "malformed_feed"), ("billion-laughs", "unsafe_xml"), ("external-entity", "unsafe_xml"),
        ("blank-guids", "no_link"),
    ):  # fmt: skip
        assert ("PollFeeds", reason, feed) in letters, (feed, reason)
    assert ("ExtractArticles", "no_text", "no-text") in letters
    assert not any(feed == "not-modified" for _, _, feed in letters), "a 304 is not a failure"

    by_feed: dict[str, list[dict]] = {}
    for message in articles:
        assert message.value is not None
        by_feed.setdefault(message.value["feed"], []).append(message.value)
    assert len(by_feed["healthy"]) >= 5, "the healthy feed still published"
    assert sorted(a["title"] for a in by_feed["cp1251-undeclared"]) == sorted(russian)
    assert sorted(a["title"] for a in by_feed["shift-jis-undeclared"]) == sorted(japanese)
    assert sorted(a["title"] for a in by_feed["duplicate-guids"]) == [
        f"Same GUID story {i}" for i in range(3)
    ]
    assert sorted(a["title"] for a in by_feed["blank-guids"]) == ["Blank GUID story 0", "Blank GUID story 1"]
    assert len({m.key for m in articles}) == len(articles), "no article twice"
    assert article_id(server.url("h/empty.html")) not in {m.key for m in articles}
    assert not any(path.startswith("/latest/meta-data") for path, _ in server.requests)
