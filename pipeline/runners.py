"""Which Beam runner executes a run, chosen so the default works offline and really streams.

- ``--once`` (bounded) without ``--runner``, or with ``DirectRunner``: Beam's in-process FnApiRunner,
  chosen explicitly. Beam's ``DirectRunner`` would first try Prism, downloading it at run time, which
  fails offline; we want the same runner every time.
- streaming without ``--runner``, or with ``DirectRunner``/``PrismRunner``: Prism, Beam's local portable
  runner, built from the Go module proxy by ``make prism`` (``go install``), passed as ``--prism_location``.
  The FnApiRunner runs a streaming pipeline stage by stage (nothing would pass the de-duplication state
  until the source ended) and the bundle-based DirectRunner rejects ``PeriodicImpulse`` (FACTS.md).
- anything else (``FlinkRunner``, ``DataflowRunner``, ``PortableRunner``...) is Beam's to handle.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from apache_beam.options.pipeline_options import (
    PipelineOptions,
    PortableOptions,
    PrismRunnerOptions,
    StandardOptions,
)
from apache_beam.runners.runner import PipelineRunner

LOCAL_RUNNERS = (None, "DirectRunner", "direct", "PrismRunner", "prism")


class RunnerUnavailable(RuntimeError):
    """The runner the run needs is not installed here; the message says how to get it."""


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


def choose_runner(options: PipelineOptions, *, once: bool) -> PipelineRunner | None:
    """Adjust ``options`` for the run and return a runner object, or None to let Beam pick by name."""
    standard = options.view_as(StandardOptions)
    name = standard.runner
    if once and name in (None, "DirectRunner", "direct"):
        from apache_beam.runners.portability.fn_api_runner import FnApiRunner

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
    return None


def describe_runner(runner: PipelineRunner | None, options: PipelineOptions) -> str:
    """A short name for logs and summaries."""
    if runner is not None:
        return type(runner).__name__
    return str(options.view_as(StandardOptions).runner)
