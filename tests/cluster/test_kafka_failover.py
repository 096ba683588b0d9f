"""A three-node Kafka cluster (deploy/local/kafka, KRaft, each node its own JVM) losing brokers while
`newsbeam run --once` publishes a few hundred articles to it with replication factor 3 and
min.insync.replicas 2.

- The broker that leads the articles partition is killed with SIGKILL in the middle of the run and started
  again later: every article of the input ends on ``<prefix>.articles``, the run exits 0, and every
  duplicate is one the publisher re-sent (it says how many); ``newsbeam subscribe`` and ``iter_articles``,
  reading during the failover, each see every article.
- Two of the three brokers are killed: nothing more is acknowledged while one is left, the run waits
  with bounded memory instead of failing, and it completes once one of them is back.

Both print the figures the operations guide quotes: failover and resume times, lost and duplicated
articles, the pipeline's resident memory.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from connectors.kafka_consume import Message, iter_articles
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from tests.bench.feed_farm import FeedFarm, generated_pages
from tests.cluster.kafka_cluster import (
    KafkaCluster,
    RssSampler,
    acknowledged,
    group_coordinated_by,
    partition_leaders,
    settings_for,
)
from tests.integration.helpers import assert_valid, start_newsbeam, stop_process, topic_messages
from tests.waiting import wait_for
from transforms.ids import article_id

pytestmark = [pytest.mark.cluster, pytest.mark.integration, pytest.mark.slow]

FEEDS = 6
ENTRIES = 50  # 300 articles
# 0.4 s per request on two sites (four requests in flight each): pages arrive for ~15 s, so the broker
# dies while most of the run is still ahead
LATENCY = 0.4
PUBLISHERS = 2
KILL_AFTER = 40  # acknowledged articles before the first broker dies
MAX_UNACKNOWLEDGED = 50  # a small in-flight bound, so an outage pauses the run instead of buffering it


def _farm() -> FeedFarm:
    return FeedFarm(
        generated_pages(120), feeds=FEEDS, entries=ENTRIES, latency=LATENCY, publishers=PUBLISHERS
    )


def _wanted(farm: FeedFarm) -> set[str]:
    return {
        article_id(f"{farm.publisher_url(feed)}/pages/{feed}/{entry}.html")
        for feed in range(FEEDS)
        for entry in range(ENTRIES)
    }


def _start_run(tmp_path: Path, farm: FeedFarm, cluster: KafkaCluster, prefix: str) -> subprocess.Popen[bytes]:
    feeds = farm.write_feeds_file(tmp_path / "feeds.yaml")
    return start_newsbeam(
        tmp_path / "pipeline.log",
        "run",
        "--feeds",
        str(feeds),
        "--bootstrap-servers",
        cluster.bootstrap,
        "--topic-prefix",
        prefix,
        "--once",
        "--partitions",
        "1",
        "--replication-factor",
        "3",
        "--kafka-max-unacknowledged",
        str(MAX_UNACKNOWLEDGED),
    )


def _create_topics(cluster: KafkaCluster, prefix: str) -> TopicNames:
    # created before the run, so that the readers can start first; the run finds them as it wants them
    topics = TopicNames(prefix)
    specs = default_specs(topics, partitions=1, replication_factor=3)
    # each article's timestamp is when its leader wrote it: the first one after a kill dates the failover
    specs[topics.articles].configs["message.timestamp.type"] = "LogAppendTime"
    ensure_topics(settings_for(cluster.bootstrap), specs)
    return topics


def _first_write_after(messages: list[Message], moment: float) -> float:
    """Seconds from ``moment`` (epoch) to the first message a leader wrote after it."""
    return min(m.timestamp for m in messages if m.timestamp >= moment) - moment


def _resent(messages: list[dict[str, object]]) -> int:
    """The publisher's own count of re-sent messages, from the run's final heartbeat."""
    [final] = [m for m in messages if m.get("event") == "heartbeat" and m.get("final")]
    counters = final["counters"]
    assert isinstance(counters, dict)
    return int(counters.get("PublishToKafka.resent", 0))


def _outcome(
    cluster: KafkaCluster, topics: TopicNames, wanted: set[str]
) -> tuple[list[Message], Counter[str | None], int]:
    """The articles topic, by key, and the run's re-sent count; asserts that nothing is lost."""
    settings = settings_for(cluster.bootstrap)
    messages = topic_messages(settings, topics.articles, timeout=5.0)
    keys = Counter(m.key for m in messages)
    missing = wanted - set(keys)
    assert not missing, f"{len(missing)} article(s) lost"
    assert set(keys) == wanted
    assert_valid(topics.articles, messages)
    ops = [m.value for m in topic_messages(settings, topics.ops, timeout=3.0) if m.value is not None]
    return messages, keys, _resent(ops)


def _wait_mid_run(run: subprocess.Popen[bytes], watch: KafkaSettings, topics: TopicNames) -> int:
    """Wait until ``KILL_AFTER`` articles are acknowledged, the run still going; returns the count."""

    def mid_run() -> int | None:
        assert run.poll() is None, "the run ended before a broker could be killed"
        count = acknowledged(watch, topics.articles)
        return count if count is not None and count >= KILL_AFTER else None

    return wait_for(mid_run, 300, f"{KILL_AFTER} acknowledged articles")


class _Readers:
    """`newsbeam subscribe` (a process) and ``iter_articles`` in a group (a thread), both reading the
    articles topic from its start while the run publishes."""

    def __init__(self, tmp_path: Path, cluster: KafkaCluster, topics: TopicNames, group: str) -> None:
        self.subscribe_out = tmp_path / "subscribe.jsonl"
        self.subscribe = start_newsbeam(
            self.subscribe_out,
            "subscribe",
            topics.articles,
            "--bootstrap-servers",
            cluster.bootstrap,
            "--from-beginning",
            "--timeout",
            "60",
        )
        self.typed: list[str] = []
        self.typed_error: BaseException | None = None
        settings = settings_for(cluster.bootstrap)

        def read() -> None:
            try:
                for article in iter_articles(settings, topics.articles, group, timeout=60):
                    self.typed.append(article.article_id)
            except BaseException as error:  # reported by the test, not lost in the thread
                self.typed_error = error

        self.thread = threading.Thread(target=read, name="iter-articles", daemon=True)
        self.thread.start()

    def subscribed(self) -> list[str]:
        ids = []
        for line in self.subscribe_out.read_text(encoding="utf-8").splitlines():
            if line.startswith("{"):
                ids.append(json.loads(line)["article_id"])
        return ids

    def wait_for_all(self, wanted: set[str]) -> None:
        wait_for(lambda: wanted <= set(self.typed), 120, "iter_articles to see every article")
        wait_for(lambda: wanted <= set(self.subscribed()), 120, "newsbeam subscribe to see every article")
        assert self.typed_error is None, repr(self.typed_error)

    def close(self) -> None:
        stop_process(self.subscribe)
        self.thread.join(timeout=90)


def test_leader_killed_mid_run_loses_nothing(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path / "kafka")
    cluster.command("start")
    farm = _farm()
    run: subprocess.Popen[bytes] | None = None
    readers: _Readers | None = None
    try:
        code, status = cluster.status()
        assert code == 0, status
        assert all(f"node {n}: running" in status for n in (1, 2, 3)), status
        voters = re.search(r"CurrentVoters:\s*(\[.*\])", status)
        assert voters and [v["id"] for v in json.loads(voters.group(1))] == [1, 2, 3], status
        assert re.search(r"LeaderId:\s*[123]\b", status), status
        topics = _create_topics(cluster, f"failover-{uuid.uuid4().hex[:6]}")
        wanted = _wanted(farm)
        watch = settings_for(cluster.bootstrap)
        [(leader, _)] = partition_leaders(watch, topics.articles).values()
        # the reader's group is coordinated by the node that will die, so its commits go through the failover
        group = group_coordinated_by(watch, leader, prefix=f"{topics.prefix}-reader")
        readers = _Readers(tmp_path, cluster, topics, group)
        run = _start_run(tmp_path, farm, cluster, topics.prefix)

        at_kill = _wait_mid_run(run, watch, topics)
        assert at_kill < len(wanted), "the run published everything before the broker could be killed"
        [(still_leader, isr)] = partition_leaders(watch, topics.articles).values()
        assert still_leader == leader, "the articles partition changed leaders on its own"
        assert isr == [1, 2, 3], f"the articles partition's replicas are not all in sync: {isr}"
        at_kill = acknowledged(watch, topics.articles) or at_kill  # the latest count, just before it dies
        killed_at = cluster.kill(leader)
        killed_wall = time.time()  # once it is dead: every later write is the new leader's
        survivors = settings_for(cluster.bootstrap_of([n for n in (1, 2, 3) if n != leader]))

        def acknowledged_again() -> bool:
            count = acknowledged(survivors, topics.articles)
            return count is not None and count > at_kill

        wait_for(acknowledged_again, 120, "an acknowledgement after the leader died", interval=0.1)
        seen_again = time.monotonic() - killed_at
        [(new_leader, new_isr)] = partition_leaders(survivors, topics.articles).values()
        assert new_leader != leader
        code, status_after = cluster.status()
        assert code == 3 and f"node {leader}: stopped" in status_after, status_after
        print(f"\nstatus with node {leader} killed:\n{status_after}")
        time.sleep(5)  # the run goes on without the node for a while
        restart_started = time.monotonic()
        cluster.command("start-node", str(leader))
        restart = time.monotonic() - restart_started
        returncode = run.wait(timeout=300)
        log = (tmp_path / "pipeline.log").read_text(encoding="utf-8")
        assert returncode == 0, log[-4000:]

        messages, keys, resent = _outcome(cluster, topics, wanted)
        failover = _first_write_after(messages, killed_wall)
        readers.wait_for_all(wanted)
        duplicates = sum(keys.values()) - len(keys)
        typed_duplicates = len(readers.typed) - len(set(readers.typed))
        print(
            f"\nleader kill: node {leader} led the articles partition (ISR {isr}) and coordinated the "
            f"reading group; it was killed with "
            f"{at_kill} of {len(wanted)} articles acknowledged; the new leader (node {new_leader}, ISR "
            f"{new_isr}) wrote the next article {failover:.1f} s after the kill (a watching consumer saw "
            f"it acknowledged after {seen_again:.1f} s); node restarted in "
            f"{restart:.1f} s. Afterwards {sum(keys.values())} messages, {len(keys)} distinct: 0 lost, "
            f"{duplicates} duplicate(s), {resent} message(s) re-sent by the publisher. "
            f"subscribe saw {len(set(readers.subscribed()))}, iter_articles {len(set(readers.typed))} "
            f"distinct ({typed_duplicates} seen twice)"
        )
        # the idempotent producer's own retries never duplicate; a copy can only come from a re-send
        assert duplicates <= resent
    finally:
        if readers is not None:
            readers.close()
        if run is not None:
            stop_process(run)
        farm.close()
        cluster.command("stop")


def test_two_of_three_brokers_gone_pauses_then_resumes(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path / "kafka")
    cluster.command("start")
    farm = _farm()
    run: subprocess.Popen[bytes] | None = None
    sampler: RssSampler | None = None
    try:
        topics = _create_topics(cluster, f"quorum-{uuid.uuid4().hex[:6]}")
        wanted = _wanted(farm)
        run = _start_run(tmp_path, farm, cluster, topics.prefix)
        sampler = RssSampler(run.pid).start()
        watch = settings_for(cluster.bootstrap)

        _wait_mid_run(run, watch, topics)
        [(leader, _isr)] = partition_leaders(watch, topics.articles).values()
        # the articles partition's leader stays: it can still answer how much is acknowledged
        others = [n for n in (1, 2, 3) if n != leader]
        for node in others:
            cluster.kill(node)
        outage_started = time.monotonic()
        alone = settings_for(cluster.bootstrap_of([leader]))
        time.sleep(2)  # requests the followers answered before dying have settled
        # the lone broker's first answer may time out while it notices that its quorum is gone
        before = wait_for(
            lambda: acknowledged(alone, topics.articles), 30, "the lone broker's high watermark"
        )
        assert before < len(wanted), before
        during: list[int | None] = []
        while time.monotonic() - outage_started < 25:  # the outage the run must ride out
            during.append(acknowledged(alone, topics.articles))
            assert run.poll() is None, "the run did not wait for the brokers"
            time.sleep(1)
        outage_end = time.monotonic()
        known = [count for count in during if count is not None]
        assert known, "the one broker left never said how much is acknowledged"
        acknowledged_alone = max(known) - before
        assert acknowledged_alone == 0, f"{acknowledged_alone} message(s) acknowledged by one broker"

        restart_started = time.monotonic()
        cluster.command("start-node", str(others[0]))
        node_up = time.monotonic() - restart_started

        def acknowledged_again() -> bool:
            count = acknowledged(alone, topics.articles)
            return count is not None and count > before

        wait_for(acknowledged_again, 180, "an acknowledgement after a broker returned", interval=0.2)
        # the lone leader wrote what it was sent during the outage without acknowledging it: the resume is
        # when its high watermark moves again, not the time of a write
        resumed = time.monotonic() - restart_started
        returncode = run.wait(timeout=300)
        sampler.stop()
        log = (tmp_path / "pipeline.log").read_text(encoding="utf-8")
        assert returncode == 0, log[-4000:]
        assert "waiting for Kafka at" in log, "no log line said the run was waiting for the brokers"

        cluster.command("start-node", str(others[1]))  # the topic is read back from a whole cluster
        _, keys, resent = _outcome(cluster, topics, wanted)
        duplicates = sum(keys.values()) - len(keys)
        outage_rss = sampler.between(outage_started, outage_end)
        all_rss = [rss for _, rss in sampler.samples]
        errors = sorted(
            {
                name
                for name in ("NotEnoughReplicas", "RequestTimedOut", "KafkaTimeoutError", "NotLeader")
                if name in log
            }
        )
        mb = 1024 * 1024
        print(
            f"\ntwo of three gone: nodes {others} killed with {before} of {len(wanted)} articles acknowledged; "
            f"node {leader} alone for {outage_end - outage_started:.0f} s: {acknowledged_alone} acknowledged "
            f"(publisher's errors: {', '.join(errors) or 'none logged'}); pipeline RSS during the outage "
            f"{min(outage_rss) / mb:.0f}-{max(outage_rss) / mb:.0f} MB (whole run "
            f"{min(all_rss) / mb:.0f}-{max(all_rss) / mb:.0f} MB); node {others[0]} restarted in {node_up:.1f} s, "
            f"the next acknowledgement {resumed:.1f} s after its restart began. Afterwards 0 lost, "
            f"{duplicates} duplicate(s), {resent} re-sent"
        )
        assert duplicates <= resent
        # bounded: the paused run holds at most its in-flight messages and the pages behind them
        assert max(outage_rss) - min(outage_rss) < 150 * mb, "memory grew while the brokers were away"
    finally:
        if sampler is not None:
            sampler.stop()
        if run is not None:
            stop_process(run)
        farm.close()
        cluster.command("stop")
