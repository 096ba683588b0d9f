"""``make bench``: every benchmark in one invocation, one broker, one table.

Runs, each as its own process so their memory figures do not mix: bench_pipeline.py (extraction limit,
naive script, ``newsbeam run --once`` single-process and on all cores, de-duplication state memory),
bench_streaming_latency.py (feed-to-Kafka latency on Prism), bench_extraction.py (the raw extraction loop
before and after: the reference call beside the pipeline's), bench_backfill.py (``newsbeam backfill`` over
a WARC file against the raw loop, and reading the WARC alone), and, when they exist, bench_flagger.py
(classification-only rate) and bench_kafka.py (publishing). One Kafka broker is started for all of them
with deploy/local/kafka (free port, own state folder) and stopped at the end, unless ``--bootstrap`` is
given; bench_kafka.py gets it as ``KAFKA_BOOTSTRAP_SERVERS``. Prints the summary table and writes
tests/bench/results/summary.json. Nothing here fails on a time; a benchmark that crashes is reported as such
and makes the exit status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
for _path in (REPO, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_backfill import table as backfill_table  # noqa: E402
from bench_extraction import table as extraction_table  # noqa: E402
from bench_pipeline import RESULTS, describe_machine, local_kafka, machine  # noqa: E402
from bench_pipeline import table as pipeline_table  # noqa: E402


def run(script: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``tests/bench/<script>`` with this interpreter, echo its output, return (status, output)."""
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    process = subprocess.Popen(
        [sys.executable, str(BENCH / script), *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        if "apitools not found" not in line:  # Beam's import-time noise
            print(line, end="", flush=True)
        lines.append(line)
    return process.wait(), "".join(lines)


def _rate(output: str) -> float | None:
    matches = re.findall(r"([\d][\d,]*(?:\.\d+)?) articles/s", output)
    return float(matches[-1].replace(",", "")) if matches else None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bootstrap", default=None, help="use this broker instead of starting one")
    parser.add_argument("--quick", action="store_true", help="smaller runs (a smoke test of the benchmarks)")
    args = parser.parse_args(argv)
    started = time.time()
    info = machine()
    summary: dict[str, Any] = {"machine": info, "failed": []}
    pipeline_args = ["--feeds", "4", "--entries", "10", "--naive-pages", "8", "--state-articles", "10000"]
    pipeline_args += ["--rounds", "1"]
    streaming_args = ["--entries", "4"]
    with local_kafka(args.bootstrap) as bootstrap:
        for script, extra in (
            ("bench_pipeline.py", pipeline_args if args.quick else []),
            ("bench_streaming_latency.py", streaming_args if args.quick else []),
        ):
            status, _ = run(script, "--bootstrap", bootstrap, *extra)
            if status != 0:
                summary["failed"].append(script)
        status, _ = run("bench_extraction.py", *(["--pages", "40", "--rounds", "1"] if args.quick else []))
        if status != 0:
            summary["failed"].append("bench_extraction.py")
        status, _ = run(
            "bench_backfill.py", "--bootstrap", bootstrap, *(["--copies", "1"] if args.quick else [])
        )
        if status != 0:
            summary["failed"].append("bench_backfill.py")
        for script, extra in (
            ("bench_flagger.py", ["--seconds", "2"] if args.quick else []),
            ("bench_kafka.py", []),
        ):
            if not (BENCH / script).is_file():
                summary[script] = "absent"
                continue
            status, output = run(script, *extra, env={"KAFKA_BOOTSTRAP_SERVERS": bootstrap})
            if status != 0:
                summary["failed"].append(script)
            summary[script] = {
                "status": status,
                "rate": _rate(output),
                "tail": output.strip().splitlines()[-12:],
            }
    for name in ("pipeline", "extraction", "streaming", "kafka", "backfill"):
        path = RESULTS / f"{name}.json"
        if path.is_file() and path.stat().st_mtime >= started:
            summary[name] = json.loads(path.read_text(encoding="utf-8"))
    summary["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")

    print("\n" + "=" * 100)
    print(f"newsbeam benchmarks — {describe_machine(info)}")
    if "pipeline" in summary:
        print()
        print(pipeline_table(summary["pipeline"]).split("\n", 1)[1])
    if "extraction" in summary:
        print("\nraw extraction loop, one process, before and after (bench_extraction.py):")
        print(extraction_table(summary["extraction"]))
    if "streaming" in summary:
        s = summary["streaming"]
        verdict = "✓" if s["meets_target"] else "✗"
        print(
            f"\nstreaming (Prism, poll interval {s['poll_interval']:g} s, {s['received']}/{s['entries']} entries): "
            f"feed → Kafka p50 {s['p50']:.2f} s, p95 {s['p95']:.2f} s {verdict} (target ≤ {s['target_p95']:g} s), "
            f"max {s['max']:.2f} s, peak RSS {s['peak_rss_mb']:.0f} MB"
        )
    if "backfill" in summary:
        print("\n" + backfill_table(summary["backfill"]))
    flagger = summary.get("bench_flagger.py")
    if isinstance(flagger, dict) and flagger.get("rate") is not None:
        print(
            f"classification only (detect_language + flag_regulation): {flagger['rate']:,.0f} articles/s on one core"
        )
    kafka = summary.get("bench_kafka.py")
    if isinstance(kafka, dict):
        print("kafka publishing (bench_kafka.py):")
        for line in kafka["tail"]:
            print(f"  {line}")
    print(f"load average at end: {'/'.join(f'{x:.2f}' for x in summary['load_average_at_end'])}")
    print(f"written to {RESULTS / 'summary.json'}")
    if summary["failed"]:
        print(f"FAILED: {', '.join(summary['failed'])}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
