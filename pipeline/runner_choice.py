"""Which Beam runner executes a run, chosen so the default works offline and really streams.

- ``--once`` (bounded) without ``--runner``, or with ``DirectRunner``: Beam's in-process FnApiRunner,
  chosen explicitly. Beam's ``DirectRunner`` would first try Prism, downloading it at run time, which
  fails offline; we want the same runner every time.
- streaming without ``--runner``, or with ``DirectRunner``/``PrismRunner``: Prism, Beam's local portable
  runner, built from the Go module proxy by ``make prism`` (``go install``), passed as ``--prism_location``.
  The FnApiRunner runs a streaming pipeline stage by stage (nothing would pass the de-duplication state
  until the source ended, so an endless run would never publish) and the bundle-based DirectRunner
  rejects ``PeriodicImpulse``, the streaming clock.
- ``FlinkRunner``: Beam's portable Flink runner, through the job-server jar that ``make flink``
  (deploy/local/flink-job-server) fetched into the cache for this very Beam release: a job server of
  another release does not speak the same protocol, and Beam would otherwise download one at run time.
  Unless told otherwise it runs an embedded Flink (``--flink_master=[local]``) with the SDK workers inside
  this process (``--environment_type=LOOPBACK``). With ``--flink_master HOST:PORT`` it submits to a Flink
  session cluster (deploy/local/flink, deploy/k8s) with the cluster defaults below (``FLINK_CLUSTER_DEFAULTS``).
- anything else (``DataflowRunner``, ``PortableRunner``...) is Beam's to handle.
"""

from __future__ import annotations

import argparse
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import apache_beam
from apache_beam.options.pipeline_options import (
    DirectOptions,
    FlinkRunnerOptions,
    PipelineOptions,
    PortableOptions,
    PrismRunnerOptions,
    StandardOptions,
)
from apache_beam.runners.runner import PipelineRunner

LOCAL_RUNNERS = (None, "DirectRunner", "direct", "PrismRunner", "prism")
FLINK_RUNNERS = ("FlinkRunner", "flink")
# The Flink line of the job server deploy/local/flink-job-server fetches: the newest whose job server
# Maven Central serves whole.
FLINK_VERSION = "1.19"
FLINK_LOCAL_MASTERS = ("[local]", "[auto]")


@dataclass(frozen=True, slots=True)
class FlinkClusterDefaults:
    """What a run on a Flink session cluster (``--flink_master HOST:PORT``) gets unless its flags say otherwise.

    - ``environment_type``/``environment_config``: the Python workers come from the SDK worker pool beside
      each task manager (Beam's EXTERNAL environment): the recipes' sidecar on localhost:50000, and the
      local cluster's pool (deploy/local/flink, FLINK_WORKER_POOL_PORT, default 50000).
    - ``parallelism``: the cluster's ``parallelism.default`` (deploy/flink/cluster.yaml). Beam would take
      its own job server's Flink configuration instead, which is 1 when it has none.
    - ``checkpointing_interval_ms``: a streaming run checkpoints its state (per-feed schedules and
      validators, seen article ids, heartbeat counters) this often, so a lost task manager costs at most
      that much work to redo; Beam leaves checkpointing off.
    """

    environment_type: str = "EXTERNAL"
    environment_config: str = "localhost:50000"
    parallelism: int = 2
    checkpointing_interval_ms: int = 10_000


FLINK_CLUSTER_DEFAULTS = FlinkClusterDefaults()


class FlinkJobServerOptions(PipelineOptions):
    """Options of Beam's Java Flink runner that newsbeam sets for a cluster run.

    The job server declares them to the SDK when a job is submitted, so they are accepted on the command
    line anyway; declared here too, they can be given a default before that (``configure_flink``).
    """

    @classmethod
    def _add_argparse_args(cls, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--checkpointing_interval",
            type=int,
            default=None,
            help="milliseconds between Flink checkpoints (default: "
            f"{FLINK_CLUSTER_DEFAULTS.checkpointing_interval_ms} for a streaming run on a Flink cluster, "
            "else off)",
        )


class RunnerUnavailable(RuntimeError):
    """The runner the run needs is not installed; the message says how to get it."""


def locate_prism() -> str:
    """The Prism binary: ``$NEWSBEAM_PRISM``, the project cache, or ``prism`` on the PATH."""
    cache = Path(os.environ.get("NEWSBEAM_CACHE", Path.home() / ".cache" / "newsbeam"))
    for candidate in (os.environ.get("NEWSBEAM_PRISM"), str(cache / "bin" / "prism"), shutil.which("prism")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise RunnerUnavailable(
        "streaming mode runs on Beam's Prism runner, which is not built yet: run `make prism` "
        "(go install github.com/apache/beam/sdks/v2/go/cmd/prism@v2.77.0) or pass --prism_location"
    )


def _cache_dir() -> Path:
    return Path(os.environ.get("NEWSBEAM_CACHE", Path.home() / ".cache" / "newsbeam"))


def flink_job_server_jar(beam_version: str = apache_beam.__version__) -> Path:
    """Where deploy/local/flink-job-server puts the Flink job server of ``beam_version`` (may not exist)."""
    name = f"beam-flink-{FLINK_VERSION}-job-server-{beam_version}"
    return _cache_dir() / name / f"beam-runners-flink-{FLINK_VERSION}-job-server-{beam_version}.jar"


def locate_flink_job_server() -> str:
    """The job-server jar: ``$NEWSBEAM_FLINK_JOB_SERVER_JAR`` or the one fetched for this Beam release."""
    candidate = os.environ.get("NEWSBEAM_FLINK_JOB_SERVER_JAR") or str(flink_job_server_jar())
    if Path(candidate).is_file():
        return candidate
    raise RunnerUnavailable(
        f"FlinkRunner needs Beam {apache_beam.__version__}'s Flink job server, which is not in the cache. "
        "Maven Central serves one only up to Beam 2.62.0 here: run FlinkRunner from .venv-flink "
        "(`make flink-venv flink`, then .venv-flink/bin/newsbeam run ...), or pass --flink_job_server_jar"
    )


def configure_flink(options: PipelineOptions, *, once: bool) -> None:
    """Fill in the FlinkRunner options the user left out.

    An embedded Flink (no ``--flink_master``, or ``[local]``): SDK workers in this process, and
    ``--parallelism`` the machine's cores (what Flink would pick, made explicit so a run states it). A
    Flink cluster (``--flink_master HOST:PORT``): ``FLINK_CLUSTER_DEFAULTS``. Either way, the job server
    from the cache.
    """
    flink = options.view_as(FlinkRunnerOptions)
    if not flink.flink_master or flink.flink_master == "[auto]":
        flink.flink_master = "[local]"
    local = flink.flink_master in FLINK_LOCAL_MASTERS
    portable = options.view_as(PortableOptions)
    cluster = FLINK_CLUSTER_DEFAULTS
    if not portable.environment_type:
        portable.environment_type = "LOOPBACK" if local else cluster.environment_type
        if not local and not portable.environment_config:
            portable.environment_config = cluster.environment_config
    if not flink.flink_job_server_jar:
        flink.flink_job_server_jar = locate_flink_job_server()
    flink.flink_version = FLINK_VERSION
    if flink.parallelism is None or flink.parallelism < 1:
        flink.parallelism = (os.cpu_count() or 1) if local else cluster.parallelism
    job_server = options.view_as(FlinkJobServerOptions)
    if not local and not once and job_server.checkpointing_interval is None:
        job_server.checkpointing_interval = cluster.checkpointing_interval_ms


def _without_embedded_state_cache() -> None:
    """Turn off the state cache of the FnApiRunner's in-process worker.

    That worker's state lives in this very process's memory, so the cache saves no round trip, while it
    weighs each value it stores with objsize, which walks every loaded module's globals, a few times per
    article in the de-duplication state: a single-process run is faster without it
    (tests/bench/bench_pipeline.py shows by how much). Beam 2.77 has no option for this worker's cache size
    (``--state_cache_size`` reaches SDK worker processes only), hence its module constant; a
    ``multi_processing`` run's workers keep theirs.
    """
    from apache_beam.runners.portability.fn_api_runner import worker_handlers

    worker_handlers.STATE_CACHE_SIZE_MB = 0


def choose_runner(options: PipelineOptions, *, once: bool) -> PipelineRunner | None:
    """Adjust ``options`` for the run and return a runner object, or None to let Beam pick by name."""
    standard = options.view_as(StandardOptions)
    name = standard.runner
    if once and name in (None, "DirectRunner", "direct"):
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

        _without_embedded_state_cache()
        return FnApiRunner()
    if not once:
        standard.streaming = True
    if name in LOCAL_RUNNERS:
        prism = options.view_as(PrismRunnerOptions)
        if not prism.prism_location:
            prism.prism_location = locate_prism()
        portable = options.view_as(PortableOptions)
        if not portable.environment_type:
            portable.environment_type = "LOOPBACK"
        from apache_beam.runners.portability.prism_runner import PrismRunner

        return PrismRunner()
    if name in FLINK_RUNNERS:
        configure_flink(options, once=once)
    return None


def spreads_over_workers(runner: PipelineRunner | None, options: PipelineOptions) -> bool:
    """Whether the run may hand work to several workers, so the graph should break fusion for them.

    The FnApiRunner runs a stage that holds a stateful DoFn on one worker (every key of a stateful ParDo
    lands on one of its ``multi_processing`` workers), so without a break after the stateful poll and
    de-duplication one worker fetches and extracts everything; with it, the workers share the work
    (tests/bench/bench_pipeline.py compares them). In one process it brings no speed and makes this
    runner finish every poll before it fetches the first page; Prism in LOOPBACK runs one SDK worker in
    this process, where the break would only add a hop to each entry's latency. Cluster runners get the
    break.
    """
    from apache_beam.runners.portability.fn_api_runner import FnApiRunner
    from apache_beam.runners.portability.prism_runner import PrismRunner

    if isinstance(runner, FnApiRunner):
        return options.view_as(DirectOptions).direct_num_workers != 1  # 0 means one per core
    if isinstance(runner, PrismRunner):
        return options.view_as(PortableOptions).environment_type != "LOOPBACK"
    return True


def default_extraction_processes(options: PipelineOptions, *, once: bool) -> int:
    """Extraction processes per extraction DoFn when ``--extraction-processes`` is not given.

    One per core for a bounded run on the FnApiRunner with its one worker in this process (the default
    ``--once`` run): there one process holds the whole pipeline and its GIL, and a pool let extraction use
    every core (tests/bench/bench_pipeline.py: faster than Beam's ``multi_processing`` mode, whose
    stateful stages sit on one worker). Everywhere else 0: ``multi_processing`` workers, Prism and Flink
    run several SDK workers or parallel instances already, and a pool per DoFn instance there would start
    workers × cores processes.
    """
    return (os.cpu_count() or 1) if one_worker_here(options, once=once) else 0


def one_worker_here(options: PipelineOptions, *, once: bool) -> bool:
    """Whether the run is the FnApiRunner's with its one worker in this process (the default ``--once``),
    not several SDK workers (processes or threads) each with its own DoFn instances."""
    if not once or options.view_as(StandardOptions).runner not in (None, "DirectRunner", "direct"):
        return False
    direct = options.view_as(DirectOptions)
    return direct.direct_running_mode != "multi_processing" and direct.direct_num_workers == 1


def describe_runner(runner: PipelineRunner | None, options: PipelineOptions) -> str:
    """A short name for logs and summaries."""
    if runner is not None:
        return type(runner).__name__
    return str(options.view_as(StandardOptions).runner)
