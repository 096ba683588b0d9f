"""Benchmark (not a test): the pipeline against the extraction limit, on the same pages, in one invocation.

Run: ``python tests/bench/bench_pipeline.py [--feeds 10] [--entries 36] [--latency 0.2] [--bootstrap H:P]``.
A local feed farm (tests/bench/feed_farm.py) serves ``feeds × entries`` entries whose links point to real
article pages, each response delayed by ``--latency``. On those pages it runs:

(a) raw trafilatura in a plain loop in one process: the extraction limit, measured before the first round
    of (d) and again after every round (``--rounds``, default 3: see ``rounds``); and the same loop in a
    child process on jemalloc, the allocator ``newsbeam run`` uses when installed (pipeline/allocator.py);
(b) the same over a process pool with one process per core;
(c) a naive sequential script: fetch, extract, send to Kafka (waiting for the ack), one page at a time;
(d) ``newsbeam run --once`` into a real local Kafka: single-process (``--extraction-processes 0``: one
    process does everything, extraction on a thread of it), then on all cores (one Beam worker with a pool
    of N extraction processes, ``--extraction-processes N``, the default of ``--once``), and for comparison
    Beam's own multi-process mode (``--direct_num_workers N --direct_running_mode multi_processing``, no
    extraction pool; first round only); the ratios of (d) to (a) are the medians of the rounds' ratios;
(e) the memory of the de-duplication state at ``--state-articles`` seen articles (DropDuplicates on the
    FnApiRunner in a child process; peak RSS).

Articles/s of (d) count the articles on the ``articles`` topic over the time from the first request the
farm saw to the broker's timestamp of the last one (the topics are created beforehand with
``LogAppendTime``, so that timestamp is the broker's append, i.e. the acknowledgement); "start to last
ack" counts from the launch of the command. Peak memory is the resident memory of the command and all its
child processes, sampled from /proc. Unless ``--bootstrap`` is given, a broker is started with
deploy/local/kafka on a free port in a state folder of its own and stopped afterwards; either way it is
warmed up first (``warm_broker``). Figures go to
tests/bench/results/pipeline.json and to a table; nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BENCH = Path(__file__).resolve().parent
for _path in (REPO, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from feed_farm import DEFAULT_LATENCY, FeedFarm, PageSet, load_pages  # noqa: E402

from pipeline.allocator import preload_environment  # noqa: E402

RESULTS = BENCH / "results"
KAFKA_SCRIPT = REPO / "deploy" / "local" / "kafka"


# ---------------------------------------------------------------------------------------------- machine


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gb = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = int(line.split()[1]) / 1024 / 1024
    return {
        "nproc": os.cpu_count() or 1,
        "cpu": model,
        "memory_gb": round(memory_gb, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def describe_machine(info: dict[str, Any]) -> str:
    load = "/".join(f"{x:.2f}" for x in info["load_average_at_start"])
    return (
        f"{info['nproc']} cores ({info['cpu']}), {info['memory_gb']} GB RAM, Python {info['python']}, "
        f"load average at start {load}"
    )


# --------------------------------------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    """Child processes of ``pid`` from its threads' ``children`` files (no scan of all of /proc: the
    sampler runs on the cores it measures)."""
    found: list[int] = []
    with contextlib.suppress(OSError):
        for task in os.scandir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError, ValueError):
                found.extend(int(child) for child in Path(f"{task.path}/children").read_text().split())
    return found


def tree_usage(pid: int) -> tuple[int, dict[int, tuple[str, float]]]:
    """Resident bytes of ``pid`` and all its descendants (0 once gone), and each one's (name, CPU seconds)."""
    total, stack = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    ticks = os.sysconf("SC_CLK_TCK")
    cpu: dict[int, tuple[str, float]] = {}
    while stack:
        current = stack.pop()
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * page
            stat = Path(f"/proc/{current}/stat").read_text()
            name = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat.rsplit(")", 1)[1].split()
            cpu[current] = (name, (int(fields[11]) + int(fields[12])) / ticks)  # utime + stime
        stack.extend(_children(current))
    return total, cpu


class PeakMemory:
    """Samples ``tree_usage(pid)`` every ``interval`` seconds in a thread: ``peak`` is the largest resident
    total, ``cpu`` the last CPU seconds seen of each process of the tree."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.peak = 0
        self.cpu: dict[int, tuple[str, float]] = {}
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, cpu = tree_usage(self.pid)
            self.peak = max(self.peak, rss)
            self.cpu.update(cpu)
            self._stop.wait(self._interval)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds per process of the tree, keyed ``"<pid> <name>"``."""
        return {f"{pid} {name}": round(seconds, 2) for pid, (name, seconds) in sorted(self.cpu.items())}

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


# ---------------------------------------------------------------------------------------------- kafka


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def local_kafka(bootstrap: str | None = None) -> Iterator[str]:
    """``bootstrap`` when given, else a broker of our own (deploy/local/kafka, free port, own state)."""
    if bootstrap:
        yield bootstrap
        return
    with tempfile.TemporaryDirectory(prefix="newsbeam-bench-kafka-") as state:
        port = free_port()
        env = {
            **os.environ,
            "KAFKA_PORT": str(port),
            "KAFKA_CONTROLLER_PORT": str(free_port()),
            "KAFKA_STATE_DIR": state,
        }
        subprocess.run([str(KAFKA_SCRIPT), "start"], env=env, check=True, timeout=600)
        try:
            yield f"127.0.0.1:{port}"
        finally:
            subprocess.run([str(KAFKA_SCRIPT), "stop"], env=env, check=False, timeout=120)


def create_timestamped_topics(bootstrap: str, prefix: str) -> None:
    """The pipeline's topics, created before it runs, with broker (append-time) timestamps."""
    from connectors.kafka_settings import KafkaSettings
    from connectors.kafka_topics import TopicNames, default_specs, ensure_topics

    specs = default_specs(TopicNames(prefix))
    for spec in specs.values():
        spec.configs["message.timestamp.type"] = "LogAppendTime"
    ensure_topics(KafkaSettings(bootstrap_servers=bootstrap), specs)


def warm_broker(bootstrap: str, requests: int = 3000) -> dict[str, Any]:
    """Exercise a broker only just started the way a run does before anything is measured: produce
    requests (the pipeline's producer settings, one acknowledged send at a time), and the offset and fetch
    requests the progress display makes. Fresh, it spent 0.6-1.0 CPU-s of the two cores on each of the first
    pipeline runs against ~0.3 once warm (its JIT compiling); a real broker has been up for days."""
    from feed_farm import words
    from kafka import KafkaConsumer, TopicPartition

    from connectors.kafka_settings import KafkaSettings, new_producer

    settings = KafkaSettings(bootstrap_servers=bootstrap, linger_ms=0)  # one request per send
    prefix = f"bench-warmup-{uuid.uuid4().hex[:8]}"
    create_timestamped_topics(bootstrap, prefix)
    topic = f"{prefix}.articles"
    producer = new_producer(settings)
    consumer = KafkaConsumer(**settings.consumer_config(group_id=None, auto_offset_reset="earliest"))
    value = words(1600).encode()  # ~10 KB of text, compressible as an article is
    started = time.perf_counter()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or [])]
        consumer.assign(partitions)
        for n in range(requests):
            producer.send(topic, key=str(n).encode(), value=value).get(timeout=30)
            consumer.end_offsets(partitions)
            consumer.poll(timeout_ms=0)
    finally:
        producer.close()
        consumer.close()
    return {"requests": requests, "seconds": time.perf_counter() - started}


def topic_timestamps(bootstrap: str, topic: str) -> list[float]:
    """Broker timestamps (epoch seconds) of every message on ``topic``."""
    from connectors.kafka_consume import read_messages
    from connectors.kafka_settings import KafkaSettings

    settings = KafkaSettings(bootstrap_servers=bootstrap)
    return [m.timestamp_ms / 1000 for m in read_messages(settings, topic, from_beginning=True, timeout=3)]


# ------------------------------------------------------------------------------------------ extraction


def extract(html: str) -> Any:
    """The reference call the limit is measured with: trafilatura's text and every metadata field it finds,
    ``favor_precision`` (the pipeline asks for less: bench_extraction.py shows both)."""
    import trafilatura

    return trafilatura.bare_extraction(
        html,
        url=None,
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
    )


def _warm_worker() -> int:
    extract("<html><body><article><p>" + "warm up the extractor. " * 20 + "</p></article></body></html>")
    return os.getpid()


def _extract_length(html: str) -> int:
    doc = extract(html)
    return len(getattr(doc, "text", None) or "")


def raw_loop(pages: Sequence[str]) -> dict[str, Any]:
    """(a) one process, a plain loop."""
    _warm_worker()
    started = time.perf_counter()
    extracted = sum(1 for html in pages if _extract_length(html) > 0)
    seconds = time.perf_counter() - started
    return {"pages": len(pages), "extracted": extracted, "seconds": seconds, "rate": len(pages) / seconds}


def farm_texts(page_set: PageSet, count: int) -> list[str]:
    """The exact sequence of ``count`` pages the pipeline extracts from the farm, decoded as it decodes them."""
    from transforms.page_encoding import decode_html

    return [decode_html(page_set.page_of(n), "text/html; charset=utf-8") for n in range(count)]


def raw_loop_preloaded(library: str, pages: int) -> dict[str, Any]:
    """(a) on the farm's first ``pages`` pages, in a child process started with ``library`` in
    ``LD_PRELOAD`` (jemalloc, as ``newsbeam run`` runs): how much of the pipeline's speed is the allocator's."""
    command = [sys.executable, str(Path(__file__).resolve()), "--raw-child", str(pages)]
    done = subprocess.run(
        command,
        cwd=REPO,
        env={**os.environ, "LD_PRELOAD": library},
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"raw loop under {library} failed:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "allocator": library}


def raw_pool(pages: Sequence[str], workers: int) -> dict[str, Any]:
    """(b) a process pool, one process per core; pool start-up and warm-up are not timed."""
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(lambda_free_warm, range(workers * 4)))
        started = time.perf_counter()
        lengths = list(pool.map(_extract_length, pages, chunksize=2))
        seconds = time.perf_counter() - started
    extracted = sum(1 for n in lengths if n > 0)
    return {
        "pages": len(pages),
        "extracted": extracted,
        "seconds": seconds,
        "rate": len(pages) / seconds,
        "workers": workers,
    }


def lambda_free_warm(_: int) -> int:
    return _warm_worker()


# ------------------------------------------------------------------------------------------- naive (c)


def naive_script(farm: FeedFarm, bootstrap: str, limit: int) -> dict[str, Any]:
    """(c) what a user would write: poll each feed, then fetch → extract → send and wait, page by page."""
    import feedparser
    from kafka import KafkaProducer

    topic = f"bench-naive-{uuid.uuid4().hex[:8]}"
    create_timestamped_topics(bootstrap, topic)  # creates topic.articles (auto-creation is off)
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    _warm_worker()
    done = 0
    started = time.perf_counter()
    try:
        for feed_url in farm.feed_urls():
            with urllib.request.urlopen(feed_url, timeout=30) as response:
                parsed = feedparser.parse(response.read())
            for item in parsed.entries:
                if done >= limit:
                    break
                with urllib.request.urlopen(item.link, timeout=30) as response:
                    html = response.read().decode("utf-8", "replace")
                doc = extract(html)
                value = json.dumps(
                    {"url": item.link, "title": item.title, "text": getattr(doc, "text", None) or ""}
                ).encode()
                producer.send(f"{topic}.articles", key=item.link.encode(), value=value).get(timeout=30)
                done += 1
            if done >= limit:
                break
    finally:
        producer.close()
    seconds = time.perf_counter() - started
    return {"pages": done, "seconds": seconds, "rate": done / seconds}


# ------------------------------------------------------------------------------------------ pipeline (d)


def newsbeam_run(
    feeds_file: Path, bootstrap: str, prefix: str, *options: str, launcher: Sequence[str] = ()
) -> list[str]:
    """The ``newsbeam run`` command line a benchmark launches (``launcher``: a profiler in front)."""
    return [
        *(launcher or [sys.executable]),
        "-m",
        "pipeline.cli",
        "--log-level",
        "WARNING",
        "run",
        "--feeds",
        str(feeds_file),
        "--bootstrap-servers",
        bootstrap,
        "--topic-prefix",
        prefix,
        *options,
    ]


def run_pipeline(
    farm: FeedFarm,
    bootstrap: str,
    workdir: Path,
    *,
    label: str,
    beam_args: Sequence[str],
    expected: int,
    profile_to: Path | None = None,
) -> dict[str, Any]:
    """(d) ``newsbeam run --once`` as a user runs it; figures from the farm, /proc and the topics."""
    prefix = f"bench-{label}-{uuid.uuid4().hex[:8]}"
    create_timestamped_topics(bootstrap, prefix)
    feeds_file = farm.write_feeds_file(workdir / f"{label}.yaml")
    farm.reset_log()
    log_path = workdir / f"{label}.log"
    # a profile: py-spy samples every thread of the command and its workers (collapsed stacks), or,
    # without py-spy, pyinstrument writes the call tree of the launcher's main thread
    profiler: list[str] = []
    if profile_to is not None:
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if Path(py_spy).is_file():
            # --gil: only the thread holding the GIL, i.e. what a single process spends its one core on
            profiler = [py_spy, "record", "--subprocesses", "--gil", "--rate", "100", "--format", "raw"]
            profiler += ["-o", str(profile_to.with_suffix(".collapsed")), "--", sys.executable]
        else:
            profiler = [sys.executable, "-m", "pyinstrument", "-r", "text", "-o", str(profile_to)]
    command = newsbeam_run(feeds_file, bootstrap, prefix, "--once", *beam_args, launcher=profiler)
    # a profiler follows one process: preload the allocator up front instead of letting `run` re-execute
    environment = (preload_environment(os.environ) if profiler else None) or dict(os.environ)
    launched = time.time()
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=environment)
        memory = PeakMemory(process.pid)
        code = process.wait(timeout=3600)
        peak = memory.stop()
    exited = time.time()
    if code != 0:
        tail = log_path.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"newsbeam run ({label}) exited with {code}:\n{tail}")
    stamps = topic_timestamps(bootstrap, f"{prefix}.articles")
    first_page = farm.timeline(launched).get("first_pages_request")
    dead = topic_timestamps(bootstrap, f"{prefix}.deadletter")
    first_request = farm.first_request or launched
    last_ack = max(stamps) if stamps else exited
    working = last_ack - first_request
    return {
        "command": " ".join(["newsbeam", *command[command.index("pipeline.cli") + 1 :]]),
        "articles": len(stamps),
        "expected": expected,
        "dead_letters": len(dead),
        "startup_seconds": first_request - launched,
        "processing_seconds": working,
        "start_to_last_ack_seconds": last_ack - launched,
        "process_seconds": exited - launched,
        "rate": len(stamps) / working if working > 0 else 0.0,
        "rate_including_startup": len(stamps) / (last_ack - launched),
        # once pages flow: without the polls and the workers' set-up that precede them on this runner
        "rate_from_first_page": (
            len(stamps) / (last_ack - launched - first_page) if first_page is not None and stamps else 0.0
        ),
        "peak_rss_mb": peak / 1024 / 1024,
        "cpu_seconds": memory.cpu_seconds(),
        # seconds after launch: where the time went (stage by stage or overlapped)
        "timeline": {
            **farm.timeline(launched),
            "first_ack": (min(stamps) - launched) if stamps else None,
            "last_ack": last_ack - launched,
        },
    }


def empty_run(
    page_set: PageSet, bootstrap: str, workdir: Path, workers: int, runs: int = 3
) -> dict[str, Any]:
    """(f) what a --once run costs when its feed has nothing: start-up, topic checks, the restart read, the
    extraction pool, Beam's runner and shutdown; wall time from launch to exit, ``runs`` times."""
    seconds = []
    with FeedFarm(page_set, feeds=1, entries=0, latency=0.0) as farm:
        for number in range(runs):
            prefix = f"bench-empty-{uuid.uuid4().hex[:8]}"
            create_timestamped_topics(bootstrap, prefix)
            feeds_file = farm.write_feeds_file(workdir / f"empty-{number}.yaml")
            command = newsbeam_run(
                feeds_file, bootstrap, prefix, "--once", "--extraction-processes", str(workers)
            )
            launched = time.monotonic()
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600, check=False)
            if done.returncode != 0:
                raise RuntimeError(
                    f"newsbeam run on an empty feed exited with {done.returncode}:\n{done.stderr[-3000:]}"
                )
            seconds.append(time.monotonic() - launched)
    median = statistics.median(seconds)
    return {"seconds": seconds, "median_seconds": median, "rate": median}


# ---------------------------------------------------------------------------------------------- state (e)


def _state_pipeline(articles: int) -> None:
    """In a child process: ``articles`` distinct entries (each seen twice) through DropDuplicates."""
    import apache_beam as beam
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner

    from transforms.dedup import DropDuplicates
    from transforms.records import FeedEntry

    batch = 1000

    def entries(start: int) -> Iterator[FeedEntry]:
        for n in range(start, min(start + batch, articles)):
            url = f"https://news.example/{n // 1000}/story-{n}.html"
            entry = FeedEntry(
                article_id=f"{n:016x}",
                feed=f"feed-{n % 50}",
                feed_url=f"https://news.example/feed-{n % 50}.xml",
                url=url,
                guid=url,
                title=f"Story number {n} about the markets",
                summary="A one-line summary of the story, as feeds carry it.",
                content="",
                published="2025-01-01T00:00:00Z",
                language_hint="en",
                seen_at="2025-01-01T00:00:00Z",
            )
            yield entry
            yield entry  # the next poll sees it again: a duplicate to drop

    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        kept = (
            pipeline
            | beam.Create(range(0, articles, batch))
            | "Entries" >> beam.FlatMap(entries)
            | "DropDuplicates" >> DropDuplicates()
        )[0] | beam.combiners.Count.Globally()
        _ = kept | beam.Map(lambda n: print(f"kept {n}", flush=True))


def state_memory(articles: int) -> dict[str, Any]:
    """(e) peak RSS of a process whose DropDuplicates state ends up holding ``articles`` articles."""
    command = [sys.executable, str(Path(__file__).resolve()), "--state-child", str(articles)]
    started = time.perf_counter()
    # on the allocator `newsbeam run` uses: jemalloc keeps freed memory longer than glibc's malloc
    environment = preload_environment(os.environ) or dict(os.environ)
    process = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    )
    memory = PeakMemory(process.pid)
    out, err = process.communicate(timeout=3600)
    peak = memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"state benchmark failed:\n{err[-3000:]}")
    kept = int(out.split("kept", 1)[1].split()[0]) if "kept" in out else -1
    return {
        "articles": articles,
        "entries_in": 2 * articles,
        "kept": kept,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": peak / 1024 / 1024,
    }


# --------------------------------------------------------------------------------------------- report


def extraction_limit(results: dict[str, Any]) -> float:
    """Raw trafilatura's rate (a) for the ratios that are not per round: the mean of all its runs.

    A machine's speed drifts between an idle start and sustained load, across runs and within one, so the
    loop runs before the first round and after every round (``rounds``) instead of only once, while the
    machine is at its fastest.
    """
    return statistics.mean(run["rate"] for run in results["raw_loops"])


def jemalloc_limit(results: dict[str, Any]) -> float:
    """The raw loop under jemalloc: the mean of its runs before and after the pipeline runs."""
    return statistics.mean(run["rate"] for run in results["raw_loops_jemalloc"])


def rounds(results: dict[str, Any]) -> list[dict[str, float]]:
    """Each round's pipeline rates over the raw loop measured around it (the runs just before and after).

    A round is ``newsbeam run`` on 1 process, then on all cores, then the raw loop again; pairing each
    round with the loops beside it keeps the machine's drift out of the ratio, and the median over the
    rounds keeps one slow spell from deciding it.
    """
    loops = [run["rate"] for run in results.get("raw_loops", [])]
    found: list[dict[str, float]] = []
    for number, run in enumerate(results.get("rounds", [])):
        row = {
            "single": run["pipeline_single"]["rate"],
            "all_cores": run["pipeline_all_cores"]["rate"],
            "all_cores_whole_run": whole_run_rate(run["pipeline_all_cores"]),
        }
        if number + 1 < len(loops):
            around = (loops[number] + loops[number + 1]) / 2
            row |= {
                "raw_loop": around,
                "single_over_raw_loop": row["single"] / around,
                "all_cores_over_raw_loop": row["all_cores"] / around,
                "all_cores_whole_run_over_raw_loop": row["all_cores_whole_run"] / around,
            }
        found.append(row)
    return found


def whole_run_rate(run: dict[str, Any]) -> float:
    """Articles per second of the whole command, from its launch to its exit: start-up and shutdown count."""
    return float(run["articles"]) / run["process_seconds"] if run["process_seconds"] > 0 else 0.0


def ratios(results: dict[str, Any]) -> dict[str, float]:
    a, b, c = extraction_limit(results), results["raw_pool"]["rate"], results["naive"]["rate"]
    each = rounds(results)
    # the median rounds' runs (``median_run``), as the table shows them
    single, multi = results["pipeline_single"]["rate"], results["pipeline_all_cores"]["rate"]
    return {
        "single_over_raw_loop": statistics.median(row["single_over_raw_loop"] for row in each),
        "all_cores_over_raw_loop": statistics.median(row["all_cores_over_raw_loop"] for row in each),
        "all_cores_whole_run_over_raw_loop": statistics.median(
            row["all_cores_whole_run_over_raw_loop"] for row in each
        ),
        "all_cores_over_raw_pool": multi / b,
        "all_cores_over_naive": multi / c,
        "single_over_naive": single / c,
        "raw_pool_over_raw_loop": b / a,
        **(
            {"beam_multiprocess_over_raw_loop": results["pipeline_beam_multiprocess"]["rate"] / a}
            if "pipeline_beam_multiprocess" in results
            else {}
        ),
        # the same ratios against a raw loop on the pipeline's own allocator (no target: for the reader)
        **(
            {
                "single_over_raw_loop_jemalloc": single / jemalloc_limit(results),
                "all_cores_over_raw_loop_jemalloc": multi / jemalloc_limit(results),
            }
            if "raw_loops_jemalloc" in results
            else {}
        ),
    }


# the raw loop is the reference call (``extract``) in one process: the pipeline asks trafilatura for less
# (only the metadata a feed entry lacks) and uses every core, so it is expected to beat it
TARGETS = {
    "single_over_raw_loop": (1.2, "steady rate, one process ≥ 1.2 × the raw loop"),
    "all_cores_over_raw_loop": (2.3, "steady rate, all cores ≥ 2.3 × the raw loop"),
    "all_cores_whole_run_over_raw_loop": (1.6, "the whole --once run, launch to exit, ≥ 1.6 × the raw loop"),
    "all_cores_over_naive": (10.0, "all cores ≥ 10 × the naive script"),
}
EMPTY_RUN_TARGET = 1.5  # seconds of wall time for a --once run whose feed has no entries


def median_run(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda run: run["rate"])
    return ordered[(len(ordered) - 1) // 2]


def table(results: dict[str, Any]) -> str:
    """The results as Markdown tables (what the README shows)."""
    count_rounds = len(results.get("rounds", []))
    lines = [
        f"Machine: {describe_machine(results['machine'])}",
        f"Pages: {results['pages']}; farm: {results['farm']}",
        f"`newsbeam run`'s memory allocator: {results.get('allocator', 'system')} (pipeline/allocator.py)",
        "",
        "| run | articles | articles/s | peak RSS | start → last ack |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in (
        ("raw_loops", "(a) raw trafilatura, 1 process: before round 1 / after each round"),
        ("raw_loops_jemalloc", "(a) the same loop under jemalloc: before / after the rounds"),
    ):
        if loops := results.get(key, []):
            rates = " / ".join(f"{run['rate']:.1f}" for run in loops)
            lines.append(f"| {label} | {loops[0]['pages']} | {rates} | | |")
    rows: list[tuple[str, str]] = [
        ("raw_pool", f"(b) raw trafilatura, pool of {results.get('raw_pool', {}).get('workers', '?')}"),
        ("naive", "(c) naive fetch → extract → send"),
        ("pipeline_single", f"(d) newsbeam run --once, 1 process (median of {count_rounds} rounds)"),
        (
            "pipeline_all_cores",
            f"(d) newsbeam run --once, all cores (extraction pool of "
            f"{results.get('settings', {}).get('workers', '?')}; median of {count_rounds} rounds)",
        ),
        ("pipeline_beam_multiprocess", "(d) newsbeam run --once, Beam multi_processing, no pool"),
    ]
    for key, label in rows:
        row = results.get(key)
        if not row:
            continue
        count = row.get("articles", row.get("pages"))
        rss = f"{row['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in row else ""
        last = f"{row['start_to_last_ack_seconds']:.1f} s" if "start_to_last_ack_seconds" in row else ""
        lines.append(f"| {label} | {count} | {row['rate']:.1f} | {rss} | {last} |")
    if "state" in results:
        state = results["state"]
        lines.append(
            f"| (e) DropDuplicates state, {state['kept']:,} articles | {state['kept']} | "
            f"| {state['peak_rss_mb']:.0f} MB | |"
        )
    each = rounds(results)
    if each and "raw_loop" in each[0]:
        lines += [
            "",
            "| round | raw loop around it | 1 process | ÷ raw loop | all cores | ÷ raw loop "
            "| all cores, whole run | ÷ raw loop |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for number, row in enumerate(each, 1):
            lines.append(
                f"| {number} | {row['raw_loop']:.1f} | {row['single']:.1f} | {row['single_over_raw_loop']:.2f} | "
                f"{row['all_cores']:.1f} | {row['all_cores_over_raw_loop']:.2f} | "
                f"{row['all_cores_whole_run']:.1f} | {row['all_cores_whole_run_over_raw_loop']:.2f} |"
            )
    if "empty_run" in results:
        empty = results["empty_run"]
        verdict = "✓" if empty["median_seconds"] <= EMPTY_RUN_TARGET else "✗"
        lines += [
            "",
            f"`newsbeam run --once` on a feed with no entries, launch to exit: median {empty['median_seconds']:.2f} s "
            f"{verdict} (target ≤ {EMPTY_RUN_TARGET:g} s; runs {' / '.join(f'{x:.2f}' for x in empty['seconds'])})",
        ]
    if "ratios" in results:
        lines += [
            "",
            "1 process and all cores ÷ raw loop: the medians of the rounds; the other ratios use the rounds' "
            f"median rates and {extraction_limit(results):.1f} pages/s, the mean of every raw loop"
            + (
                f" ({jemalloc_limit(results):.1f} for the raw loop on jemalloc)."
                if "raw_loops_jemalloc" in results
                else "."
            ),
            "",
            "| ratio | measured | target |",
            "|---|---:|---:|",
        ]
        for name, value in results["ratios"].items():
            target = TARGETS.get(name)
            goal = f"≥ {target[0]:g}" if target else ""
            verdict = "" if not target else (" ✓" if value >= target[0] else " ✗")
            lines.append(f"| {name.replace('_', ' ')} | {value:.2f}{verdict} | {goal} |")
    return "\n".join(lines)


def _phase(name: str, run: Callable[[], dict[str, Any]], unit: str) -> dict[str, Any]:
    """Run one measured phase, saying so before and after."""
    print(f"{name}: running", flush=True)
    row = run()
    print(f"{name}: {row['rate']:.1f} {unit}", flush=True)
    return row


def main(argv: Sequence[str] | None = None) -> int:
    """Run every phase, print the table, write tests/bench/results/pipeline.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--entries", type=int, default=50, help="entries per feed")
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds per HTTP request")
    parser.add_argument("--naive-pages", type=int, default=40, help="pages the naive script processes")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for 'all cores'")
    parser.add_argument("--state-articles", type=int, default=100_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of (1 process, all cores, raw loop): the ratios to the raw loop are their medians",
    )
    parser.add_argument("--bootstrap", default=None, help="use this broker instead of starting one")
    parser.add_argument(
        "--skip", action="append", default=[], help="phase to skip: raw, naive, pipeline, state"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "pipeline.json")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="profile the pipeline runs into this folder: py-spy (all threads and workers) when installed, "
        "else pyinstrument",
    )
    parser.add_argument("--state-child", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--raw-child", type=int, default=None, help=argparse.SUPPRESS)  # pages
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")
    if args.state_child is not None:
        _state_pipeline(args.state_child)
        return 0
    if args.raw_child is not None:
        print(json.dumps(raw_loop(farm_texts(load_pages(), args.raw_child))))
        return 0
    # what `newsbeam run` will preload (the benchmark itself stays on the system allocator)
    preload = preload_environment(os.environ)
    jemalloc = preload["LD_PRELOAD"].split(":")[0] if preload else None

    page_set = load_pages()
    expected = args.feeds * args.entries
    results: dict[str, Any] = {
        "machine": machine(),
        "pages": page_set.source,
        "farm": f"{args.feeds} feeds × {args.entries} entries = {expected} articles, "
        f"{args.latency * 1000:.0f} ms per request",
        "settings": {
            key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()
        },
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "allocator": f"jemalloc ({jemalloc})" if jemalloc else "system",
    }
    print(
        f"machine: {describe_machine(results['machine'])}\npages: {page_set.source}\nfarm: {results['farm']}"
    )
    with FeedFarm(page_set, feeds=args.feeds, entries=args.entries, latency=args.latency) as farm:
        texts = farm_texts(page_set, expected)
        measure_raw = "raw" not in args.skip
        if measure_raw:
            results["raw_loops"] = [_phase("raw_loop", lambda: raw_loop(texts), "pages/s")]
            if jemalloc:
                results["raw_loops_jemalloc"] = [
                    _phase("raw_loop_jemalloc", lambda: raw_loop_preloaded(jemalloc, expected), "pages/s")
                ]
            results["raw_pool"] = _phase("raw_pool", lambda: raw_pool(texts, args.workers), "pages/s")
        if not {"naive", "pipeline"} <= set(args.skip):
            with local_kafka(args.bootstrap) as bootstrap, tempfile.TemporaryDirectory() as work:
                print("broker warm-up: running", flush=True)
                results["broker_warmup"] = warm_broker(bootstrap)
                print(f"broker warm-up: {results['broker_warmup']['seconds']:.1f} s", flush=True)
                if "naive" not in args.skip:
                    results["naive"] = _phase(
                        "naive", lambda: naive_script(farm, bootstrap, args.naive_pages), "pages/s"
                    )
                if "pipeline" not in args.skip:

                    def pipeline(key: str, beam_args: list[str]) -> dict[str, Any]:
                        profile_to = args.profile / f"{key}.txt" if args.profile else None
                        if profile_to:
                            profile_to.parent.mkdir(parents=True, exist_ok=True)
                        row = run_pipeline(
                            farm,
                            bootstrap,
                            Path(work),
                            label=key,
                            beam_args=beam_args,
                            expected=expected,
                            profile_to=profile_to,
                        )
                        print(
                            f"{key}: {row['articles']}/{expected} articles, {row['rate']:.1f} articles/s, "
                            f"peak {row['peak_rss_mb']:.0f} MB; timeline {json.dumps(row['timeline'])}",
                            flush=True,
                        )
                        return row

                    results["rounds"] = []
                    for number in range(1, args.rounds + 1):
                        print(f"round {number} of {args.rounds}", flush=True)
                        results["rounds"].append(
                            {
                                "pipeline_single": pipeline(
                                    "pipeline_single", ["--extraction-processes", "0"]
                                ),
                                # the fastest way to use every core (measured against Beam's own, below)
                                "pipeline_all_cores": pipeline(
                                    "pipeline_all_cores", ["--extraction-processes", str(args.workers)]
                                ),
                            }
                        )
                        if number == 1:
                            results["pipeline_beam_multiprocess"] = pipeline(
                                "pipeline_beam_multiprocess",
                                [
                                    "--direct_num_workers",
                                    str(args.workers),
                                    "--direct_running_mode",
                                    "multi_processing",
                                    "--extraction-processes",
                                    "0",
                                ],
                            )
                        if measure_raw:
                            results["raw_loops"].append(
                                _phase(f"raw_loop after round {number}", lambda: raw_loop(texts), "pages/s")
                            )
                    for key in ("pipeline_single", "pipeline_all_cores"):
                        results[key] = median_run([run[key] for run in results["rounds"]])
                    results["empty_run"] = _phase(
                        "empty_run",
                        lambda: empty_run(page_set, bootstrap, Path(work), args.workers),
                        "s (median)",
                    )
        if measure_raw and jemalloc and "pipeline" not in args.skip:
            results["raw_loops_jemalloc"].append(
                _phase("raw_loop_jemalloc_after", lambda: raw_loop_preloaded(jemalloc, expected), "pages/s")
            )
    if "state" not in args.skip:
        print(f"state: {args.state_articles:,} articles through DropDuplicates", flush=True)
        results["state"] = state_memory(args.state_articles)
        print(f"state: peak {results['state']['peak_rss_mb']:.0f} MB", flush=True)
    if all(k in results for k in ("raw_loops", "raw_pool", "naive", "rounds")):
        results["ratios"] = ratios(results)
    results["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print()
    print(table(results))
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
