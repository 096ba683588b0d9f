"""DropDuplicates: one publication per article, a new version only when its feed changes it.

Input: ``FeedEntry`` records from every poll of every feed, and optionally ``published``: what earlier
runs already published, ``{article_id: (feed, fingerprint, version)}``, read by the launcher from the
compacted ``articles`` topic (``connectors.published_articles``). Output: the entries to process, each
with its ``version`` and ``fingerprint``.

The state is Beam per-key state keyed by article id, so it lives with the runner (any worker,
checkpointed by runners that checkpoint) rather than in one process's memory; when a key's state is
empty (a fresh start), the published record stands in for it, so a restart does not publish again:

- an article id never seen nor published passes with version 1;
- the same entry seen again (another poll, another feed carrying the same URL, or a run after a
  restart) is dropped;
- when the feed that first carried it changes its title or content, it passes again with version + 1.

An entry that raises on the way becomes a dead letter (``unexpected_error``) and the others go on.

The published map only holds what the broker acknowledged (it is read back from the topic), so an
article counts as seen across restarts only after its message was acknowledged.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection, TaggedOutput
from apache_beam.transforms.userstate import ReadModifyWriteRuntimeState, ReadModifyWriteStateSpec

from transforms.dead_letters import DEAD_LETTER
from transforms.failures import ElementFailures
from transforms.ids import content_hash
from transforms.records import DeadLetter, FeedEntry

STAGE = "DropDuplicates"

# article id → (owning feed, fingerprint of the last published version, version number)
Published = Mapping[str, tuple[str, str, int]]


def entry_fingerprint(entry: FeedEntry) -> str:
    """What must change for an entry to count as updated: its title and its text."""
    return content_hash(" ".join(entry.title.split()), " ".join((entry.content or entry.summary).split()))


def next_version(
    entry: FeedEntry, previous: tuple[str, str, int] | None
) -> tuple[FeedEntry | None, tuple[str, str, int]]:
    """Decide on ``entry`` given what was last published for its id: (entry to emit or None, new state)."""
    fingerprint = entry_fingerprint(entry)
    if previous is None:
        return replace(entry, version=1, fingerprint=fingerprint), (entry.feed, fingerprint, 1)
    owner, seen_fingerprint, version = previous
    if not seen_fingerprint:
        # published before fingerprints were on the wire: nothing to compare with, so adopt this one
        return None, (owner, fingerprint if entry.feed == owner else seen_fingerprint, version)
    if entry.feed != owner or fingerprint == seen_fingerprint:
        return None, previous
    return replace(entry, version=version + 1, fingerprint=fingerprint), (owner, fingerprint, version + 1)


class _DropDuplicatesFn(beam.DoFn):
    LAST = ReadModifyWriteStateSpec("last_version", PickleCoder())

    def __init__(self) -> None:
        self._failures = ElementFailures(STAGE)
        self.new = Metrics.counter(STAGE, "new_articles")
        self.updated = Metrics.counter(STAGE, "updated_articles")
        self.duplicates = Metrics.counter(STAGE, "duplicates")
        self.rehydrated = Metrics.counter(STAGE, "known_from_earlier_runs")

    def process(
        self,
        keyed: tuple[str, FeedEntry],
        published: Published,
        last: ReadModifyWriteRuntimeState = beam.DoFn.StateParam(LAST),  # type: ignore[assignment]  # Beam passes the runtime state
    ) -> Iterator[FeedEntry | TaggedOutput[str, DeadLetter]]:
        article_id, entry = keyed
        yield from self._failures.outputs(
            lambda: self._decide(article_id, entry, published, last),
            feed=entry.feed,
            url=entry.url,
            key=article_id,
            input=entry,
        )

    def _decide(
        self, article_id: str, entry: FeedEntry, published: Published, last: Any
    ) -> Iterator[FeedEntry]:
        previous: tuple[str, str, int] | None = last.read()
        if previous is None and article_id in published:
            previous = tuple(published[article_id])  # type: ignore[assignment]
            self.rehydrated.inc()
        emitted, state = next_version(entry, previous)
        last.write(state)  # a published record becomes the key's state from now on
        if emitted is None:
            self.duplicates.inc()
            return
        (self.new if state[2] == 1 else self.updated).inc()
        yield emitted


class DropDuplicates(
    beam.PTransform[PCollection[FeedEntry], tuple[PCollection[FeedEntry], PCollection[DeadLetter]]]
):
    """Feed entries → ``(entries that are new articles or new versions of one, dead_letters)``.

    ``published`` is what earlier runs published (``{article_id: (feed, fingerprint, version)}``); it
    reaches the workers as a side input, so any worker can consult it.
    """

    def __init__(self, published: Published | None = None) -> None:
        super().__init__()
        self._published = dict(published or {})

    def expand(
        self, entries: PCollection[FeedEntry]
    ) -> tuple[PCollection[FeedEntry], PCollection[DeadLetter]]:
        published = entries.pipeline | "PublishedEarlier" >> beam.Create(sorted(self._published.items()))
        outputs = (
            entries
            # a str key: the state of an article id is keyed by a deterministic coder
            | "KeyByArticleId"
            >> beam.Map(lambda entry: (entry.article_id, entry)).with_output_types(
                beam.typehints.KV[str, Any]
            )
            | "KeepFirstVersions"
            >> beam.ParDo(_DropDuplicatesFn(), beam.pvalue.AsDict(published)).with_outputs(
                DEAD_LETTER, main="entries"
            )
        )
        return outputs.entries, outputs[DEAD_LETTER]
