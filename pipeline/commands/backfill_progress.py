"""What ``newsbeam backfill`` shows while it works: files, bytes and records read, records/s, and what
came out (articles, flagged, dead letters), as a progress bar on a terminal or a log line every
``LOG_EVERY`` seconds, and a summary table at the end.

Like ``run``'s progress (``pipeline.commands.run_progress``) it comes from the topics, so it is the same on
every runner: the readers' ``archive_progress`` reports on ``<prefix>.ops`` (``connectors.warc_reading``),
the dead letters, and the offsets of ``.articles`` and ``.regulation``. The totals (files, bytes) are the
files the run matched when it was set up; the number of records in them is known only once they are read.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from typing import Any

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from connectors.ops_events import OpsMessage
from pipeline.commands.console import STDERR
from pipeline.commands.run_progress import TopicProgress
from pipeline.config import PipelineConfig
from pipeline.launcher import RunSummary

log = logging.getLogger("newsbeam.progress")


class BackfillCounts:
    """What the topics say a backfill of ``sizes`` (file → bytes) has done so far."""

    def __init__(self, prefix: str, sizes: dict[str, int], job: str) -> None:
        self.prefix = prefix
        self.job = job
        self.sizes = sizes
        self.parts_done: dict[str, int] = defaultdict(int)  # file → bytes of its parts read to their end
        self.bytes_read = 0
        self.records = 0
        self.pages = 0
        self.skipped = 0
        self.dead_records = 0
        self.articles = 0
        self.flagged = 0
        self.dead_letters: Counter[str] = Counter()
        self.started = time.monotonic()

    def add(self, message: OpsMessage) -> None:
        """Count one message of the ops or dead-letter topic."""
        kind = message.topic.removeprefix(self.prefix + ".")
        value = message.value or {}
        if kind == "ops" and value.get("event") == "archive_progress" and value.get("job") == self.job:
            self.bytes_read += int(value.get("bytes_read") or 0)
            self.records += int(value.get("records") or 0)
            self.pages += int(value.get("pages") or 0)
            self.skipped += int(value.get("skipped") or 0)
            self.dead_records += int(value.get("dead") or 0)
            start, end = [*(value.get("part") or []), 0, 0][:2]
            if value.get("part_done"):
                self.parts_done[str(value.get("file"))] += int(end) - int(start)
        elif kind == "deadletter":
            self.dead_letters[f"{value.get('stage')}/{value.get('reason')}"] += 1

    @property
    def files_done(self) -> int:
        """Files whose every part was read to its end."""
        return sum(1 for file, done in self.parts_done.items() if done >= max(self.sizes.get(file, 0), 1))

    def records_per_second(self) -> float:
        """Records read per second of wall clock since the display started."""
        return self.records / max(time.monotonic() - self.started, 1e-3)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly counts."""
        return {
            "files_done": self.files_done,
            "files": len(self.sizes),
            "bytes_read": self.bytes_read,
            "records": self.records,
            "pages": self.pages,
            "skipped": self.skipped,
            "records_per_second": round(self.records_per_second(), 1),
            "articles": self.articles,
            "flagged": self.flagged,
            "dead_letters": dict(self.dead_letters),
        }


class BackfillProgress(TopicProgress):
    """A backfill's progress: files, records (and records/s), megabytes, articles, flagged, dead letters."""

    def __init__(
        self, config: PipelineConfig, sizes: dict[str, int], *, show_bar: bool, console: Console = STDERR
    ) -> None:
        super().__init__(config, show_bar=show_bar, console=console)
        self.counts = BackfillCounts(config.topics.prefix, sizes, config.job)

    def _add_tasks(self, progress: Progress) -> dict[str, Any]:
        megabytes = round(sum(self.counts.sizes.values()) / 1e6) or None
        return {
            "files": progress.add_task("files read", total=len(self.counts.sizes)),
            "megabytes": progress.add_task("megabytes read", total=megabytes),
            "records": progress.add_task("records read", total=None),
            "articles": progress.add_task("articles published", total=None),
            "flagged": progress.add_task("flagged stories", total=None),
            "dead": progress.add_task("dead letters", total=None),
        }

    def _add(self, message: OpsMessage) -> None:
        self.counts.add(message)

    def _count(self, counted: dict[str, int]) -> None:
        topics = self.config.topics
        self.counts.articles = counted.get(topics.articles, self.counts.articles)
        self.counts.flagged = counted.get(topics.regulation, self.counts.flagged)

    def _draw_tasks(self, progress: Progress) -> None:
        counts = self.counts
        progress.update(self._tasks["files"], completed=counts.files_done)
        progress.update(self._tasks["megabytes"], completed=round(counts.bytes_read / 1e6))
        progress.update(
            self._tasks["records"],
            completed=counts.records,
            description=f"records read ({counts.records_per_second():.0f}/s)",
        )
        progress.update(self._tasks["articles"], completed=counts.articles)
        progress.update(self._tasks["flagged"], completed=counts.flagged)
        progress.update(self._tasks["dead"], completed=sum(counts.dead_letters.values()))

    def _log_progress(self) -> None:
        counts = self.counts
        log.info(
            "progress: %d/%d files, %d records (%.0f/s), %d articles, %d flagged, %d dead letters",
            counts.files_done,
            len(counts.sizes),
            counts.records,
            counts.records_per_second(),
            counts.articles,
            counts.flagged,
            sum(counts.dead_letters.values()),
            extra={"fields": {"event": "progress", **counts.as_dict()}},
        )


def backfill_table(counts: dict[str, Any]) -> Table:
    """The end-of-backfill summary for a terminal."""
    table = Table(title="newsbeam backfill summary", show_header=True, expand=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files read", f"{counts['files_done']}/{counts['files']}")
    table.add_row("records read", f"{counts['records']} ({counts['records_per_second']}/s)")
    table.add_row("  HTML pages kept", str(counts["pages"]))
    table.add_row("  skipped (not a 200 HTML page, filtered)", str(counts["skipped"]))
    table.add_row("articles published", str(counts["articles"]))
    table.add_row("flagged stories", str(counts["flagged"]))
    dead = counts["dead_letters"]
    table.add_row("dead letters", str(sum(dead.values())))
    for reason, count in sorted(dead.items()):
        table.add_row(f"  {reason}", str(count))
    return table


def report_backfill_finished(
    summary: RunSummary, progress: BackfillProgress | None, *, show_bar: bool
) -> None:
    """The finished backfill in the log, and its summary (a table on a terminal)."""
    seen = progress.counts.as_dict() if progress is not None else None
    counters = ", ".join(f"{name}={value}" for name, value in sorted(summary.counters.items()))
    log.info(
        "finished on %s (%s): %s",
        summary.runner,
        summary.state,
        counters or "no metrics reported",
        extra={
            "fields": {
                "event": "run_finished",
                "job": summary.job,
                "counters": summary.counters,
                "published": seen,
            }
        },
    )
    if seen is None:
        return
    if show_bar:
        STDERR.print(backfill_table(seen))
        return
    log.info(
        "this backfill read %d/%d files, %d records (%s/s); published %d articles, %d flagged; %d dead letters",
        seen["files_done"],
        seen["files"],
        seen["records"],
        seen["records_per_second"],
        seen["articles"],
        seen["flagged"],
        sum(seen["dead_letters"].values()),
    )
