"""What the integration tests share: running the real CLI, reading topics back, checking schemas."""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from connectors.kafka_consume import Message, read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer, respond
from connectors.wire import SCHEMA_OF_TOPIC_SUFFIX, load_schema
from transforms.ids import article_id

REPO = Path(__file__).resolve().parents[2]


def start_newsbeam(log_path: Path, *args: str) -> subprocess.Popen[bytes]:
    """Start ``newsbeam ARGS`` in a session of its own (so ``stop_process`` ends its children too),
    output to ``log_path``."""
    with log_path.open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", *args],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


def stop_process(process: subprocess.Popen[Any]) -> None:
    """SIGTERM the process group, SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def newsbeam(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the installed ``newsbeam`` command as a user would (``env`` adds to the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        input=stdin,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
        check=False,
    )


def topic_messages(settings: KafkaSettings, topic: str, *, timeout: float = 3.0) -> list[Message]:
    """Every message on ``topic``, from the beginning, until ``timeout`` seconds pass without one."""
    return list(read_messages(settings, topic, from_beginning=True, timeout=timeout))


def assert_valid(topic: str, messages: list[Message]) -> None:
    """Every message value is JSON that validates against its topic's shipped schema."""
    schema = load_schema(SCHEMA_OF_TOPIC_SUFFIX[topic.rsplit(".", 1)[-1]])
    validator = jsonschema.Draft202012Validator(schema)
    for message in messages:
        assert message.value is not None, f"{topic}@{message.offset} is not JSON: {message.raw[:200]!r}"
        errors = sorted(validator.iter_errors(message.value), key=str)
        assert not errors, f"{topic}@{message.offset}: {errors[0].message}"
        assert message.headers["schema-version"] == str(message.value["schema_version"])
        assert message.headers["content-type"] == "application/json"


def write_feeds(path: Path, feeds: list[dict[str, Any]], **top: Any) -> Path:
    """A feeds file (YAML is a superset of JSON)."""
    path.write_text(json.dumps({**top, "feeds": feeds}, indent=1), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the sample run's expectations (any runner)
# The bundled sample feeds plus an unreachable feed and a malformed one, and what every runner must publish
# for them: the end-to-end DirectRunner test states these expectations, and runner tests (test_flink.py)
# hold other runners to the same ones.


def serve_invalid_xml(handler: http.server.BaseHTTPRequestHandler) -> None:
    """A feed that is not well-formed XML (an unclosed item)."""
    body = b"<?xml version='1.0'?><rss><channel><title>broken</title><item><title>unclosed"
    respond(handler, 200, body, Content_Type="application/rss+xml")


def sample_feed_list(server: StaticServer, unreachable_url: str) -> list[dict[str, Any]]:
    """The sample feeds served by ``server``, an unreachable one and an invalid one (route added here)."""
    server.routes["/bad/invalid.xml"] = serve_invalid_xml
    return [
        {"name": "sample-en", "url": server.url("en/rss.xml"), "language": "en"},
        {"name": "sample-en-policy", "url": server.url("en/policy.atom"), "language": "en"},
        {"name": "sample-pt", "url": server.url("pt/rss.xml"), "language": "pt-BR"},
        {"name": "sample-es", "url": server.url("es/atom.xml"), "language": "es"},
        {"name": "unreachable", "url": unreachable_url},
        {"name": "invalid-xml", "url": server.url("bad/invalid.xml")},
    ]


@dataclass(frozen=True)
class SampleOutcome:
    """What every run of ``sample_feed_list`` publishes, whatever the runner or the sink."""

    articles: set[str]  # article ids on the articles topic, each once
    flagged: set[str]  # article ids on the regulation topic
    dead_letters: set[tuple[str, str, str]]  # (stage, reason, feed)
    polls: dict[str, str]  # feed → outcome of its poll
    url_of: dict[str, str]  # sample slug → page URL


def sample_outcome(server: StaticServer) -> SampleOutcome:
    """The sample run's expectations, with the page URLs of ``server``."""
    samples = REPO / "deploy" / "feeds" / "sample"
    expected = json.loads((samples / "expected.json").read_text(encoding="utf-8"))["articles"]
    url_of = {item["slug"]: server.url(f"{item['lang']}/{item['slug']}.html") for item in expected}
    return SampleOutcome(
        articles={article_id(url_of[i["slug"]]) for i in expected if i["regulation"] is not None},
        flagged={article_id(url_of[i["slug"]]) for i in expected if i["regulation"]},
        dead_letters={
            ("ExtractArticles", "no_text", "sample-en"),
            ("PollFeeds", "connection_failed", "unreachable"),
            ("PollFeeds", "malformed_feed", "invalid-xml"),  # not well-formed: reported...
            ("PollFeeds", "no_link", "invalid-xml"),  # ...and its one recovered item has no link
        },
        polls={
            "sample-en": "ok",
            "sample-en-policy": "ok",
            "sample-pt": "ok",
            "sample-es": "ok",
            "unreachable": "connection_failed",
            "invalid-xml": "malformed_feed",
        },
        url_of=url_of,
    )


def assert_sample_outcome(settings: KafkaSettings, prefix: str, server: StaticServer) -> dict[str, int]:
    """The topics under ``prefix`` hold exactly the sample run's articles, flags, dead letters and polls.

    Returns the message count of each topic, for the test's printout.
    """
    want = sample_outcome(server)
    url_of = want.url_of

    topics = TopicNames(prefix)
    articles = topic_messages(settings, topics.articles)
    flagged = topic_messages(settings, topics.regulation)
    dead = topic_messages(settings, topics.deadletter)
    ops = topic_messages(settings, topics.ops)

    # exactly the sample's articles, once each (two of them also come through the policy feed)
    assert Counter(m.key for m in articles) == Counter(want.articles)
    assert {m.key for m in flagged} == want.flagged
    assert len(flagged) == len(want.flagged)
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
    assert reasons == want.dead_letters
    broken = next(m for m in dead if m.value and m.value["reason"] == "no_text")
    assert broken.value is not None and broken.value["url"] == url_of["broken-page"]
    assert broken.key == article_id(url_of["broken-page"])

    polls = [m.value for m in ops if m.value and m.value["event"] == "feed_poll"]
    outcomes = {value["feed"]: value["outcome"] for value in polls}
    assert outcomes == want.polls
    return {"articles": len(articles), "flagged": len(flagged), "dead": len(dead), "ops": len(ops)}
