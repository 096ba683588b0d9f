"""Benchmark (not a test): the same bounded run on Flink with parallelism 1 and 2; articles/s and the ratio.

Run it in the Flink virtualenv (Beam 2.62.0, whose Flink job server Maven serves here; deploy/flink/):
``make flink-venv flink`` then ``.venv-flink/bin/python tests/bench/bench_flink.py --bootstrap H:P [--feeds 6]
[--entries 30] [--latency 0.05]`` (``--jar`` defaults to the job server fetched for the installed Beam).
The feed farm (tests/bench/feed_farm.py) serves ``feeds × entries`` entries whose pages are the Zyte
article-extraction benchmark's (read in place; the benchmark says so and falls back to generated pages
when the corpus is absent). Each run is ``newsbeam run --once --runner FlinkRunner`` on the embedded
Flink with SDK workers from Beam's worker pool, one worker process per slot (``--sdk_worker_parallelism``
= ``--parallelism``), so parallelism 2 really has two Python processes; ``--environment loopback`` keeps
the workers inside the launcher instead (one process, threads).

Articles/s counts the articles on the ``articles`` topic over the time from the farm's first request to
the producer timestamp of the last article, so the JVM's start and Flink's shutdown are left out; the
wall time of the whole command is printed beside it. Figures go to tests/bench/results/flink.json.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
for _path in (REPO, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_pipeline import RESULTS, free_port  # noqa: E402
from feed_farm import FeedFarm, load_pages  # noqa: E402

from connectors.kafka_consume import read_messages  # noqa: E402
from connectors.kafka_settings import KafkaSettings  # noqa: E402
from pipeline.runner_choice import RunnerUnavailable, locate_flink_job_server  # noqa: E402


@contextmanager
def worker_pool() -> Iterator[str]:
    """Beam's SDK worker pool (each worker a process of this interpreter); yields its address."""
    port = free_port()
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    with tempfile.TemporaryDirectory() as cwd:
        pool = subprocess.Popen(
            [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main", f"--service_port={port}"],
            cwd=cwd,
            env={**os.environ, "PATH": path},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.2)
            yield f"localhost:{port}"
        finally:
            pool.terminate()
            pool.wait(timeout=30)


def timed_run(farm: FeedFarm, bootstrap: str, prefix: str, args: list[str]) -> dict[str, Any]:
    """Run ``newsbeam run ARGS --once`` over the farm into topics ``prefix.*``: the articles, the seconds
    from the farm's first request to the last article's producer timestamp, and the command's wall time."""
    with tempfile.TemporaryDirectory() as scratch:
        feeds_file = farm.write_feeds_file(Path(scratch) / "feeds.yaml")
        command = [
            sys.executable, "-m", "pipeline.cli", "run", "--feeds", str(feeds_file), "--once",
            "--bootstrap-servers", bootstrap, "--topic-prefix", prefix, *args,
        ]  # fmt: skip
        farm.first_request = None
        started = time.time()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1800, check=False)
        wall = time.time() - started
    if done.returncode != 0:
        raise RuntimeError(f"run failed ({done.returncode}): {done.stderr[-3000:]}")
    settings = KafkaSettings(bootstrap_servers=bootstrap)
    stamps = [
        m.timestamp_ms / 1000
        for m in read_messages(settings, f"{prefix}.articles", from_beginning=True, timeout=3)
    ]
    busy = max(stamps) - (farm.first_request or started) if stamps else float("nan")
    return {"articles": len(stamps), "busy": busy, "wall": wall}


def run_once(farm: FeedFarm, bootstrap: str, parallelism: int, environment: str, jar: str) -> dict[str, Any]:
    """One bounded Flink run over the whole farm; returns its figures."""
    prefix = f"bench-flink-{uuid.uuid4().hex[:8]}"
    args = ["--runner", "FlinkRunner", "--flink_job_server_jar", jar, "--parallelism", str(parallelism)]
    with worker_pool() if environment == "worker-pool" else _nothing() as pool:
        if pool is not None:
            args += ["--environment_type", "EXTERNAL", "--environment_config", pool]
            args += ["--sdk_worker_parallelism", str(parallelism)]
        run = timed_run(farm, bootstrap, prefix, args)
    return {
        "parallelism": parallelism,
        "environment": environment,
        "articles": run["articles"],
        "seconds_first_request_to_last_article": round(run["busy"], 2),
        "articles_per_second": round(run["articles"] / run["busy"], 2) if run["articles"] else 0.0,
        "wall_seconds": round(run["wall"], 2),
    }


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="a running broker (deploy/local/kafka start)")
    parser.add_argument(
        "--jar",
        help="the Flink job-server jar (default: the one `make flink` fetched for the installed Beam)",
    )
    parser.add_argument("--feeds", type=int, default=6)
    parser.add_argument("--entries", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each farm response is held back")
    parser.add_argument("--environment", choices=["worker-pool", "loopback"], default="worker-pool")
    parser.add_argument("--repeat", type=int, default=1)
    options = parser.parse_args(argv)
    if options.jar is None:
        try:
            options.jar = locate_flink_job_server()
        except RunnerUnavailable as missing:
            parser.error(f"{missing} (the Flink path runs in .venv-flink: make flink-venv flink)")

    pages = load_pages()
    print(
        f"pages: {pages.source}; {options.feeds} feeds × {options.entries} entries, latency {options.latency}s"
    )
    results: list[dict[str, Any]] = []
    with FeedFarm(pages, feeds=options.feeds, entries=options.entries, latency=options.latency) as farm:
        for _ in range(options.repeat):
            for parallelism in (1, 2):
                figures = run_once(farm, options.bootstrap, parallelism, options.environment, options.jar)
                results.append(figures)
                print(json.dumps(figures))
    report(results, "articles_per_second", "articles/s", pages.source, vars(options), "flink.json")
    return 0


def report(
    results: list[dict[str, Any]], key: str, unit: str, pages: str, options: dict[str, Any], file: str
) -> None:
    """Print the best rate ``key`` of each parallelism and the ratio; write them to ``RESULTS / file``."""
    repeat = options["repeat"]
    best = {p: max(r[key] for r in results if r["parallelism"] == p) for p in (1, 2)}
    ratio = best[2] / best[1] if best[1] else float("nan")
    print(f"| parallelism | {unit} (best of {repeat}) |\n|---|---|")
    for parallelism, rate in best.items():
        print(f"| {parallelism} | {rate:.1f} |")
    print(f"ratio 2/1: {ratio:.2f}×")
    RESULTS.mkdir(exist_ok=True)
    summary = {"pages": pages, "options": options, "runs": results, "ratio": round(ratio, 3)}
    (RESULTS / file).write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
