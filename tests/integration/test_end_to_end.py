"""Sample feeds over real HTTP → `newsbeam run --once` on Beam → real Apache Kafka → topics read back."""

from __future__ import annotations

import http.server
import json
from collections import Counter
from pathlib import Path

import pytest

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer
from tests.conftest import SAMPLES, free_port
from tests.integration.helpers import assert_valid, newsbeam, topic_messages, write_feeds
from transforms.ids import article_id

pytestmark = pytest.mark.integration


def _invalid_xml(handler: http.server.BaseHTTPRequestHandler) -> None:
    body = b"<?xml version='1.0'?><rss><channel><title>broken</title><item><title>unclosed"
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_sample_feeds_end_to_end(
    sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    sample_server.routes["/bad/invalid.xml"] = _invalid_xml
    unreachable = f"http://127.0.0.1:{free_port()}/rss.xml"
    feeds = [
        {"name": "sample-en", "url": sample_server.url("en/rss.xml"), "language": "en"},
        {"name": "sample-en-policy", "url": sample_server.url("en/policy.atom"), "language": "en"},
        {"name": "sample-pt", "url": sample_server.url("pt/rss.xml"), "language": "pt-BR"},
        {"name": "sample-es", "url": sample_server.url("es/atom.xml"), "language": "es"},
        {"name": "unreachable", "url": unreachable},
        {"name": "invalid-xml", "url": sample_server.url("bad/invalid.xml")},
    ]
    feeds_file = write_feeds(tmp_path / "feeds.yaml", feeds, allow_private_networks=True)

    result = newsbeam(
        "run",
        "--feeds",
        str(feeds_file),
        "--bootstrap-servers",
        kafka_settings.bootstrap_servers,
        "--topic-prefix",
        topic_prefix,
        "--once",
    )
    assert result.returncode == 0, result.stderr[-4000:]

    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["articles"]
    url_of = {item["slug"]: sample_server.url(f"{item['lang']}/{item['slug']}.html") for item in expected}
    want_articles = {article_id(url_of[i["slug"]]) for i in expected if i["regulation"] is not None}
    want_flagged = {article_id(url_of[i["slug"]]) for i in expected if i["regulation"]}

    topics = TopicNames(topic_prefix)
    articles = topic_messages(kafka_settings, topics.articles)
    flagged = topic_messages(kafka_settings, topics.regulation)
    dead = topic_messages(kafka_settings, topics.deadletter)
    ops = topic_messages(kafka_settings, topics.ops)
    print(
        f"\nend to end: {len(articles)} articles, {len(flagged)} flagged, {len(dead)} dead letters, {len(ops)} polls"
    )

    # exactly the sample's articles, once each (two of them also come through the policy feed)
    assert Counter(m.key for m in articles) == Counter(want_articles)
    assert {m.key for m in flagged} == want_flagged
    assert len(flagged) == len(want_flagged)
    for topic, messages in (
        (topics.articles, articles),
        (topics.regulation, flagged),
        (topics.deadletter, dead),
        (topics.ops, ops),
    ):
        assert_valid(topic, messages)

    by_id = {m.key: m.value for m in articles if m.value is not None}
    missing_page = by_id[article_id(url_of["cvm-pagina-ausente"])]
    assert missing_page["text_source"] == "feed"
    assert missing_page["fetch_error"].startswith("http_status")
    telegram = by_id[article_id(url_of["telegram-cazaquistao"])]
    assert telegram["text_source"] == "page" and telegram["language"] == "pt"
    assert "KZ" in telegram["regulation"]["jurisdictions"]
    assert "Telegram" in telegram["regulation"]["entities"]["organizations"]
    assert all(m.headers["flagged"] == "true" for m in flagged)

    reasons = {(m.value["stage"], m.value["reason"], m.value["feed"]) for m in dead if m.value}
    assert reasons == {
        ("ExtractArticles", "no_text", "sample-en"),
        ("PollFeeds", "connection_failed", "unreachable"),
        ("PollFeeds", "malformed_feed", "invalid-xml"),  # not well-formed: reported...
        ("PollFeeds", "no_link", "invalid-xml"),  # ...and its one recovered item has no link
    }
    broken = next(m for m in dead if m.value and m.value["reason"] == "no_text")
    assert broken.value is not None and broken.value["url"] == url_of["broken-page"]
    assert broken.key == article_id(url_of["broken-page"])

    polls = [m.value for m in ops if m.value and m.value["event"] == "feed_poll"]
    outcomes = {value["feed"]: value["outcome"] for value in polls}
    assert outcomes == {
        "sample-en": "ok",
        "sample-en-policy": "ok",
        "sample-pt": "ok",
        "sample-es": "ok",
        "unreachable": "connection_failed",
        "invalid-xml": "malformed_feed",
    }
