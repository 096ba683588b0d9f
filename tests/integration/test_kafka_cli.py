"""`newsbeam subscribe` and `newsbeam schema` as a user runs them, against the real broker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from kafka import KafkaProducer, TopicPartition

from connectors.kafka_settings import KafkaSettings, new_consumer
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from connectors.wire import article_records
from tests.connectors.test_kafka_consume import ARTICLES
from tests.integration.helpers import REPO, newsbeam
from tests.waiting import wait_for

pytestmark = pytest.mark.integration


def _publish(settings: KafkaSettings, prefix: str) -> TopicNames:
    topics = TopicNames(prefix)
    ensure_topics(settings, default_specs(topics, partitions=1))
    producer = KafkaProducer(**settings.producer_config())
    try:
        for article in ARTICLES:
            record = article_records(article, topics)[0]
            producer.send(record.topic, key=record.key, value=record.value, headers=list(record.headers))
        producer.flush(timeout=30)
    finally:
        producer.close()
    return topics


def test_subscribe_filters_as_json_lines(kafka_settings: KafkaSettings, topic_prefix: str) -> None:
    topics = _publish(kafka_settings, topic_prefix)
    result = newsbeam(
        "subscribe", topics.articles, "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--from-beginning", "--flagged", "--language", "en", "--language", "es", "--timeout", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["article_id"] for line in lines] == [f"{2:016x}", f"{4:016x}"]


def test_subscribe_table_when_piped(kafka_settings: KafkaSettings, topic_prefix: str) -> None:
    topics = _publish(kafka_settings, topic_prefix)
    result = newsbeam(
        "subscribe", topics.articles, "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--since", "1h", "--jurisdiction", "br", "--format", "table", "--timeout", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "1 message(s)" in result.stdout
    assert "Story 1" in result.stdout and "BR" in result.stdout
    assert "Story 2" not in result.stdout


def test_subscribe_bad_duration_is_a_usage_error(kafka_settings: KafkaSettings) -> None:
    result = newsbeam(
        "subscribe", "x", "--bootstrap-servers", kafka_settings.bootstrap_servers, "--since", "soon"
    )
    assert result.returncode == 2
    assert "not a duration: 'soon'" in result.stderr


def test_ctrl_c_stops_cleanly_and_keeps_what_was_shown_committed(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = _publish(kafka_settings, topic_prefix)
    group = f"{topic_prefix}-cli"
    command = [sys.executable, "-m", "pipeline.cli", "subscribe", topics.articles, "--from-beginning"]
    command += ["--bootstrap-servers", kafka_settings.bootstrap_servers, "--group", group]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    committed = new_consumer(kafka_settings, group_id=group)  # reads the group's commits without joining it
    partition = TopicPartition(topics.articles, 0)
    try:
        assert process.stdout is not None
        shown = [process.stdout.readline() for _ in ARTICLES]  # all of them, then it waits for more
        # idle once the last shown message is committed: the interrupt then finds it waiting for more
        wait_for(
            lambda: committed.committed(partition) == len(ARTICLES), 30, "the last shown message's commit"
        )
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 0, stderr[-3000:]
        assert "Traceback" not in stderr
        assert stdout == ""
        assert [json.loads(line)["article_id"] for line in shown] == [a.article_id for a in ARTICLES]
        assert committed.committed(partition) == len(ARTICLES), "the commits outlive the interrupt"
    finally:
        committed.close()
        if process.poll() is None:
            process.kill()


def test_schema_prints_and_exports_the_shipped_schemas(tmp_path: Path) -> None:
    printed = newsbeam("schema")
    assert printed.returncode == 0, printed.stderr[-2000:]
    documents = json.loads(printed.stdout)
    assert set(documents) == {"article", "deadletter", "ops"}
    for document in documents.values():
        jsonschema.Draft202012Validator.check_schema(document)
    one = newsbeam("schema", "article")
    assert json.loads(one.stdout) == documents["article"]
    exported = newsbeam("schema", "--out", str(tmp_path / "schemas"))
    assert exported.returncode == 0
    files = sorted(p.name for p in (tmp_path / "schemas").iterdir())
    assert files == ["article.v2.json", "deadletter.v2.json", "ops.v2.json"]
    assert json.loads((tmp_path / "schemas" / "ops.v2.json").read_text()) == documents["ops"]
