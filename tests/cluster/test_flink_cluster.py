"""newsbeam on a real Flink session cluster (deploy/local/flink): a JobManager, two TaskManagers and the SDK
worker pool, each its own process, with the pipeline submitted through Beam's Flink job server.

- ``test_sample_run_spreads_over_both_taskmanagers``: the bounded sample run with parallelism 2 publishes
  exactly what the local run publishes (tests/integration/helpers.py), and Flink's REST API shows the job's
  subtasks on both task managers.
- ``test_streaming_survives_a_lost_taskmanager``: the streaming pipeline with checkpoints every two seconds;
  a feed grows while it runs; one TaskManager is killed with SIGKILL; Flink restarts the job from its last
  checkpoint on the other one (two slots each, so parallelism 2 fits on one). Every entry added before,
  during and after the failure arrives on Kafka, nothing is published twice, and the per-feed and
  de-duplication state comes back from the checkpoint: the articles seen before the kill are not
  published again, and the heartbeat's cumulative counters and sequence carry on instead of restarting.
  The failover times are printed.

Beam's Flink runner is served by Maven here only up to Beam 2.62.0, so these run in .venv-flink
(`make test-cluster-flink`); the markers keep them out of `make test`.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import apache_beam
import pytest

from connectors.kafka_consume import Message, read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer, respond
from tests.cluster.flink_cluster import LocalFlink, fetch_job_server
from tests.conftest import SAMPLES, free_port
from tests.integration.helpers import (
    assert_sample_outcome,
    assert_valid,
    newsbeam,
    sample_feed_list,
    start_newsbeam,
    stop_process,
    topic_messages,
    write_feeds,
)
from tests.waiting import wait_for
from transforms.ids import article_id

pytestmark = [pytest.mark.cluster, pytest.mark.flink, pytest.mark.integration, pytest.mark.slow]

CHECKPOINT_MS = 2000


@pytest.fixture(scope="module")
def job_server_jar() -> str:
    try:
        return fetch_job_server(apache_beam.__version__)
    except RuntimeError as missing:
        pytest.fail(
            f"{missing}\nRun these tests with `make test-cluster-flink` (.venv-flink).", pytrace=False
        )


@pytest.fixture(scope="module")
def flink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFlink]:
    """The session cluster, started once for this module and stopped after it."""
    cluster = LocalFlink(tmp_path_factory.mktemp("flink-state"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


def _cluster_args(flink: LocalFlink, jar: str) -> list[str]:
    # the environment type (EXTERNAL) is the cluster default of pipeline/runner_choice.py; the address is
    # this cluster's worker pool, on a free port
    return [
        "--runner", "FlinkRunner", "--flink_master", flink.master, "--flink_job_server_jar", jar,
        "--environment_config", flink.worker_pool, "--parallelism", "2",
    ]  # fmt: skip


def test_sample_run_spreads_over_both_taskmanagers(
    flink: LocalFlink,
    job_server_jar: str,
    sample_server: StaticServer,
    kafka_settings: KafkaSettings,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    assert flink.taskmanagers() == ["taskmanager-1", "taskmanager-2"]
    before = {job["jid"] for job in flink.jobs()}
    feeds = sample_feed_list(sample_server, f"http://127.0.0.1:{free_port()}/rss.xml")
    feeds_file = write_feeds(tmp_path / "feeds.yaml", feeds, allow_private_networks=True)

    result = newsbeam(
        "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--topic-prefix", topic_prefix, "--once", *_cluster_args(flink, job_server_jar), timeout=400,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    assert "finished on FlinkRunner (DONE)" in result.stderr, result.stderr[-2000:]

    [job] = [job for job in flink.jobs() if job["jid"] not in before]
    assert job["state"] == "FINISHED"
    subtasks = flink.subtasks(job["jid"])
    by_vertex: dict[str, set[str]] = {}
    for subtask in subtasks:
        by_vertex.setdefault(subtask.vertex, set()).add(subtask.taskmanager)
    parallel = {
        vertex: tms
        for vertex, tms in by_vertex.items()
        if len([s for s in subtasks if s.vertex == vertex]) == 2
    }
    assert parallel, f"no vertex ran with parallelism 2: {subtasks}"
    # every vertex of parallelism 2 had one subtask on each task manager
    assert all(tms == {"taskmanager-1", "taskmanager-2"} for tms in parallel.values()), by_vertex

    counts = assert_sample_outcome(kafka_settings, topic_prefix, sample_server)
    print(f"\nflink cluster (parallelism 2, {len(parallel)} vertices on both task managers): {counts}")


class GrowingFeed:
    """An RSS feed whose stories the test adds while the pipeline runs; each story's page is one of the
    sample's English pages, at a URL of its own."""

    PAGES = sorted(p for p in (SAMPLES / "en").glob("*.html") if p.name != "broken-page.html")

    def __init__(self, server: StaticServer) -> None:
        self.server = server
        self.stories: list[int] = []
        self.lock = threading.Lock()
        server.routes["/live.xml"] = self

    def add(self, count: int) -> set[str]:
        """``count`` new stories; returns their article ids."""
        with self.lock:
            new = list(range(len(self.stories), len(self.stories) + count))
            for n in new:
                page = self.PAGES[n % len(self.PAGES)].read_bytes()
                self.server.routes[f"/story/{n}.html"] = lambda h, page=page: respond(
                    h, 200, page, Content_Type="text/html; charset=utf-8"
                )
            self.stories += new
        return {article_id(self.url(n)) for n in new}

    def url(self, n: int) -> str:
        return self.server.url(f"story/{n}.html")

    def __call__(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        with self.lock:
            items = "".join(
                f"<item><title>Story {n}</title><link>{self.url(n)}</link><guid>story-{n}</guid>"
                f"<description>Summary of story {n}</description></item>"
                for n in self.stories
            )
        body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>live</title>{items}</channel></rss>'
        respond(handler, 200, body.encode(), Content_Type="application/rss+xml")


def _arrived(settings: KafkaSettings, topic: str, keys: set[str], timeout: float) -> list[Message]:
    """The topic's messages from the start, read until every key of ``keys`` is there or time is up."""
    seen: list[Message] = []
    for message in read_messages(settings, topic, from_beginning=True, timeout=timeout):
        seen.append(message)
        if keys <= {m.key for m in seen}:
            break
    return seen


def test_streaming_survives_a_lost_taskmanager(
    flink: LocalFlink,
    job_server_jar: str,
    sample_server: StaticServer,
    kafka_settings: KafkaSettings,
    topic_prefix: str,
    tmp_path: Path,
) -> None:
    if flink.taskmanagers() != ["taskmanager-1", "taskmanager-2"]:  # the other test leaves both running
        flink.start()
    feed = GrowingFeed(sample_server)
    first = feed.add(3)
    feeds_file = write_feeds(
        tmp_path / "feeds.yaml",
        [{"name": "live", "url": sample_server.url("live.xml"), "language": "en", "poll_interval": 2}],
        allow_private_networks=True,
    )
    topics = TopicNames(topic_prefix)
    before = {job["jid"] for job in flink.jobs()}
    log_path = tmp_path / "pipeline.log"
    process = start_newsbeam(
        log_path, "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--topic-prefix", topic_prefix, "--tick", "1", "--heartbeat-interval", "2", "--duration", "600",
        *_cluster_args(flink, job_server_jar), "--checkpointing_interval", str(CHECKPOINT_MS),
    )  # fmt: skip

    def log_tail() -> str:
        return log_path.read_text(errors="replace")[-3000:]

    try:
        wait_for(
            lambda: [j for j in flink.running_jobs() if j["jid"] not in before], 180, "the job on the cluster"
        )
        [job_id] = [j["jid"] for j in flink.running_jobs() if j["jid"] not in before]
        seen = _arrived(kafka_settings, topics.articles, first, timeout=120)
        # what tells a job that never processed a bundle (no heartbeat, no poll: the SDK workers' start-up)
        # from one that polled and lost the stories
        assert first <= {m.key for m in seen}, (
            f"the first stories never arrived; on {topics.ops}: {len(_heartbeats(kafka_settings, topics))} "
            f"heartbeat(s), {_polls(kafka_settings, topics)} poll(s)\n{log_tail()}\n"
            f"worker pool:\n{flink.log_tail('worker-pool', 30)}"
        )

        # stories added while it runs
        second = feed.add(3)
        seen = _arrived(kafka_settings, topics.articles, second, timeout=90)
        assert second <= {m.key for m in seen}, f"stories added while running never arrived:\n{log_tail()}"
        # two more checkpoints: the state that knows these stories is on disk
        done = flink.completed_checkpoints(job_id)
        wait_for(lambda: flink.completed_checkpoints(job_id) >= done + 2, 60, "two more checkpoints")
        heartbeats_before = _heartbeats(kafka_settings, topics)

        # the failure, with stories added at once
        victim = _busiest_taskmanager(flink, job_id)
        killed_at = time.time()
        flink.kill_taskmanager(victim)
        during = feed.add(3)
        running_at = _wait_running_without(flink, job_id, f"taskmanager-{victim}", timeout=120)
        seen = _arrived(kafka_settings, topics.articles, during, timeout=120)
        assert during <= {m.key for m in seen}, (
            f"stories added during the failure never arrived:\n{flink.exceptions(job_id)}\n{log_tail()}"
        )
        first_after = min(m.timestamp_ms for m in seen if m.key in during) / 1000

        after = feed.add(3)
        seen = _arrived(kafka_settings, topics.articles, after, timeout=90)
        assert after <= {m.key for m in seen}, (
            f"stories added after the failover never arrived:\n{log_tail()}"
        )
        # a few more polls of the unchanged feed, on the ops topic: a republished story would be there by then
        polls = _polls(kafka_settings, topics)
        wait_for(lambda: _polls(kafka_settings, topics) >= polls + 3, 60, "three more polls", interval=1.0)
        restored = flink.restored_checkpoint(job_id)
        exceptions = flink.exceptions(job_id)
        heartbeats = _heartbeats(kafka_settings, topics)
    finally:
        flink.cancel_all()
        stop_process(process)

    expected = first | second | during | after
    articles = topic_messages(kafka_settings, topics.articles)
    keys = Counter(m.key for m in articles)
    lost = expected - set(keys)
    duplicated = sum(count - 1 for count in keys.values())
    print(
        f"\nflink failover: taskmanager-{victim} killed; job RUNNING again after {running_at - killed_at:.1f}s, "
        f"first story added at the kill on Kafka after {first_after - killed_at:.1f}s; "
        f"restored from checkpoint {restored and restored['id']}; {len(expected)} stories, lost {len(lost)}, "
        f"duplicated {duplicated}; first failure: {exceptions[-1] if exceptions else None}"
    )
    assert not lost, f"lost: {lost}"
    assert set(keys) == expected and duplicated == 0, f"published more than once: {keys}"
    assert all(m.value and m.value["version"] == 1 for m in articles), "a story came back as a new version"
    assert_valid(topics.articles, articles)
    assert restored is not None and not restored["is_savepoint"], "the job did not restore a checkpoint"
    assert exceptions, "Flink recorded no failure"

    # the heartbeat's counters live in keyed state: restored from the checkpoint, they count on from before
    # the kill (a restart from scratch would begin again at sequence 1 and count only what came after)
    last_before = max(heartbeats_before, key=lambda h: h["sequence"])
    after_kill = [h for h in heartbeats if h["sequence"] > last_before["sequence"]]
    assert after_kill, "no heartbeat after the failover"
    final = max(heartbeats, key=lambda h: h["sequence"])
    counters = dict(final["counters"])
    assert counters["DropDuplicates.new_articles"] == len(expected), counters
    assert min(h["sequence"] for h in heartbeats if h["at"] > _iso(running_at)) > 1


def _busiest_taskmanager(flink: LocalFlink, job_id: str) -> int:
    """The task manager running the subtask that polls the feed (the one key's state), as 1 or 2."""
    subtasks = flink.subtasks(job_id)
    polling = [s for s in subtasks if "PollFeeds" in s.vertex and s.status == "RUNNING"]
    holder = Counter(s.taskmanager for s in polling or subtasks).most_common(1)[0][0]
    return int(holder.rsplit("-", 1)[1])


def _wait_running_without(flink: LocalFlink, job_id: str, lost: str, timeout: float) -> float:
    """The time the job is RUNNING again with every subtask running, none on the ``lost`` task manager
    (before the kill, the job's subtasks are on both)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if flink.job(job_id)["state"] == "RUNNING":
            subtasks = flink.subtasks(job_id)
            if subtasks and all(
                s.status in ("RUNNING", "FINISHED") and s.taskmanager != lost for s in subtasks
            ):
                return time.time()
        time.sleep(0.2)
    raise AssertionError(f"the job is not running again after {timeout:g}s: {flink.exceptions(job_id)[:3]}")


def _heartbeats(settings: KafkaSettings, topics: TopicNames) -> list[dict]:
    return [
        m.value
        for m in topic_messages(settings, topics.ops, timeout=1.0)
        if m.value and m.value["event"] == "heartbeat"
    ]


def _polls(settings: KafkaSettings, topics: TopicNames) -> int:
    return sum(
        1
        for m in topic_messages(settings, topics.ops, timeout=1.0)
        if m.value and m.value["event"] == "feed_poll"
    )


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch))
