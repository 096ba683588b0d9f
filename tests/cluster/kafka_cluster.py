"""A three-node Kafka cluster for the failover tests, through deploy/local/kafka, and what they watch with.

Every node gets a free client and controller port and a state folder under the test's temporary folder,
so the cluster meets neither the session broker nor another helper's.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from connectors.kafka_consume import end_offsets
from connectors.kafka_settings import KafkaSettings
from tests.conftest import KAFKA_SCRIPT, free_port

log = logging.getLogger(__name__)


def free_ports(count: int) -> list[int]:
    """``count`` distinct free ports."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


class KafkaCluster:
    """``KAFKA_NODES=n deploy/local/kafka ...`` on free ports; node ``i`` (1-based) has node.id ``i``."""

    def __init__(self, state_dir: Path, nodes: int = 3) -> None:
        self.nodes = nodes
        ports = free_ports(2 * nodes)
        self.ports, controller_ports = ports[:nodes], ports[nodes:]
        self.env = {
            **os.environ,
            "KAFKA_NODES": str(nodes),
            "KAFKA_PORTS": ",".join(map(str, self.ports)),
            "KAFKA_CONTROLLER_PORTS": ",".join(map(str, controller_ports)),
            "KAFKA_STATE_DIR": str(state_dir),
        }

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{port}" for port in self.ports)

    def bootstrap_of(self, nodes: list[int]) -> str:
        """The bootstrap list of some nodes only (a client that must not wait on a dead one)."""
        return ",".join(f"127.0.0.1:{self.ports[node - 1]}" for node in nodes)

    def command(self, *args: str) -> str:
        """Run the script; returns what it printed on stdout (its progress lines go to stderr)."""
        done = subprocess.run(
            [str(KAFKA_SCRIPT), *args], env=self.env, check=True, timeout=600, capture_output=True, text=True
        )
        return done.stdout

    def status(self) -> tuple[int, str]:
        """``status``: its exit code (3 when a node is stopped) and what it printed."""
        done = subprocess.run(
            [str(KAFKA_SCRIPT), "status"],
            env=self.env,
            timeout=120,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode, done.stdout

    def kill(self, node: int) -> float:
        """SIGKILL node ``node``; returns time.monotonic() just after it died."""
        self.command("kill", str(node))
        return time.monotonic()


def settings_for(bootstrap: str) -> KafkaSettings:
    """Short timeouts for the test's own watching clients, which must not hang on a dead node."""
    return KafkaSettings(bootstrap_servers=bootstrap, request_timeout_ms=5_000, bootstrap_timeout_ms=10_000)


def partition_leaders(settings: KafkaSettings, topic: str) -> dict[int, tuple[int, list[int]]]:
    """partition → (leader node id, in-sync replicas), as the cluster's metadata says now."""
    admin = KafkaAdminClient(**settings.admin_config())
    try:
        [described] = admin.describe_topics([topic])
        return {
            int(p["partition_index"]): (int(p["leader_id"]), sorted(p["isr_nodes"]))
            for p in described["partitions"]
        }
    finally:
        admin.close()


OFFSETS_PARTITIONS = 4  # offsets.topic.num.partitions in deploy/local/kafka


def _java_string_hash(text: str) -> int:
    value = 0
    for char in text:
        value = (31 * value + ord(char)) & 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def group_coordinated_by(settings: KafkaSettings, node: int, *, prefix: str) -> str:
    """A consumer group name whose coordinator is ``node``: the leader of the ``__consumer_offsets``
    partition the broker maps the group to (abs(Java hashCode of the name) % partitions)."""
    admin = KafkaAdminClient(**settings.admin_config())
    try:
        # finding a group's coordinator makes the broker create __consumer_offsets (the first answer is
        # "not available" while it does)
        with contextlib.suppress(KafkaError):
            admin.describe_groups([f"{prefix}-warm-up"])
    finally:
        admin.close()
    leaders: dict[int, tuple[int, list[int]]] = {}
    deadline = time.monotonic() + 60
    while len(leaders) < OFFSETS_PARTITIONS or any(leader < 0 for leader, _ in leaders.values()):
        assert time.monotonic() < deadline, f"__consumer_offsets has no leaders: {leaders}"
        time.sleep(0.5)
        with contextlib.suppress(KafkaError, ValueError):  # not there yet
            leaders = partition_leaders(settings, "__consumer_offsets")
    for attempt in range(1000):
        group = f"{prefix}-{attempt}"
        hashed = _java_string_hash(group)
        partition = (0 if hashed == -(1 << 31) else abs(hashed)) % OFFSETS_PARTITIONS
        if leaders[partition][0] == node:
            return group
    raise AssertionError(f"node {node} leads no partition of __consumer_offsets: {leaders}")


def acknowledged(settings: KafkaSettings, topic: str) -> int | None:
    """Messages acknowledged on ``topic`` so far: the sum of its partitions' end offsets (the high
    watermark: with acks=all a message is acknowledged once it is below it); None when the cluster
    cannot say now (no leader, a node away)."""
    try:
        return sum(end_offsets(settings, topic).values())
    except Exception as error:  # no leader yet, a connection to a dead node: not known now
        log.info("end offsets of %s not known now: %s: %s", topic, type(error).__name__, error)
        return None


@dataclass
class RssSampler:
    """Samples the resident memory of a process and its descendants (Beam's workers, extraction
    processes) from /proc, every ``interval`` seconds, in a thread."""

    pid: int
    interval: float = 0.5
    samples: list[tuple[float, int]] = field(default_factory=list)  # (time.monotonic(), bytes)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def between(self, start: float, end: float) -> list[int]:
        return [rss for at, rss in self.samples if start <= at <= end]

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            rss = tree_rss(self.pid)
            if rss:
                self.samples.append((time.monotonic(), rss))


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listing:
                found += [int(child) for child in listing.read().split()]
    except OSError:  # the process ended meanwhile
        pass
    return found


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (0 when it is gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
        except OSError:
            continue
        pending += _children(current)
    return total
