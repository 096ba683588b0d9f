"""The hostile-input suite, over real HTTP and real Kafka.

First, one `newsbeam run --once` with a healthy feed and one feed per misbehaviour, asserting each feed's
outcome, its dead letters, and that the healthy feeds still published. Then every hostile case, one
test each (parametrised): a bad feed in a run of its own beside the healthy one, DNS rebinding through a
fake resolver, feeds files, options and surroundings refused at start in one sentence, the restart-read
and outage limits, and `newsbeam classify` on bad lines. Resource leaks (threads, sockets) are checked
where they can be, in-process, in tests/connectors/test_http.py."""

from __future__ import annotations

import datetime as dt
import gzip
import http.server
import json
import socket
import struct
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer, drip_headers, reply, respond
from pipeline.launcher import run_config
from pipeline.options import config_from_options
from tests.conftest import FIXTURES, SAMPLES, LocalKafka, free_port
from tests.integration.helpers import assert_valid, newsbeam, topic_messages, write_feeds
from tests.resolvers import RebindingResolver
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


# ------------------------------------------------------------------------------------------ one case a run
# Each hostile input in a run of its own beside the healthy English sample feed: the healthy
# feed's articles all arrive, and the bad input ends as its dead letter (or, refused at start, as one
# sentence on stderr with a non-zero exit code, never a traceback).

SAMPLE_EXPECTED = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["articles"]
OUTCOME_WAIT = 1.5  # seconds without a message before a topic counts as read: the run has finished


def _healthy_ids(server: StaticServer) -> set[str]:
    """The articles of the English sample feed (its broken page is a dead letter, not an article)."""
    return {
        article_id(server.url(f"en/{item['slug']}.html"))
        for item in SAMPLE_EXPECTED
        if item["lang"] == "en" and item["regulation"] is not None
    }


@dataclass(frozen=True)
class Outcome:
    """What one run beside the healthy feed left on the topics."""

    returncode: int
    stderr: str
    articles: list[dict[str, Any]]
    dead: list[dict[str, Any]]
    polls: dict[str, dict[str, Any]]

    def of(self, feed: str) -> list[dict[str, Any]]:
        return [article for article in self.articles if article["feed"] == feed]

    def letters(self, feed: str) -> list[dict[str, Any]]:
        return [letter for letter in self.dead if letter["feed"] == feed]


def _outcome(
    settings: KafkaSettings, prefix: str, result: subprocess.CompletedProcess[str] | None
) -> Outcome:
    topics = TopicNames(prefix)
    read = {
        topic: topic_messages(settings, topic, timeout=OUTCOME_WAIT)
        for topic in (topics.articles, topics.deadletter, topics.ops)
    }
    for topic, messages in read.items():
        assert_valid(topic, messages)
    values = {topic: [m.value for m in messages if m.value] for topic, messages in read.items()}
    return Outcome(
        returncode=result.returncode if result is not None else 0,
        stderr=result.stderr if result is not None else "",
        articles=values[topics.articles],
        dead=values[topics.deadletter],
        polls={m["feed"]: m for m in values[topics.ops] if m["event"] == "feed_poll"},
    )


def _assert_the_healthy_feed_arrived(outcome: Outcome, server: StaticServer) -> None:
    assert outcome.returncode == 0, outcome.stderr[-4000:]
    assert "Traceback" not in outcome.stderr
    assert {a["article_id"] for a in outcome.of("healthy")} == _healthy_ids(server)
    assert outcome.polls["healthy"]["outcome"] == "ok"


LAUGHS = "".join(
    f'<!ENTITY l{n} "{"".join(f"&l{n - 1};" for _ in range(10)) if n else "laugh"}">' for n in range(7)
)


def _fixture(name: str, content_type: str) -> Callable[[Handler], None]:
    return reply(200, (FEEDS / name).read_bytes(), Content_Type=content_type)


def _rss_item(title: str, link: str) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link><description>{title}, in full.</description></item>"
    )


@dataclass(frozen=True)
class BadFeed:
    """A hostile feed, served beside the healthy one, and what must come of it."""

    serve: Callable[[StaticServer], Callable[[Handler], None]]  # the feed's route, at /bad/feed
    letter: tuple[str, str] | None  # (stage, reason) of its dead letter
    message: str  # a part of that dead letter's message (or of its input)
    outcome: str  # its poll's outcome
    url: Callable[[StaticServer], str] | None = None  # where the feed is, when not at /bad/feed
    articles: tuple[str, ...] = ()  # the titles it still publishes


BAD_FEEDS = {
    # the URL canonicaliser raised ValueError on this link and the whole run failed
    "entry-link-port-99999": BadFeed(
        serve=lambda server: reply(
            200,
            _rss(_rss_item("Port out of range", "http://127.0.0.1:99999/story")
                 + _rss_item("The entry beside it", server.url("bad/beside.html"))).encode(),
            Content_Type="application/rss+xml",
        ),
        letter=("PollFeeds", "bad_link"),
        message="Port out of range 0-65535",
        outcome="ok",
        articles=("The entry beside it",),
    ),
    # json.loads raised RecursionError in the poll stage and the whole run failed
    "json-feed-nested-5000-deep": BadFeed(
        serve=lambda server: _fixture("jsonfeed-nested-deep.json", "application/feed+json"),
        letter=("PollFeeds", "invalid_feed"),
        message="nested deeper than a JSON parser reads",
        outcome="invalid_feed",
    ),
    # the fetch budget was only checked while reading the body: 3 s became the server's 10 s
    "headers-one-line-every-half-second": BadFeed(
        serve=lambda server: drip_headers(lines=20, every=0.5),  # 10 s of headers
        letter=("PollFeeds", "timeout"),
        message="fetch budget of 3s spent",
        outcome="timeout",
    ),
    # the entity check read the first 64 KiB only: the DOCTYPE after a 70 KB comment went unseen
    "doctype-after-a-70-KB-comment": BadFeed(
        serve=lambda server: reply(
            200,
            (f'<?xml version="1.0"?><!--{"x" * 70_000}--><!DOCTYPE rss [{LAUGHS}]>'
             + _rss(_rss_item("&l6;", server.url("bad/laughs.html")))).encode(),
            Content_Type="application/rss+xml",
        ),
        letter=("PollFeeds", "unsafe_xml"),
        message="has an internal subset",
        outcome="unsafe_xml",
    ),
    # a text scan took the "]>" inside a comment of the subset for its end
    "bracket-inside-a-doctype-comment": BadFeed(
        serve=lambda server: _fixture("doctype-comment-bracket.xml", "application/rss+xml"),
        letter=("PollFeeds", "unsafe_xml"),
        message="has an internal subset",
        outcome="unsafe_xml",
    ),
    # 6to4 carries 127.0.0.1 inside a "public" IPv6 address: it was not checked by what it carries
    "6to4-address-of-loopback": BadFeed(
        serve=lambda server: reply(500),
        url=lambda server: f"http://[2002:7f00:1::1]:{server.port}/en/rss.xml",
        letter=("PollFeeds", "blocked"),
        message="(it carries 127.0.0.1)",
        outcome="blocked",
    ),
    # a lone surrogate has no UTF-8 form: it could not be hashed nor written to Kafka
    "json-feed-with-lone-surrogates": BadFeed(
        serve=lambda server: _fixture("jsonfeed-lone-surrogates.json", "application/feed+json"),
        letter=None,
        message="",
        outcome="ok",
        articles=("Broken \ufffd title", "Fine \U0001f600 title"),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_FEEDS))
def test_a_bad_feed_beside_a_healthy_one(
    case: str, sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    bad = BAD_FEEDS[case]
    server = sample_server
    server.routes["/bad/feed"] = bad.serve(server)
    feeds = [
        {"name": "healthy", "url": server.url("en/rss.xml"), "language": "en"},
        {"name": "bad", "url": bad.url(server) if bad.url else server.url("bad/feed")},
    ]
    feeds_file = write_feeds(tmp_path / "feeds.yaml", feeds, allow_private_networks=["127.0.0.0/8"])
    result = newsbeam(
        "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--topic-prefix", topic_prefix, "--once", "--fetch-budget", "3",
    )  # fmt: skip
    outcome = _outcome(kafka_settings, topic_prefix, result)
    _assert_the_healthy_feed_arrived(outcome, server)
    poll = outcome.polls["bad"]
    assert poll["outcome"] == bad.outcome, poll
    assert poll["duration"] < 8, "the fetch kept to its 3 s budget"  # the slow server takes 10 s
    letters = [(d["stage"], d["reason"]) for d in outcome.letters("bad")]
    assert letters == ([bad.letter] if bad.letter else []), outcome.letters("bad")
    if bad.letter:
        [letter] = outcome.letters("bad")
        assert bad.message in letter["message"] + json.dumps(letter["input"], ensure_ascii=False), letter
        assert letter["error_class"]
    assert sorted(a["title"] for a in outcome.of("bad")) == sorted(bad.articles)
    assert all(len(a["title"]) < 1000 for a in outcome.articles), "no entity was expanded"


# DNS rebinding: the first lookup of the name answers 127.0.0.1 (where the public server is, and the only
# network the file allows), every later one 127.0.0.2, where an internal server must never be reached. The
# fake DNS plugs into the one seam for it (HttpSettings.resolver), so this run is in-process.
REBINDING = {
    "trailing-dot": ("rb2.rebind.test.", "rb2.rebind.test"),
    "international-name": ("bücher.test", "xn--bcher-kva.test"),
    "redirect-to-a-rebinding-name": ("rb3.rebind.test.", "rb3.rebind.test"),
}


@pytest.mark.parametrize("case", sorted(REBINDING))
def test_a_rebinding_name_beside_a_healthy_feed(
    case: str, sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    spelling, looked_up = REBINDING[case]
    server = sample_server
    public = [_rss_item(f"Public story {n}", server.url(f"rebind/{n}.html")) for n in range(2)]
    server.routes["/rebind.xml"] = reply(
        200, _rss("".join(public)).encode(), Content_Type="application/rss+xml"
    )
    server.routes["/to-rebind.xml"] = reply(302, Location=f"http://{spelling}:{server.port}/rebind.xml")
    path = "to-rebind.xml" if case.startswith("redirect") else "rebind.xml"
    entry = server.url(path) if case.startswith("redirect") else f"http://{spelling}:{server.port}/{path}"
    # robots.txt is not fetched for the rebinding feed: fetched beside the feed, it could take the name's
    # first answer, and the feed's own lookup (rightly) be refused as 127.0.0.2
    bad = {"name": "bad", "url": entry, "respect_robots": False}
    feeds_file = write_feeds(
        tmp_path / "feeds.yaml",
        [{"name": "healthy", "url": server.url("en/rss.xml"), "language": "en"}, bad],
        allow_private_networks=["127.0.0.1/32"],
    )
    resolver = RebindingResolver({looked_up: ("127.0.0.1", "127.0.0.2")})
    with StaticServer(SAMPLES, port=server.port, host="127.0.0.2") as internal:
        internal.routes["/rebind.xml"] = reply(
            200, _rss(_rss_item("INTERNAL SECRET", "http://10.0.0.1/x")).encode(), Content_Type="text/xml"
        )
        options = PipelineOptions(
            ["--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
             "--topic-prefix", topic_prefix, "--once", "--extraction-processes", "0", "--fetch-budget", "5"]
        )  # fmt: skip
        config = config_from_options(options)
        run_config(replace(config, http=replace(config.http, resolver=resolver)), options)
    outcome = _outcome(kafka_settings, topic_prefix, None)
    _assert_the_healthy_feed_arrived(outcome, server)
    assert internal.requests == [], "the address the guard never checked was never reached"
    assert sorted(a["title"] for a in outcome.of("bad")) == ["Public story 0", "Public story 1"]
    assert outcome.polls["bad"]["outcome"] == "ok"


# Refused at start: one sentence on stderr naming the file and line, exit 1, nothing started.
BAD_FILES = {
    "feed-url-port-99999": ("feeds:\n  - name: p\n    url: http://127.0.0.1:99999/feed\n",
                            ":3: feeds[0] (p): url: not a URL that can be fetched (Port out of range 0-65535)"),
    "feed-url-bad-ipv6-literal": ('feeds:\n  - name: p\n    url: "http://[oops/feed"\n',
                                  ":3: feeds[0] (p): url: not a URL that can be fetched (Invalid IPv6 URL)"),
    "second-feeds-key": ("feeds:\n  - {name: a, url: 'http://e.org/a'}\nfeeds:\n  - {name: b, url: 'http://e.org/b'}\n",
                         ":3: key 'feeds' is given twice (first on line 1); give it once"),
    "file-url": ("feeds:\n  - name: p\n    url: file:///etc/passwd\n",
                 ":3: feeds[0] (p): url: scheme 'file' is not allowed; only http and https"),
    "negative-interval": ("feeds:\n  - {name: p, url: 'http://e.org/f', poll_interval: -5.0}\n",
                          ":2: feeds[0] (p): poll_interval must be a number of seconds >= 1, not -5.0"),
    "not-utf8": ("feeds:\n  - name: caf\udce9\n    url: http://e.org/f\n",
                 ":2: the feeds file is not UTF-8 text (byte 0xe9 cannot be decoded)"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_FILES))
@pytest.mark.parametrize("command", ["run", "feeds check"])
def test_a_bad_feeds_file_is_refused_at_start_in_one_sentence(
    case: str, command: str, tmp_path: Path
) -> None:
    text, message = BAD_FILES[case]
    feeds_file = tmp_path / "feeds.yaml"
    feeds_file.write_bytes(text.encode("utf-8", "surrogateescape"))
    args = (
        ["run", "--feeds", str(feeds_file), "--once"]
        if command == "run"
        else ["feeds", "check", str(feeds_file)]
    )
    result = newsbeam(*args, "--bootstrap-servers", "127.0.0.1:9") if command == "run" else newsbeam(*args)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert f"feeds.yaml{message}" in result.stderr


def test_opml_import_refuses_feeds_that_cannot_be_polled_in_one_sentence(tmp_path: Path) -> None:
    opml = tmp_path / "subscriptions.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body>\n'
        '<outline text="passwd" xmlUrl="file:///etc/passwd"/>\n'
        '<outline text="script" xmlUrl="javascript:alert(1)"/>\n'
        '<outline text="news" xmlUrl="https://news.example.org/rss"/>\n'
        "</body></opml>\n",
        encoding="utf-8",
    )
    refused = newsbeam("feeds", "import-opml", str(opml), "--out", str(tmp_path / "feeds.yaml"))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "subscriptions.opml:2: outline 'passwd': xmlUrl: scheme 'file' is not allowed" in refused.stderr
    assert (
        "subscriptions.opml:3: outline 'script': xmlUrl: scheme 'javascript' is not allowed" in refused.stderr
    )
    assert not (tmp_path / "feeds.yaml").exists()
    interval = newsbeam("feeds", "import-opml", str(FEEDS / "subscriptions.opml"), "--poll-interval", "-5.0")
    assert interval.returncode == 2 and "Traceback" not in interval.stderr
    assert "Invalid value for '--poll-interval': -5.0 is not in the range x>=1.0" in interval.stderr


# Options and surroundings a careless user gets wrong: one sentence, a non-zero exit code, no traceback.
def _sasl_args(feeds_file: Path, *extra: str) -> list[str]:
    return ["run", "--feeds", str(feeds_file), "--once", "--bootstrap-servers", "127.0.0.1:9",
            "--security-protocol", "SASL_PLAINTEXT", "--sasl-username", "newsbeam", *extra]  # fmt: skip


BAD_SURROUNDINGS: dict[str, tuple[Callable[[Path], list[str]], dict[str, str], int, str]] = {
    "sasl-without-a-mechanism": (
        lambda feeds: _sasl_args(feeds), {}, 1,
        "Error: SASL_PLAINTEXT needs a SASL mechanism (--sasl-mechanism): PLAIN, SCRAM-SHA-256, SCRAM-SHA-512",
    ),
    "missing-password-file": (
        lambda feeds: _sasl_args(feeds, "--sasl-mechanism", "PLAIN"),
        {"NEWSBEAM_KAFKA_SASL_PASSWORD_FILE": "/nonexistent/kafka-password"}, 1,
        "Error: cannot read the password file /nonexistent/kafka-password (named by "
        "NEWSBEAM_KAFKA_SASL_PASSWORD_FILE): No such file or directory",
    ),
    "status-with-kafka-down": (
        lambda feeds: ["status", "--bootstrap-servers", f"127.0.0.1:{free_port()}", "--connect-timeout", "3"],
        {}, 3,
        "could not reach Kafka at 127.0.0.1:",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_SURROUNDINGS))
def test_a_careless_option_is_one_sentence(case: str, sample_server: StaticServer, tmp_path: Path) -> None:
    args, env, code, message = BAD_SURROUNDINGS[case]
    feeds_file = write_feeds(
        tmp_path / "feeds.yaml", [{"name": "healthy", "url": sample_server.url("en/rss.xml")}]
    )
    result = newsbeam(*args(feeds_file), env=env)
    assert result.returncode == code, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert message in result.stderr


def test_the_restart_read_limit_stops_a_run_before_it_starts_in_one_sentence(
    sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    feeds_file = write_feeds(
        tmp_path / "feeds.yaml",
        [{"name": "healthy", "url": sample_server.url("en/rss.xml"), "language": "en"}],
        allow_private_networks=True,
    )
    args = ["run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
            "--topic-prefix", topic_prefix, "--once"]  # fmt: skip
    first = newsbeam(*args)
    assert first.returncode == 0, first.stderr[-3000:]
    assert {
        a["article_id"] for a in _outcome(kafka_settings, topic_prefix, first).of("healthy")
    } == _healthy_ids(sample_server)
    requests = len(sample_server.requests)
    second = newsbeam(*args, "--restart-read-timeout", "0.0001")
    assert second.returncode == 1 and "Traceback" not in second.stderr
    assert f"reading {topic_prefix}.articles back" in second.stderr
    assert "took more than 0.0001 s" in second.stderr and "Raise --restart-read-timeout" in second.stderr
    assert len(sample_server.requests) == requests, "nothing was started"


@pytest.mark.slow
def test_the_outage_wait_stops_a_run_in_one_sentence(tmp_path: Path) -> None:
    # a broker of its own, stopped when the feed is fetched: publishing can never be acknowledged
    broker = LocalKafka(tmp_path / "kafka-state")
    broker.command("start")
    body = (SAMPLES / "en" / "rss.xml").read_bytes()

    def stop_the_broker_then_serve(handler: Handler) -> None:
        broker.command("stop")
        respond(handler, 200, body, Content_Type="application/rss+xml")

    try:
        with StaticServer(SAMPLES) as server:
            server.routes["/en/rss.xml"] = stop_the_broker_then_serve
            feeds_file = write_feeds(
                tmp_path / "feeds.yaml", [{"name": "healthy", "url": server.url("en/rss.xml")}],
                allow_private_networks=True,
            )  # fmt: skip
            started = time.monotonic()
            result = newsbeam(
                "run", "--feeds", str(feeds_file), "--bootstrap-servers", broker.bootstrap, "--once",
                "--kafka-outage-timeout", "3", timeout=300,
            )  # fmt: skip
            took = time.monotonic() - started
    finally:
        broker.command("stop")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"Error: Kafka at {broker.bootstrap} did not acknowledge" in result.stderr
    assert "within the outage wait of 3 s (--kafka-outage-timeout)" in result.stderr
    assert took < 120, f"a 3 s outage wait, not a 60 s metadata wait per message: {took:.0f} s"


# newsbeam classify: each bad line gets its own error object, every other line is still answered, and
# what comes out is JSON
BAD_LINES = {
    "bracket-100000-times": ("[" * 100_000, "invalid JSON: nested deeper than the JSON parser reads"),
    "lone-surrogate-in-the-id": ('{"id": "\\ud800", "title": "SEC", "text": "x"}', "the id holds a lone surrogate"),
    "nan": ('{"id": NaN, "title": "SEC", "text": "x"}', "invalid JSON: NaN is not a JSON number"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_classify_answers_every_other_line_in_json(case: str) -> None:
    bad, error = BAD_LINES[case]
    before = json.dumps({"id": "before", "title": "SEC fines exchange", "text": "The regulator fined it."})
    after = json.dumps({"id": "after", "title": "Bitcoin climbs", "text": "The price rose 3%."})
    result = newsbeam("classify", stdin=f"{before}\n{bad}\n{after}\n")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    rows = [
        json.loads(line, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
        for line in result.stdout.splitlines()
    ]
    assert [row.get("id") for row in rows] == ["before", None, "after"]
    assert rows[1] == {"id": None, "line": 2, "error": rows[1]["error"]} and error in rows[1]["error"]
    assert "regulation" in rows[0] and "regulation" in rows[2]
    assert f"newsbeam classify: line 2: {rows[1]['error']}" in result.stderr
