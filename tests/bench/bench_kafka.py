"""Benchmark (not a test): messages per second of newsbeam's producer settings against a real broker.

Run: ``python tests/bench/bench_kafka.py [--bootstrap-servers HOST:PORT] [--repeats 3]`` (or through
tests/bench/run_all.py, which passes its broker as ``KAFKA_BOOTSTRAP_SERVERS``). Without either it starts a
broker of its own through deploy/local/kafka (a temporary state folder,
a free port) and stops it afterwards, so the demo broker on 9092 is untouched.

For article values of about 1 KB and 10 KB (JSON exactly as the pipeline writes it, filled with real news
text, so compression sees real prose: see ``prose()``) and for each compression (none, gzip, lz4, zstd) and
acks (``1``; ``all`` with idempotence), it sends a fixed number of messages through ``KafkaProducer`` with
the rest of ``KafkaSettings``' defaults (linger, batch size), flushes, checks every future, and reports the
median rate of the repeats, the MB/s of values, and the bytes the broker stored per message. Prints a table
and writes tests/bench/results/kafka.json. Never asserts on time: machines differ.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from kafka import KafkaAdminClient, KafkaProducer  # noqa: E402
from kafka.record import util as record_util  # noqa: E402

from connectors.kafka_settings import KafkaSettings  # noqa: E402
from connectors.wire import article_to_dict, encode  # noqa: E402
from tests.conftest import LocalKafka  # noqa: E402
from tests.shared_corpus import ZYTE_BENCHMARK, corpus_path  # noqa: E402
from transforms.records import Article, Regulation  # noqa: E402

SAMPLES = REPO / "deploy" / "feeds" / "sample"
EVAL = REPO / "tests" / "eval" / "regulation" / "written"
ZYTE_GOLD = corpus_path(ZYTE_BENCHMARK, "ground-truth.json")
RESULTS = REPO / "tests" / "bench" / "results" / "kafka.json"
COMPRESSIONS: tuple[str | None, ...] = (None, "gzip", "lz4", "zstd")
ACKS = ("1", "all")
MESSAGES = {1_000: 20_000, 10_000: 4_000}  # per run, by target value size


def prose() -> tuple[str, str]:
    """Real news text to fill the articles with, and where it came from.

    Compression depends on the text, and on how much consecutive messages repeat each other: the
    messages walk through a long text (no window repeats within a batch), so the ratio is what real
    articles give. Preferred: the gold article bodies of the Zyte benchmark in the shared corpus (read-only
    test material, not in the repository); else our own evaluation items and sample pages.
    """
    if ZYTE_GOLD.is_file():
        bodies = json.loads(ZYTE_GOLD.read_text(encoding="utf-8")).values()
        return "\n".join(
            str(item.get("articleBody", "")) for item in bodies
        ), "zyte-article-extraction-benchmark gold text"
    parts = []
    for path in sorted(EVAL.glob("*.jsonl")):
        parts += [
            json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
    for page in sorted(SAMPLES.glob("*/*.html")):
        body = re.sub(r"(?s)<(script|style)[^>]*>.*?</\1>", " ", page.read_text(encoding="utf-8"))
        parts.append(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip())
    return "\n".join(
        parts
    ), "tests/eval/regulation/written + deploy/feeds/sample (the shared corpus is absent)"


def article_values(size: int, count: int, text: str) -> list[bytes]:
    """``count`` article values of about ``size`` bytes, consecutive slices of ``text``."""
    body = size - 600  # the other fields take about 600 bytes
    values: list[bytes] = []
    for n in range(count):
        start = (n * body) % max(1, len(text) - body)
        chunk = text[start : start + body]
        article = Article(
            article_id=f"{n:016x}",
            url=f"https://news.example/{n}",
            feed="bench",
            title=chunk[:80],
            text=chunk,
            text_source="page",
            authors=("Bench",),
            published="2025-01-01T00:00:00Z",
            language="en",
            seen_at="2025-01-01T00:00:01.000Z",
            regulation=Regulation(
                flagged=n % 3 == 0, score=0.42, categories=("enforcement",), jurisdictions=("EU",)
            ),
        )
        values.append(encode(article_to_dict(article)))
    return values


def run_once(settings: KafkaSettings, topic: str, values: list[bytes]) -> tuple[float, float | None]:
    """Seconds to send and acknowledge ``values``; the producer's average compression rate."""
    producer = KafkaProducer(**settings.producer_config())
    try:
        producer.send(topic, key=b"warm-up", value=values[0]).get(
            timeout=30
        )  # connection, metadata, producer id
        started = time.perf_counter()
        futures = [producer.send(topic, key=f"{i:016x}".encode(), value=v) for i, v in enumerate(values)]
        producer.flush(timeout=300)
        for future in futures:
            future.get(timeout=60)
        elapsed = time.perf_counter() - started
        rate = None
        for group in producer.metrics().values():
            if isinstance(group, dict) and "compression-rate-avg" in group:
                rate = float(group["compression-rate-avg"])
        return elapsed, rate
    finally:
        producer.close(timeout=10)


def topic_bytes(admin: KafkaAdminClient, topic: str) -> int | None:
    """Bytes the broker stores for ``topic`` (its partitions' log sizes, from DescribeLogDirs)."""
    total = 0
    for broker in admin.describe_log_dirs():
        for log_dir in broker.get("log_dirs", []):
            for described in log_dir.get("topics", []):
                if described.get("name") == topic:
                    total += sum(int(p.get("partition_size", 0)) for p in described.get("partitions", []))
    return total or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bootstrap-servers",
        default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS"),
        help="a running broker (default: $KAFKA_BOOTSTRAP_SERVERS, else one started for the run)",
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the message counts")
    args = parser.parse_args()

    broker: LocalKafka | None = None
    state = tempfile.TemporaryDirectory(prefix="bench-kafka-")
    bootstrap = args.bootstrap_servers
    if bootstrap is None:
        broker = LocalKafka(Path(state.name))
        broker.command("start")
        bootstrap = broker.bootstrap
    base = KafkaSettings(bootstrap_servers=bootstrap)
    admin = KafkaAdminClient(**base.admin_config())
    c_crc = record_util.crc32c_c is not None
    text, text_source = prose()
    print(f"broker {bootstrap}; C crc32c: {c_crc}; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    print(f"text: {len(text) / 1e6:.2f} MB from {text_source}")
    results: list[dict[str, Any]] = []
    try:
        for size, count in MESSAGES.items():
            count = max(100, int(count * args.scale))
            values = article_values(size, count, text)
            mean_size = statistics.mean(len(v) for v in values)
            for compression in COMPRESSIONS:
                for acks in ACKS:
                    settings = replace(base, compression_type=compression, acks=acks)
                    runs: list[float] = []
                    stored: list[float] = []
                    rate: float | None = None
                    for _ in range(args.repeats):
                        topic = f"bench-{uuid.uuid4().hex[:10]}"
                        admin.create_topics({topic: {"num_partitions": 3, "replication_factor": 1}})
                        elapsed, rate = run_once(settings, topic, values)
                        runs.append(count / elapsed)
                        on_disk = topic_bytes(admin, topic)
                        if on_disk:
                            stored.append(on_disk / (count + 1))
                        admin.delete_topics([topic])
                    row = {
                        "value_bytes": round(mean_size),
                        "messages": count,
                        "compression": compression or "none",
                        "acks": acks if acks == "1" else "all+idempotence",
                        "messages_per_s": round(statistics.median(runs)),
                        "runs_messages_per_s": [round(r) for r in runs],
                        "value_mb_per_s": round(statistics.median(runs) * mean_size / 1e6, 2),
                        "stored_bytes_per_message": round(statistics.median(stored)) if stored else None,
                        "compression_rate_avg": round(rate, 3) if rate is not None else None,
                    }
                    results.append(row)
                    print(
                        f"{row['value_bytes']:>6} B  {row['compression']:<5} acks={row['acks']:<16} "
                        f"{row['messages_per_s']:>7} msg/s  {row['value_mb_per_s']:>6} MB/s  "
                        f"stored {row['stored_bytes_per_message']} B/msg (rate {row['compression_rate_avg']})  "
                        f"runs {row['runs_messages_per_s']}",
                        flush=True,
                    )
    finally:
        admin.close()
        if broker is not None:
            broker.command("stop")
        state.cleanup()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "bench_kafka",
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "c_crc32c": c_crc},
                "text": text_source,
                "load_at_end": round(os.getloadavg()[0], 2),
                "producer": {"linger_ms": base.linger_ms, "batch_size": base.batch_size, "partitions": 3},
                "results": results,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
