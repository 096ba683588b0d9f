"""Streaming mode for real: Prism runs the pipeline, a feed gains an entry between two polls, and the
new article reaches Kafka while the pipeline is still running; the old ones are never published again."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path

import pytest

from connectors.kafka_consume import read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer, respond
from pipeline.runner_choice import locate_prism
from tests.integration.helpers import assert_valid, start_newsbeam, stop_process, topic_messages, write_feeds
from tests.waiting import wait_for
from transforms.ids import article_id

pytestmark = pytest.mark.integration

SLUGS = ["en/sec-custody-rule.html", "en/btc-price-rally.html", "en/fca-fine-aml.html"]


class GrowingFeed:
    """An RSS feed whose item list the test extends while the pipeline polls it."""

    def __init__(self, server: StaticServer) -> None:
        self.server = server
        self.items = SLUGS[:2]
        self.polls = 0
        self.lock = threading.Lock()

    def __call__(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.polls += 1
            items = "".join(
                f"<item><title>Story {slug}</title><link>{self.server.url(slug)}</link>"
                f"<guid>{slug}</guid><description>Summary of {slug}</description></item>"
                for slug in self.items
            )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>live</title>{items}</channel></rss>'.encode()
        respond(handler, 200, body, Content_Type="application/rss+xml")


def _wait_for_keys(settings: KafkaSettings, topic: str, keys: set[str], deadline: float) -> list[str]:
    seen: list[str] = []
    for message in read_messages(settings, topic, from_beginning=True, timeout=deadline - time.monotonic()):
        seen.append(message.key or "")
        if keys <= set(seen):
            break
    return seen


def _polls_published(settings: KafkaSettings, topics: TopicNames) -> int:
    """How many feed polls the pipeline has published on the ops topic so far."""
    ops = topic_messages(settings, topics.ops, timeout=0.5)
    return sum(1 for m in ops if m.value and m.value["event"] == "feed_poll")


def test_new_entry_is_published_once_while_streaming(
    sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    locate_prism()  # `make test` builds Prism; without it this fails with the command that builds it
    feed = GrowingFeed(sample_server)
    sample_server.routes["/live.xml"] = feed
    feeds_file = write_feeds(
        tmp_path / "feeds.yaml",
        [{"name": "live", "url": sample_server.url("live.xml"), "language": "en", "poll_interval": 2}],
        allow_private_networks=True,
    )
    log_path = tmp_path / "pipeline.log"
    process = start_newsbeam(
        log_path, "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--topic-prefix", topic_prefix, "--tick", "1", "--duration", "240",
    )  # fmt: skip
    topics = TopicNames(topic_prefix)
    first_two = {article_id(sample_server.url(slug)) for slug in SLUGS[:2]}
    third = article_id(sample_server.url(SLUGS[2]))
    try:
        seen = _wait_for_keys(kafka_settings, topics.articles, first_two, time.monotonic() + 150)
        assert first_two <= set(seen), f"first articles never arrived:\n{log_path.read_text()[-3000:]}"
        assert process.poll() is None, "the streaming pipeline stopped by itself"
        with feed.lock:
            feed.items = SLUGS  # the feed gains an entry between two polls
        seen = _wait_for_keys(kafka_settings, topics.articles, {third}, time.monotonic() + 90)
        assert third in seen, f"the new entry never arrived:\n{log_path.read_text()[-3000:]}"
        assert process.poll() is None, "the pipeline must still be running when the new entry arrives"
        # four more polls of the unchanged feed, seen through the pipeline's own ops records: polls come
        # two seconds apart, so a republished entry of the first of them would be on the topic by the last
        published = _polls_published(kafka_settings, topics)
        wait_for(
            lambda: _polls_published(kafka_settings, topics) >= published + 4,
            60,
            "the ops records of four more polls of the unchanged feed",
            interval=1.0,
        )
    finally:
        stop_process(process)

    articles = topic_messages(kafka_settings, topics.articles)
    keys = [m.key for m in articles]
    print(f"\nstreaming: {len(articles)} article messages over {feed.polls} polls")
    assert sorted(keys) == sorted([*first_two, third]), "each article exactly once"
    assert_valid(topics.articles, articles)
    ops = topic_messages(kafka_settings, topics.ops)
    assert_valid(topics.ops, ops)
    polls = [m for m in ops if m.value and m.value["event"] == "feed_poll"]
    assert len(polls) >= 5 and all(m.value and m.value["outcome"] == "ok" for m in polls)
    heartbeats = [m.value for m in ops if m.value and m.value["event"] == "heartbeat"]
    assert heartbeats and heartbeats[-1]["mode"] == "streaming", "a streaming run sends heartbeats"
