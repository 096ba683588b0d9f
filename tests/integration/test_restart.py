"""Restart safety against real Kafka: `newsbeam run --once` twice on the same feeds publishes nothing the
second time (the launcher rehydrates DropDuplicates from the compacted articles topic); a changed entry
then makes exactly one new version of the same article id."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer, respond
from tests.integration.helpers import assert_valid, newsbeam, topic_messages, write_feeds
from transforms.ids import article_id

pytestmark = pytest.mark.integration

SLUGS = ["en/sec-custody-rule.html", "en/btc-price-rally.html", "en/fca-fine-aml.html"]


class EditableFeed:
    """An RSS feed whose entries' descriptions the test can edit between runs."""

    def __init__(self, server: StaticServer) -> None:
        self.server = server
        self.descriptions = {slug: f"Summary of {slug}" for slug in SLUGS}
        self.lock = threading.Lock()

    def __call__(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        with self.lock:
            items = "".join(
                f"<item><title>Story {slug}</title><link>{self.server.url(slug)}</link>"
                f"<guid>{slug}</guid><description>{text}</description></item>"
                for slug, text in self.descriptions.items()
            )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
        respond(handler, 200, body, Content_Type="application/rss+xml")


def test_restart_publishes_nothing_again_and_a_change_once(
    sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    feed = EditableFeed(sample_server)
    sample_server.routes["/editable.xml"] = feed
    feeds_file = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {"name": "editable", "url": sample_server.url("editable.xml"), "language": "en"},
            # the same stories again through a second feed: published once, owned by the first
            {"name": "policy", "url": sample_server.url("en/policy.atom"), "language": "en"},
        ],
        allow_private_networks=True,
    )
    args = ("run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
            "--topic-prefix", topic_prefix, "--once")  # fmt: skip
    topics = TopicNames(topic_prefix)

    first = newsbeam(*args)
    assert first.returncode == 0, first.stderr[-4000:]
    after_first = topic_messages(kafka_settings, topics.articles)
    keys = {m.key for m in after_first}
    assert {article_id(sample_server.url(slug)) for slug in SLUGS} <= keys
    assert len(after_first) == len(keys), "each article once in the first run"
    assert all(m.value and m.value["version"] == 1 and m.value["fingerprint"] for m in after_first)

    second = newsbeam(*args)
    assert second.returncode == 0, second.stderr[-4000:]
    after_second = topic_messages(kafka_settings, topics.articles)
    print(f"\nrestart: {len(after_first)} articles after the first run, {len(after_second)} after the second")
    assert len(after_second) == len(after_first), "a restart must not publish already-published articles"

    with feed.lock:
        feed.descriptions[SLUGS[1]] = "Summary, corrected by the publisher"
    third = newsbeam(*args)
    assert third.returncode == 0, third.stderr[-4000:]
    after_third = topic_messages(kafka_settings, topics.articles)
    new = after_third[len(after_first) :] if len(after_third) > len(after_first) else []
    new = [m for m in after_third if m.value and m.value["version"] > 1]
    assert len(after_third) == len(after_first) + 1, "exactly one new message"
    assert [(m.key, m.value["version"]) for m in new if m.value] == [
        (article_id(sample_server.url(SLUGS[1])), 2)
    ]
    assert_valid(topics.articles, after_third)
