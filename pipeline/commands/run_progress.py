"""What ``newsbeam run`` shows while it works: a progress bar or progress log lines, and a summary.

The progress comes from the topics, not from the runner: a ``TopicTail`` follows ``<prefix>.ops`` and
``.deadletter`` from the moment the run starts, and counts ``.articles`` and ``.regulation`` from their
offsets without reading them, so feeds polled, articles published, flagged stories and dead letters are
the same on every runner. On a terminal a rich progress bar shows them live; otherwise a plain log line
every ``LOG_EVERY`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from connectors.ops_events import OpsMessage, TopicTail
from pipeline.commands.console import STDERR
from pipeline.config import PipelineConfig
from pipeline.launcher import RunSummary

log = logging.getLogger("newsbeam.progress")

LOG_EVERY = 15.0


class RunCounts:
    """What the topics say a run has done so far (``articles`` and ``flagged`` are set from offsets)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.feeds_polled: set[str] = set()
        self.feeds_failed: set[str] = set()
        self.articles = 0
        self.flagged = 0
        self.dead_letters: Counter[str] = Counter()
        self.heartbeats = 0

    def add(self, message: OpsMessage) -> None:
        """Count one message."""
        kind = message.topic.removeprefix(self.prefix + ".")
        value = message.value or {}
        if kind == "ops" and value.get("event") == "feed_poll":
            feed = str(value.get("feed"))
            self.feeds_polled.add(feed)
            if int(value.get("consecutive_failures") or 0) > 0:
                self.feeds_failed.add(feed)
            else:
                self.feeds_failed.discard(feed)
        elif kind == "ops" and value.get("event") == "heartbeat":
            self.heartbeats += 1
        elif kind == "deadletter":
            self.dead_letters[f"{value.get('stage')}/{value.get('reason')}"] += 1

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly counts."""
        return {
            "feeds_polled": len(self.feeds_polled),
            "feeds_failed": sorted(self.feeds_failed),
            "articles": self.articles,
            "flagged": self.flagged,
            "dead_letters": dict(self.dead_letters),
        }


class TopicProgress:
    """A context around a run that follows its topics (``<prefix>.ops`` and ``.deadletter`` read, ``.articles``
    and ``.regulation`` counted from their offsets) on a thread, and draws rich progress bars when
    ``show_bar`` (else logs a line every ``LOG_EVERY`` seconds). Subclasses say what the bars are
    (``_add_tasks``), what a message counts for (``_add``), and how the bars and the log line read."""

    def __init__(self, config: PipelineConfig, *, show_bar: bool, console: Console = STDERR) -> None:
        self.config = config
        self._show_bar = show_bar
        self._console = console
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._tail: TopicTail | None = None
        self._progress: Progress | None = None
        self._tasks: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.error: str | None = None

    def _add_tasks(self, progress: Progress) -> dict[str, Any]:
        raise NotImplementedError

    def _add(self, message: OpsMessage) -> None:
        raise NotImplementedError

    def _count(self, counted: dict[str, int]) -> None:
        """Articles and flagged stories, from their topics' offsets (never read back)."""
        raise NotImplementedError

    def _draw_tasks(self, progress: Progress) -> None:
        raise NotImplementedError

    def _log_progress(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> TopicProgress:
        topics = self.config.topics
        self._tail = TopicTail(
            self.config.kafka,
            [topics.ops, topics.deadletter],
            since=time.time(),
            counted=[topics.articles, topics.regulation],
        )
        if self._show_bar:
            self._progress = Progress(
                TextColumn("[bold]{task.description:<28}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self._console,
                transient=False,
            )
            self._tasks = self._add_tasks(self._progress)
            self._progress.start()
        self._thread = threading.Thread(target=self._follow, name="run-progress", daemon=True)
        self._thread.start()
        return self

    def _follow(self) -> None:
        assert self._tail is not None
        # opened here, beside the run's start: the tail counts from ``since``, whenever it connects
        try:
            self._tail.open()
        except Exception as error:  # progress is a nicety: never stop a run for it
            self.error = f"{type(error).__name__}: {error}"
            log.warning("no progress display: cannot follow the topics (%s)", self.error)
            self._tail.close()
            self._tail = None
            return
        last_log = time.monotonic()
        while not self._stop.is_set():
            try:
                # short: the run waits for this thread to see the stop before it reports
                messages = self._tail.poll(0.1)
                counted = self._tail.counted_messages()
            except Exception as error:
                self.error = f"{type(error).__name__}: {error}"
                log.warning("progress display stopped: %s", self.error)
                return
            with self._lock:
                for message in messages:
                    self._add(message)
                self._count(counted)
            self._draw()
            if not self._show_bar and time.monotonic() - last_log >= LOG_EVERY:
                last_log = time.monotonic()
                self._log_progress()

    def _draw(self) -> None:
        if self._progress is not None:
            self._draw_tasks(self._progress)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        # a thread still connecting owns its consumer: no final count then
        if self._tail is not None and not (self._thread is not None and self._thread.is_alive()):
            try:
                # the last bundle's messages were acknowledged before the run returned: read up to them
                # (a run that failed may have lost its broker: its counts so far are what there is)
                if kind is None:
                    with self._lock:
                        for message in self._tail.read_to_end(timeout=10.0):
                            self._add(message)
                        self._count(self._tail.counted_messages())
            except Exception as failure:
                log.debug("could not read the last messages: %s", failure)
            finally:
                self._tail.close()
        self._draw()
        if self._progress is not None:
            for task in self._tasks.values():
                self._progress.update(task, total=self._progress.tasks[task].completed or 1)
            self._progress.stop()


class RunProgress(TopicProgress):
    """A ``--once`` run's progress: feeds polled, articles, flagged stories, dead letters."""

    def __init__(self, config: PipelineConfig, *, show_bar: bool, console: Console = STDERR) -> None:
        super().__init__(config, show_bar=show_bar, console=console)
        self.counts = RunCounts(config.topics.prefix)

    def _add_tasks(self, progress: Progress) -> dict[str, Any]:
        return {
            "feeds": progress.add_task("feeds polled", total=len(self.config.feeds)),
            "articles": progress.add_task("articles published", total=None),
            "flagged": progress.add_task("flagged stories", total=None),
            "dead": progress.add_task("dead letters", total=None),
        }

    def _add(self, message: OpsMessage) -> None:
        self.counts.add(message)

    def _log_progress(self) -> None:
        log.info(
            "progress: %d/%d feeds polled, %d articles, %d flagged, %d dead letters",
            len(self.counts.feeds_polled),
            len(self.config.feeds),
            self.counts.articles,
            self.counts.flagged,
            sum(self.counts.dead_letters.values()),
            extra={"fields": {"event": "progress", **self.counts.as_dict()}},
        )

    def _count(self, counted: dict[str, int]) -> None:
        topics = self.config.topics
        self.counts.articles = counted.get(topics.articles, self.counts.articles)
        self.counts.flagged = counted.get(topics.regulation, self.counts.flagged)

    def _draw_tasks(self, progress: Progress) -> None:
        counts = self.counts
        progress.update(self._tasks["feeds"], completed=len(counts.feeds_polled))
        progress.update(self._tasks["articles"], completed=counts.articles)
        progress.update(self._tasks["flagged"], completed=counts.flagged)
        progress.update(self._tasks["dead"], completed=sum(counts.dead_letters.values()))


def summary_table(counts: dict[str, Any], runner_counters: dict[str, int], feeds: int) -> Table:
    """The end-of-run summary for a terminal."""
    table = Table(title="newsbeam run summary", show_header=True, expand=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    failed = counts["feeds_failed"]
    table.add_row("feeds polled", f"{counts['feeds_polled']}/{feeds}")
    table.add_row("feeds failing", f"[red]{len(failed)}[/] ({', '.join(failed)})" if failed else "0")
    table.add_row("articles published", str(counts["articles"]))
    table.add_row("flagged stories", str(counts["flagged"]))
    dead = counts["dead_letters"]
    table.add_row("dead letters", str(sum(dead.values())))
    for reason, count in sorted(dead.items()):
        table.add_row(f"  {reason}", str(count))
    for name in ("DropDuplicates.duplicates", "ExtractArticles.fallback_to_feed", "PublishToKafka.published"):
        if name in runner_counters:
            table.add_row(f"runner: {name}", str(runner_counters[name]))
    return table


def report_finished(summary: RunSummary, progress: RunProgress | None, *, show_bar: bool) -> None:
    """The finished run in the log; for ``--once``, what it published (a table on a terminal)."""
    counters = ", ".join(f"{name}={value}" for name, value in sorted(summary.counters.items()))
    seen = progress.counts.as_dict() if progress is not None else None
    log.info(
        "finished on %s (%s): %s",
        summary.runner,
        summary.state,
        counters or "no metrics reported",
        extra={
            "fields": {
                "event": "run_finished",
                "job": summary.job,
                "runner": summary.runner,
                "state": summary.state,
                "counters": summary.counters,
                "distributions": summary.distributions,
                "published": seen,
            }
        },
    )
    if seen is None or progress is None or not progress.config.once:
        return
    feeds = len(progress.config.feeds)
    if show_bar:
        STDERR.print(summary_table(seen, summary.counters, feeds))
        return
    log.info(
        "this run published %d articles, %d flagged, %d dead letters; %d/%d feeds polled, failing: %s",
        seen["articles"],
        seen["flagged"],
        sum(seen["dead_letters"].values()),
        seen["feeds_polled"],
        feeds,
        ", ".join(seen["feeds_failed"]) or "none",
    )
