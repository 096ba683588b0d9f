"""What the integration tests share: running the real CLI, reading topics back, checking schemas."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema

from connectors.kafka_consume import Message, read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.wire import SCHEMA_OF_TOPIC_SUFFIX, load_schema

REPO = Path(__file__).resolve().parents[2]


def newsbeam(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run the installed ``newsbeam`` command as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
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
