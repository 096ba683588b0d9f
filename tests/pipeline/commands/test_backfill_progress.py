"""What the backfill's progress display counts from the topics: its own job's reports, files done when
every part of them is read, records/s, dead letters by stage and reason; and its summary table."""

from __future__ import annotations

from rich.console import Console

from pipeline.commands.backfill_progress import BackfillCounts, backfill_table
from tests.pipeline.monitor.messages import message


def report(file: str, part: tuple[int, int], records: int, *, done: bool, job: str = "news-1") -> object:
    value = {
        "schema_version": 2, "event": "archive_progress", "job": job, "file": file, "at": "2024-10-15T12:00:00Z",
        "bytes_read": part[1] - part[0], "records": records, "pages": records // 2, "skipped": records // 2,
        "dead": 0, "part_done": done, "part": list(part),
    }  # fmt: skip
    return message("news.ops", value, 0.0)


def test_counts_files_done_when_every_part_is_read_and_only_its_own_job() -> None:
    counts = BackfillCounts("news", {"a.warc.gz": 300, "b.warc.gz": 100}, "news-1")
    for each in (
        report("a.warc.gz", (0, 100), 50, done=False),
        report("a.warc.gz", (0, 100), 10, done=True),
        report("a.warc.gz", (100, 300), 40, done=True),
        report("b.warc.gz", (0, 100), 7, done=False),
        report("b.warc.gz", (0, 100), 99, done=True, job="another-run"),
    ):
        counts.add(each)  # type: ignore[arg-type]
    counts.add(message("news.deadletter", {"stage": "ReadArchives", "reason": "too_large"}, 0.0))
    assert counts.files_done == 1  # b's part is not done (the report that says so is another run's)
    assert counts.records == 107 and counts.pages == 53 and counts.bytes_read == 500
    assert counts.dead_letters == {"ReadArchives/too_large": 1}
    summary = counts.as_dict()
    assert summary["files"] == 2 and summary["records_per_second"] > 0
    console = Console(record=True, width=120)
    console.print(backfill_table(summary))
    text = console.export_text()
    assert "1/2" in text and "ReadArchives/too_large" in text
