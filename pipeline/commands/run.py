"""``newsbeam run``: the ingestion pipeline, with newsbeam's options and any of Beam's.

Every argument goes to Beam's option parser (``pipeline.options``), so the command takes no click options
of its own but ``--log-format``, which it accepts after ``run`` as well. A failure the run explains
(``RunStopped``, a bad config, Kafka unreachable, a topic conflict) becomes one line on stderr and exit
status 1; Ctrl-C or SIGTERM stop it quietly.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import click

from connectors.kafka_settings import KafkaUnreachable
from connectors.kafka_topics import TopicConflict
from pipeline import allocator
from pipeline.commands.console import STDERR, configure_logging, stop_on_sigterm
from pipeline.config import ConfigError, PipelineConfig
from transforms.dead_letters import RunStopped

if TYPE_CHECKING:  # imported when a run starts: they import Beam
    from pipeline.commands.backfill_progress import BackfillProgress
    from pipeline.commands.run_progress import RunProgress
    from pipeline.launcher import RunSummary

log = logging.getLogger("newsbeam")

# the RunStopped subclasses a worker can raise, by name: a portable runner returns them as text
RUN_STOPPED_NAMES = ("LooksLikeABug", "PublishFailed")


def pop_log_format(args: tuple[str, ...]) -> tuple[tuple[str, ...], str | None]:
    """``args`` without ``--log-format``, and its value: it is accepted after ``run`` as well."""
    rest: list[str] = []
    found: str | None = None
    items = iter(args)
    for arg in items:
        if arg == "--log-format":
            found = next(items, None)
        elif arg.startswith("--log-format="):
            found = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    if found is not None and found not in ("text", "json"):
        raise click.BadParameter(f"--log-format must be text or json, not {found!r}")
    return tuple(rest), found


def explained_stop(text: str) -> str | None:
    """The message of a ``RunStopped`` that a runner's error quotes (``…PublishFailed: Kafka at …``)."""
    for line in reversed(text.splitlines()):
        for name in RUN_STOPPED_NAMES:
            if f"{name}: " in line:
                return line.split(f"{name}: ", 1)[1].strip()
    return None


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(args: tuple[str, ...]) -> None:
    """Run the ingestion pipeline (``--feeds FILE --bootstrap-servers HOST:PORT [--once]`` + Beam options).

    \b
    --feeds FILE              feeds file (YAML)
    --bootstrap-servers H:P   Kafka (default 127.0.0.1:9092)
    --once                    poll every feed once, publish everything, exit (bounded mode)
    --topic-prefix NAME       topics NAME.articles/.regulation/.deadletter/.ops (default news)
    --duration S              streaming: stop after S seconds
    --allow-private-networks  allow loopback/private addresses (local servers)
    --runner NAME             default: in-process FnApiRunner with --once, Prism when streaming
    --heartbeat-interval S    streaming: seconds between heartbeats on <prefix>.ops (default 30)
    --log-format text|json    json: one JSON object per log line (also `newsbeam --log-format json run`)

    With --once on a terminal: a progress bar (feeds polled, articles, flagged, dead letters) and a
    summary table at the end.
    """
    if "--help" in args or "-h" in args:
        click.echo(click.get_current_context().get_help())
        return
    run_with_progress(args)


def run_with_progress(args: tuple[str, ...]) -> None:
    """``launch`` with the progress display of a bounded run (feeds, or a backfill's archives)."""
    # imported when the run starts: they import Beam
    watchers: list[RunProgress | BackfillProgress] = []

    def watch(config: PipelineConfig, show_bar: bool) -> AbstractContextManager[Any]:
        from pipeline.commands.backfill_progress import BackfillProgress
        from pipeline.commands.run_progress import RunProgress

        if config.backfill is not None:
            sizes = dict(config.backfill.files)
            watchers.append(BackfillProgress(config, sizes, show_bar=show_bar))
        elif config.once:
            watchers.append(RunProgress(config, show_bar=show_bar))
        else:
            return contextlib.nullcontext()
        return watchers[-1]

    def report(summary: RunSummary, show_bar: bool) -> None:
        from pipeline.commands.backfill_progress import BackfillProgress, report_backfill_finished
        from pipeline.commands.run_progress import report_finished

        watcher = watchers[0] if watchers else None
        if isinstance(watcher, BackfillProgress):
            report_backfill_finished(summary, watcher, show_bar=show_bar)
        else:
            report_finished(summary, watcher, show_bar=show_bar)

    launch(args, watch, report)


def launch(
    args: tuple[str, ...],
    watch: Callable[[PipelineConfig, bool], AbstractContextManager[Any]],
    report: Callable[[RunSummary, bool], None],
) -> None:
    """Run the pipeline of ``args`` (Beam's option parser) on its final allocator: ``watch(config, show_bar)``
    is entered around the run, ``report(summary, show_bar)`` called when it finished; a failure the run
    explains becomes a ``ClickException``. Shared by ``run`` and ``backfill``."""
    # the real program already runs on its final allocator: ``pipeline.cli`` re-executed it before this import
    settings = click.get_current_context().find_object(dict) or {}
    args, log_format = pop_log_format(args)
    if log_format is not None:
        configure_logging(settings.get("log_level", "INFO"), log_format)
    log_format = log_format or settings.get("log_format", "text")
    from pipeline.launcher import run as run_pipeline  # imports Beam, which logs at import time

    allocator.log_allocator()
    show_bar = STDERR.is_terminal and log_format == "text"

    stop_on_sigterm()
    try:
        summary = run_pipeline(args, watch=lambda config: watch(config, show_bar))
    except (ConfigError, KafkaUnreachable, TopicConflict, RunStopped) as error:
        raise click.ClickException(str(error)) from error
    except KeyboardInterrupt:
        log.info("stopped")
        return
    except Exception as error:
        # a portable runner (Prism, Flink) hands a worker's RunStopped back as text inside its own error
        explained = explained_stop(str(error))
        if explained is None:
            raise
        raise click.ClickException(explained) from error
    report(summary, show_bar)
