"""At-least-once with a real broker: Kafka is stopped in the middle of `newsbeam run --once` and started
again (same state folder, so it keeps its data); afterwards every article of the input is on
``<prefix>.articles``, the pipeline exited 0, and the number of duplicates is printed.

The test starts a broker of its own through deploy/local/kafka, so the session broker is untouched.
"""

from __future__ import annotations

import http.server
import os
import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from connectors.kafka_consume import end_offsets
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import Route, StaticServer, respond
from tests.conftest import LocalKafka
from tests.integration.helpers import REPO, assert_valid, topic_messages, write_feeds
from tests.waiting import wait_for
from transforms.ids import article_id

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FEEDS = 6
PER_FEED = 70
PAGE_DELAY = 0.1  # seconds per page request, two at a time: a ~20 s run, long enough to stop the broker in it
STOP_AFTER = 40  # articles on the topic before the broker is stopped
DOWN_FOR = 10.0  # seconds the broker stays stopped

SENTENCES = [
    "The regional transport authority published its quarterly figures on Tuesday.",
    "Passenger numbers rose for the third quarter in a row, driven by commuter lines.",
    "Officials said the new timetable would reduce waiting times at the busiest stations.",
    "Several councils asked for more frequent night services on weekends.",
    "The operator plans to replace forty ageing trains over the next two years.",
    "Maintenance work on the northern line will close two stations in the spring.",
    "A survey of riders found that punctuality mattered more than ticket prices.",
    "Cycling groups welcomed the extra parking spaces at interchange stations.",
    "The budget for station accessibility improvements was doubled this year.",
    "Local businesses near the new tram stops reported more visitors at lunchtime.",
]


def _page(index: int, rng: random.Random) -> bytes:
    paragraphs = "".join(
        f"<p>{' '.join(rng.sample(SENTENCES, 5))} Report {index}, section {part}.</p>" for part in range(5)
    )
    return (
        f"<!doctype html><html lang='en'><head><title>Transport report {index}</title></head><body>"
        f"<article><h1>Transport report {index}</h1>{paragraphs}</article></body></html>"
    ).encode()


def _feed(server: StaticServer, feed: int) -> bytes:
    items = "".join(
        f"<item><title>Transport report {feed}-{n}</title><link>{server.url(f'pages/{feed}/{n}.html')}</link>"
        f"<guid>report-{feed}-{n}</guid><description>Summary of report {feed}-{n}</description></item>"
        for n in range(PER_FEED)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>feed {feed}</title>{items}</channel></rss>'.encode()


def _serve_slowly(body: bytes, content_type: str, delay: float) -> Route:
    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        respond(handler, 200, body, Content_Type=content_type)

    return route


def _articles_on_topic(settings: KafkaSettings, topic: str) -> int:
    try:
        return sum(end_offsets(settings, topic).values())
    except Exception:  # topic not created yet, or the broker restarting: just not there yet
        return 0


def test_broker_restart_mid_run_loses_nothing(tmp_path: Path) -> None:
    broker = LocalKafka(tmp_path / "kafka-state")
    broker.command("start")
    server = StaticServer(tmp_path)  # every path the test uses is a route
    process: subprocess.Popen[str] | None = None
    try:
        rng = random.Random(5)
        urls: list[str] = []
        for feed in range(FEEDS):
            server.routes[f"/feeds/{feed}.xml"] = _serve_slowly(_feed(server, feed), "application/rss+xml", 0)
            for n in range(PER_FEED):
                path = f"pages/{feed}/{n}.html"
                server.routes[f"/{path}"] = _serve_slowly(
                    _page(feed * PER_FEED + n, rng), "text/html; charset=utf-8", PAGE_DELAY
                )
                urls.append(server.url(path))
        feeds_file = write_feeds(
            tmp_path / "feeds.yaml",
            [
                {"name": f"transport-{i}", "url": server.url(f"feeds/{i}.xml"), "language": "en"}
                for i in range(FEEDS)
            ],
            allow_private_networks=True,
        )
        prefix = "restart"
        topics = TopicNames(prefix)
        settings = KafkaSettings(bootstrap_servers=broker.bootstrap, request_timeout_ms=5_000)
        stderr_path = tmp_path / "pipeline.stderr"
        with stderr_path.open("w", encoding="utf-8") as stderr:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "pipeline.cli",
                    "run",
                    "--feeds",
                    str(feeds_file),
                    "--bootstrap-servers",
                    broker.bootstrap,
                    "--topic-prefix",
                    prefix,
                    "--once",
                    # a small in-flight bound, so the run pauses (and says so) while the broker is away
                    "--kafka-max-unacknowledged",
                    "50",
                ],
                cwd=REPO,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                text=True,
            )
            running = process

            def enough_published() -> bool:
                assert running.poll() is None, (
                    "the pipeline ended before the broker could be stopped:\n"
                    + stderr_path.read_text()[-3000:]
                )
                return _articles_on_topic(settings, topics.articles) >= STOP_AFTER

            wait_for(enough_published, 240, f"{STOP_AFTER} articles on the topic", interval=0.2)
            before_stop = _articles_on_topic(settings, topics.articles)
            broker.command("stop")
            stopped_at = time.monotonic()
            assert process.poll() is None, "the pipeline ended while the broker was being stopped"
            time.sleep(DOWN_FOR)  # the outage itself, not a wait: the run must ride out this long a gap
            assert process.poll() is None, (
                "the pipeline did not wait for the broker:\n" + stderr_path.read_text()[-3000:]
            )
            broker.command("start")
            down = time.monotonic() - stopped_at
            returncode = process.wait(timeout=300)
        log = stderr_path.read_text(encoding="utf-8")
        assert returncode == 0, log[-4000:]

        messages = topic_messages(settings, topics.articles, timeout=5.0)
        keys = Counter(m.key for m in messages)
        wanted = {article_id(url) for url in urls}
        missing = wanted - set(keys)
        duplicates = sum(keys.values()) - len(keys)
        print(
            f"\nbroker restart: {len(wanted)} articles in the input, {before_stop} on the topic when the broker "
            f"was stopped, broker down {down:.1f} s; afterwards {sum(keys.values())} messages, "
            f"{len(keys)} distinct, {duplicates} duplicate(s), {len(missing)} missing"
        )
        assert not missing, f"{len(missing)} article(s) lost"
        assert set(keys) <= wanted
        assert_valid(topics.articles, messages)
        assert "waiting for Kafka at" in log, "no log line said the pipeline was waiting for the broker"
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        server.close()
        broker.command("stop")
