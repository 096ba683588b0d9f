"""Benchmark (not a test): the bounded run on a Flink session cluster with parallelism 1 and 2; pages/s and the ratio.

Run it in the Flink virtualenv (Beam 2.62.0, whose Flink job server Maven serves here; deploy/flink/):
``make flink-venv flink flink-cluster-fetch`` then ``.venv-flink/bin/python tests/bench/bench_flink_cluster.py
--bootstrap H:P [--feeds 6] [--entries 30] [--latency 0.05] [--repeat 1]``.

It starts a cluster of its own with deploy/local/flink on free ports (a JobManager, two TaskManagers of two
slots each, the SDK worker pool) and submits ``newsbeam run --once --runner FlinkRunner --flink_master ...``
to it over the feed farm (tests/bench/feed_farm.py: ``feeds × entries`` entries whose pages are the Zyte
article-extraction benchmark's, or generated pages when the corpus is absent). With parallelism 1 the job
takes one slot, on one task manager, with one SDK worker process; with parallelism 2 Flink spreads its two
slots over both task managers, each with its own SDK worker process. On a machine of two cores the ratio is
what the figure is for.

Pages/s counts the articles on the ``articles`` topic over the time from the farm's first request to the
producer timestamp of the last article, so the job server's start, the job's submission (its jars go to
the cluster) and Flink's shutdown are left out; the wall time of the whole command is printed beside it.
Figures go to tests/bench/results/flink_cluster.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
for _path in (REPO, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_flink import report, timed_run  # noqa: E402
from feed_farm import FeedFarm, load_pages  # noqa: E402

from pipeline.runner_choice import RunnerUnavailable, locate_flink_job_server  # noqa: E402
from tests.cluster.flink_cluster import LocalFlink  # noqa: E402


def run_once(farm: FeedFarm, flink: LocalFlink, bootstrap: str, parallelism: int, jar: str) -> dict[str, Any]:
    """One bounded run over the whole farm on the cluster; returns its figures."""
    args = [
        "--runner", "FlinkRunner", "--flink_master", flink.master, "--flink_job_server_jar", jar,
        "--environment_config", flink.worker_pool, "--parallelism", str(parallelism),
    ]  # fmt: skip
    run = timed_run(farm, bootstrap, f"bench-flink-cluster-{uuid.uuid4().hex[:8]}", args)
    return {
        "parallelism": parallelism,
        "articles": run["articles"],
        "seconds_first_request_to_last_article": round(run["busy"], 2),
        "pages_per_second": round(run["articles"] / run["busy"], 2) if run["articles"] else 0.0,
        "wall_seconds": round(run["wall"], 2),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="a running broker (deploy/local/kafka start)")
    parser.add_argument("--jar", help="the Flink job-server jar (default: the one `make flink` fetched)")
    parser.add_argument("--feeds", type=int, default=6)
    parser.add_argument("--entries", type=int, default=30)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each farm response is held back")
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
    with tempfile.TemporaryDirectory(prefix="bench-flink-cluster-") as state:
        flink = LocalFlink(Path(state))
        flink.start()
        try:
            with FeedFarm(
                pages, feeds=options.feeds, entries=options.entries, latency=options.latency
            ) as farm:
                for _ in range(options.repeat):
                    for parallelism in (1, 2):
                        figures = run_once(farm, flink, options.bootstrap, parallelism, options.jar)
                        results.append(figures)
                        print(json.dumps(figures), flush=True)
        finally:
            flink.stop()
    report(results, "pages_per_second", "pages/s", pages.source, vars(options), "flink_cluster.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
