"""Shared fixtures: one real Kafka broker per test session, a uuid topic prefix per test, local HTTP.

The broker is started by the project's own script (deploy/local/kafka) on a free port, in a state folder
of its own, and stopped at the end; set KAFKA_BOOTSTRAP_SERVERS to use a broker you already run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from connectors.kafka_settings import KafkaSettings
from connectors.static_server import StaticServer

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "deploy" / "feeds" / "sample"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
KAFKA_SCRIPT = REPO / "deploy" / "local" / "kafka"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LocalKafka:
    """A broker started through deploy/local/kafka, with the environment that addresses it."""

    def __init__(self, state_dir: Path, extra_properties: Path | None = None) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "KAFKA_PORT": str(self.port),
            "KAFKA_CONTROLLER_PORT": str(free_port()),
            "KAFKA_STATE_DIR": str(state_dir),
        }
        if extra_properties is not None:
            self.env["KAFKA_EXTRA_PROPERTIES"] = str(extra_properties)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def command(self, action: str) -> None:
        subprocess.run([str(KAFKA_SCRIPT), action], env=self.env, check=True, timeout=600)


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of a real Apache Kafka broker for this session."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"]
        return
    broker = LocalKafka(tmp_path_factory.mktemp("kafka-state"))
    broker.command("start")
    try:
        yield broker.bootstrap
    finally:
        broker.command("stop")


@pytest.fixture
def kafka_settings(kafka_bootstrap: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka_bootstrap)


@pytest.fixture
def topic_prefix(kafka_settings: KafkaSettings) -> Iterator[str]:
    """A uuid-named topic prefix for one test; its topics are deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    admin = KafkaAdminClient(**kafka_settings.admin_config())
    try:
        mine = [topic for topic in admin.list_topics() if topic.startswith(prefix + ".")]
        if mine:
            admin.delete_topics(mine)
    finally:
        admin.close()


@pytest.fixture
def sample_server() -> Iterator[StaticServer]:
    """The bundled sample feeds and pages over real HTTP on 127.0.0.1."""
    with StaticServer(SAMPLES) as server:
        yield server


@pytest.fixture
def fixture_server() -> Iterator[StaticServer]:
    """tests/fixtures over real HTTP on 127.0.0.1 (routes can be added to misbehave)."""
    with StaticServer(FIXTURES) as server:
        yield server
