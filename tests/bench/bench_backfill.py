"""Benchmark (not a test): ``newsbeam backfill`` over a WARC file against the raw extraction loop of the same pages.

Run: ``python tests/bench/bench_backfill.py [--copies 2] [--bootstrap H:P]``. The real pages of the Zyte
benchmark (``feed_farm.load_pages``; synthetic ones when the shared corpus is absent), ``--copies`` times
under distinct URLs, are written as a CC-NEWS-like WARC file (gzip per record, a request and a response per
page). On it:

(a) reading the WARC alone: every record parsed and judged, every kept page's body read
    (``connectors.warc_reading.read_archive_part``, one process), in pages/s;
(b) the raw extraction loop of the same pages (``bench_pipeline.raw_loop``: trafilatura in a plain loop,
    one process, the reference call), in pages/s; (a)/(b) has a target of ≥ 10;
(c) ``newsbeam backfill`` into a real local Kafka: single-process (``--extraction-processes 0``), then on
    all cores (the default: one Beam worker with a pool of one extraction process per core). Pages/s count
    the articles on the ``articles`` topic over the broker's timestamps from the first to the last article
    ("steady"), and over the whole command ("start to end"); (c, all cores)/(b) has a target of ≥ 1.8 on
    two cores. Beside the wall clock, the CPU seconds of the command and every process it waited for
    (``RUSAGE_CHILDREN``) and of the raw loop: pages per CPU-second do not depend on what else runs on the
    machine, where the wall-clock rates do.

No network is involved: this is the CPU-bound case of a backfill. Figures go to
tests/bench/results/backfill.json and to a table; nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
for _path in (REPO, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_pipeline import (  # noqa: E402
    RESULTS,
    create_timestamped_topics,
    describe_machine,
    local_kafka,
    machine,
    raw_loop,
    topic_timestamps,
    warm_broker,
)
from feed_farm import load_pages  # noqa: E402

READ_TARGET = 10.0
CORES_TARGET = 1.8


def write_archive(pages: Sequence[bytes], copies: int, path: Path) -> list[str]:
    """The pages ``copies`` times as a WARC (gzip per record); returns the URLs in file order."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    urls = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for copy in range(copies):
            for number, body in enumerate(pages):
                url = f"https://news{copy}.example/article/{number}.html"
                urls.append(url)
                request = writer.create_warc_record(
                    url,
                    "request",
                    payload=io.BytesIO(b""),
                    http_headers=StatusAndHeaders("GET / HTTP/1.1", [("Host", "x")], is_http_request=True),
                )
                writer.write_record(request)
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                writer.write_record(
                    writer.create_warc_record(
                        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=headers
                    )
                )
    return urls


def read_only(path: Path) -> dict[str, Any]:
    """(a) the WARC read alone, as one part."""
    from connectors.warc_reading import ArchivePart, read_archive_part
    from transforms.archive_records import ArchiveFilter
    from transforms.records import Page

    size = path.stat().st_size
    started = time.perf_counter()
    outputs = read_archive_part(ArchivePart(str(path), 0, size, size), ArchiveFilter())
    seconds = time.perf_counter() - started
    pages = sum(1 for output in outputs if isinstance(output, Page))
    return {"pages": pages, "seconds": seconds, "rate": pages / seconds, "mb_per_s": size / 1e6 / seconds}


def backfill(path: Path, bootstrap: str, *options: str) -> dict[str, Any]:
    """(c) ``newsbeam backfill`` on ``path``: pages/s from the broker's timestamps and over the command."""
    prefix = f"bench-backfill-{uuid.uuid4().hex[:8]}"
    create_timestamped_topics(bootstrap, prefix)
    command = [
        sys.executable, "-m", "pipeline.cli", "--log-level", "WARNING", "backfill", "--warc", str(path),
        "--bootstrap-servers", bootstrap, "--topic-prefix", prefix, *options,
    ]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.time()
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=3600, check=False)
    ended = time.time()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the command and every process it waited for (its extraction processes and Beam's workers)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"newsbeam backfill failed:\n{done.stderr[-3000:]}")
    stamps = sorted(topic_timestamps(bootstrap, f"{prefix}.articles"))
    steady = (
        (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 and stamps[-1] > stamps[0] else 0.0
    )
    return {
        "articles": len(stamps),
        "seconds": ended - started,
        "rate_whole": len(stamps) / (ended - started),
        "rate_steady": steady,
        "cpu_seconds": cpu,
        "pages_per_cpu_second": len(stamps) / cpu,
        "options": list(options),
    }


def table(results: dict[str, Any]) -> str:
    """The figures as text."""
    raw, read = results["raw_loop"], results["read_only"]
    one, every = results["backfill_one_process"], results["backfill_all_cores"]
    ratios = results["ratios"]
    lines = [
        f"backfill of {results['pages']} pages ({results['page_set']}), WARC {results['warc_mb']:.1f} MB",
        f"  (a) reading the WARC alone:              {read['rate']:8.1f} pages/s ({read['mb_per_s']:.0f} MB/s)",
        f"  (b) raw extraction loop, one process:    {raw['rate']:8.1f} pages/s",
        f"  (c) newsbeam backfill, one process:      {one['rate_steady']:8.1f} pages/s steady, "
        f"{one['rate_whole']:.1f} start to end ({one['seconds']:.1f} s)",
        f"  (c) newsbeam backfill, all {results['cores']} cores:       {every['rate_steady']:8.1f} pages/s steady, "
        f"{every['rate_whole']:.1f} start to end ({every['seconds']:.1f} s)",
        f"  CPU: raw loop {raw['pages_per_cpu_second']:.1f} pages per CPU-second; backfill one process "
        f"{one['pages_per_cpu_second']:.1f}, all cores {every['pages_per_cpu_second']:.1f} (whole command: "
        f"start-up, both passes, flagging, Kafka)",
        f"  reading / extraction (a)/(b): {ratios['read_vs_extraction']:.1f}× (target ≥ {READ_TARGET:g}×)",
        f"  all cores / raw loop (c)/(b): {ratios['all_cores_steady']:.2f}× steady, "
        f"{ratios['all_cores_whole']:.2f}× start to end (target ≥ {CORES_TARGET:g}× on two cores); "
        f"one process: {ratios['one_process_steady']:.2f}× steady",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--copies", type=int, default=3, help="times each page is archived (distinct URLs)")
    parser.add_argument("--bootstrap", default=None, help="use this broker instead of starting one")
    args = parser.parse_args(argv)
    from transforms.page_encoding import decode_html

    page_set = load_pages()
    pages = list(page_set.pages)
    with tempfile.TemporaryDirectory(prefix="newsbeam-bench-backfill-") as work:
        warc = Path(work) / "CC-NEWS-bench.warc.gz"
        write_archive(pages, args.copies, warc)
        texts = [decode_html(body, "text/html") for body in pages] * args.copies
        read = read_only(warc)
        cpu_before = time.process_time()
        raw = raw_loop(texts)
        raw["pages_per_cpu_second"] = len(texts) / (time.process_time() - cpu_before)
        print(f"read only: {read['rate']:.1f} pages/s; raw loop: {raw['rate']:.1f} pages/s", flush=True)
        with local_kafka(args.bootstrap) as bootstrap:
            warm_broker(bootstrap)
            one = backfill(warc, bootstrap, "--extraction-processes", "0")
            print(f"backfill, one process: {one}", flush=True)
            every = backfill(warc, bootstrap)
            print(f"backfill, all cores: {every}", flush=True)
        results = {
            "machine": machine(),
            "page_set": page_set.source,
            "pages": len(texts),
            "cores": os.cpu_count() or 1,
            "warc_mb": warc.stat().st_size / 1e6,
            "read_only": read,
            "raw_loop": raw,
            "backfill_one_process": one,
            "backfill_all_cores": every,
            "ratios": {
                "read_vs_extraction": read["rate"] / raw["rate"],
                "one_process_steady": one["rate_steady"] / raw["rate"],
                "all_cores_steady": every["rate_steady"] / raw["rate"],
                "all_cores_whole": every["rate_whole"] / raw["rate"],
            },
        }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "backfill.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(describe_machine(results["machine"]))
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
