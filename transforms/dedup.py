"""DropDuplicates: one publication per article, a new version only when its feed changes it.

Input: ``FeedEntry`` records from every poll of every feed. Output: the entries to process, each with its
``version``. The state is Beam per-key state keyed by article id, so it lives with the runner (any
worker, checkpointed by runners that checkpoint) rather than in one process's memory:

- an article id seen for the first time passes with version 1;
- the same entry seen again (another poll, or another feed carrying the same URL) is dropped;
- when the feed that first carried it changes its title or content, it passes again with version + 1.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import replace

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics import Metrics
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec

from transforms.records import FeedEntry

STAGE = "DropDuplicates"


def entry_fingerprint(entry: FeedEntry) -> str:
    """What must change for an entry to count as updated: its title and its text."""
    material = "\x1f".join((entry.title, entry.content or entry.summary))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


class _DropDuplicatesFn(beam.DoFn):
    # (owning feed, fingerprint of the last published version, version number)
    LAST = ReadModifyWriteStateSpec("last_version", PickleCoder())

    def __init__(self) -> None:
        self.new = Metrics.counter(STAGE, "new_articles")
        self.updated = Metrics.counter(STAGE, "updated_articles")
        self.duplicates = Metrics.counter(STAGE, "duplicates")

    def process(self, keyed: tuple[str, FeedEntry], last=beam.DoFn.StateParam(LAST)) -> Iterator[FeedEntry]:
        _, entry = keyed
        fingerprint = entry_fingerprint(entry)
        previous: tuple[str, str, int] | None = last.read()
        if previous is None:
            last.write((entry.feed, fingerprint, 1))
            self.new.inc()
            yield replace(entry, version=1)
            return
        owner, seen_fingerprint, version = previous
        if entry.feed != owner or fingerprint == seen_fingerprint:
            self.duplicates.inc()
            return
        last.write((owner, fingerprint, version + 1))
        self.updated.inc()
        yield replace(entry, version=version + 1)


class DropDuplicates(beam.PTransform):
    """Feed entries → the entries that are new articles or new versions of one."""

    def expand(self, entries: beam.PCollection[FeedEntry]) -> beam.PCollection[FeedEntry]:
        return (
            entries
            | "KeyByArticleId" >> beam.Map(lambda entry: (entry.article_id, entry))
            | "KeepFirstVersions" >> beam.ParDo(_DropDuplicatesFn())
        )
