"""Benchmark (not a test): feed-to-Kafka latency of the streaming pipeline on Prism.

Run: ``python tests/bench/bench_streaming_latency.py [--poll-interval 2] [--entries 12] [--bootstrap H:P]``.
The feed farm serves ``/live.xml``, a feed that grows while ``newsbeam run`` streams it (Prism, ``--tick``
1 s, the feed's ``poll_interval`` short). After a warm-up entry has gone through, entries are added at
known times, spaced so they fall at every phase of the poll cycle; each one's latency is the broker's
timestamp of its message on the ``articles`` topic (created beforehand with ``LogAppendTime``, so the
timestamp is the broker's append, i.e. the acknowledgement) minus the time the entry was added.
Reports p50, p95 and max against the poll interval (target: p95 ≤ poll interval + 2 s), and the peak
resident memory of the pipeline (launcher, Prism and workers). Writes tests/bench/results/streaming.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
for _path in (REPO, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_pipeline import (  # noqa: E402
    RESULTS,
    PeakMemory,
    create_timestamped_topics,
    describe_machine,
    local_kafka,
    machine,
    newsbeam_run,
)
from feed_farm import DEFAULT_LATENCY, FeedFarm, load_pages  # noqa: E402

SLACK = 2.0  # the target: p95 at most the poll interval plus this many seconds


def percentile(values: list[float], q: float) -> float:
    """The ``q``-quantile (0..1) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = q * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class ArrivalWatcher:
    """Follows the ``articles`` topic in a thread: URL → broker timestamp (epoch seconds)."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.arrived: dict[str, float] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, args=(bootstrap, topic), daemon=True)
        self._thread.start()

    def _run(self, bootstrap: str, topic: str) -> None:
        from kafka import KafkaConsumer, TopicPartition

        consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            consumer.assign([TopicPartition(topic, p) for p in partitions])
            consumer.seek_to_beginning()
            while not self._stop.is_set():
                for records in consumer.poll(timeout_ms=200).values():
                    for record in records:
                        url = json.loads(record.value).get("url", "")
                        with self._lock:
                            self.arrived.setdefault(url, record.timestamp / 1000)
        finally:
            consumer.close()

    def wait_for(self, url: str, timeout: float) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if url in self.arrived:
                    return self.arrived[url]
            time.sleep(0.05)
        return None

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def measure(args: argparse.Namespace, bootstrap: str, workdir: Path) -> dict[str, Any]:
    """Stream the live feed, add entries, collect their latencies."""
    prefix = f"bench-stream-{uuid.uuid4().hex[:8]}"
    create_timestamped_topics(bootstrap, prefix)
    tick = min(1.0, args.poll_interval)
    with FeedFarm(load_pages(), feeds=1, entries=0, latency=args.latency) as farm:
        feeds_file = farm.write_feeds_file(
            workdir / "live.yaml", poll_interval=args.poll_interval, kind="live"
        )
        command = newsbeam_run(
            feeds_file, bootstrap, prefix, "--tick", str(tick), "--duration", str(args.max_seconds)
        )
        watcher = ArrivalWatcher(bootstrap, f"{prefix}.articles")
        log_path = workdir / "stream.log"
        latencies: list[float] = []
        missing = 0
        with log_path.open("w") as log:
            process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
            memory = PeakMemory(process.pid)
            try:
                # warm-up: the first entry pays for worker start-up (models, lexicon); not counted
                url, _ = farm.add_live_entry()
                if watcher.wait_for(url, timeout=args.max_seconds / 2) is None:
                    raise RuntimeError(
                        f"the warm-up entry never reached Kafka; see {log_path}:\n"
                        + log_path.read_text(errors="replace")[-3000:]
                    )
                # spacing that is not a multiple of the poll interval: entries land at every phase of it
                spacing = args.poll_interval * 0.77
                added: list[tuple[str, float]] = []
                for _ in range(args.entries):
                    added.append(farm.add_live_entry())
                    time.sleep(spacing)
                for url, at in added:
                    arrived = watcher.wait_for(url, timeout=args.poll_interval + 30)
                    if arrived is None:
                        missing += 1
                    else:
                        latencies.append(arrived - at)
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                peak = memory.stop()
                watcher.stop()
    if not latencies:
        raise RuntimeError(f"no entry reached Kafka; see {log_path}")
    p95 = percentile(latencies, 0.95)
    return {
        "poll_interval": args.poll_interval,
        "tick": tick,
        "farm_latency": args.latency,
        "entries": args.entries,
        "received": len(latencies),
        "missing": missing,
        "p50": percentile(latencies, 0.50),
        "p95": p95,
        "max": max(latencies),
        "mean": statistics.mean(latencies),
        "target_p95": args.poll_interval + SLACK,
        "meets_target": p95 <= args.poll_interval + SLACK,
        "peak_rss_mb": peak / 1024 / 1024,
        "latencies": [round(x, 3) for x in latencies],
    }


def table(result: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    verdict = "✓" if result["meets_target"] else "✗"
    return "\n".join(
        [
            f"Machine: {describe_machine(result['machine'])}",
            "",
            "| poll interval | entries | p50 | p95 | max | target p95 | peak RSS |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {result['poll_interval']:g} s | {result['received']}/{result['entries']} | {result['p50']:.2f} s | "
            f"{result['p95']:.2f} s {verdict} | {result['max']:.2f} s | ≤ {result['target_p95']:g} s | "
            f"{result['peak_rss_mb']:.0f} MB |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Run, print the table, write tests/bench/results/streaming.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--poll-interval", type=float, default=2.0, help="seconds (the minimum is 1)")
    parser.add_argument("--entries", type=int, default=12, help="entries added while streaming")
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds per HTTP request")
    parser.add_argument(
        "--max-seconds", type=float, default=300.0, help="the pipeline's --duration (a bound)"
    )
    parser.add_argument("--bootstrap", default=None, help="use this broker instead of starting one")
    parser.add_argument("--output", type=Path, default=RESULTS / "streaming.json")
    args = parser.parse_args(argv)
    from pipeline.runner_choice import RunnerUnavailable, locate_prism

    try:
        locate_prism()
    except RunnerUnavailable as error:
        print(f"skipped: {error}")
        return 0
    info = machine()
    print(f"machine: {describe_machine(info)}", flush=True)
    with local_kafka(args.bootstrap) as bootstrap, tempfile.TemporaryDirectory() as work:
        result = {"machine": info, **measure(args, bootstrap, Path(work))}
    result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(result))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
