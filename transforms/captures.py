"""Which captures a backfill publishes: one per article, the latest, nothing published before; and the
wanted languages.

A web archive holds the same page many times (crawled on several days, or by several crawls):

- ``LatestCaptures``: from ``(article id, where)`` pairs of every kept record (``ArchivedAt``: file, offset,
  WARC-Date), the latest capture of each article id; ids in ``published`` (what earlier runs, live or
  backfill, published: ``connectors.published_articles``) are dropped, so a backfill neither repeats
  itself when it is run again nor publishes a page over the article a feed already gave. Only these small
  pairs are grouped, never pages or articles, so the choice holds for any size of input and the chosen
  pages stream on to extraction and Kafka;
- ``KeepLanguages``: only articles in ``languages`` (the language detected after extraction; empty: every
  language); the others are counted (``KeepLanguages.other_language``), not dead-lettered;
- ``fingerprinted``: a backfilled article's fingerprint, the hash of its title and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection

from transforms.ids import content_hash
from transforms.records import ArchivedAt, Article

__all__ = ["KeepLanguages", "LatestCaptures", "fingerprinted", "latest_capture"]

STAGE_LANGUAGES = "KeepLanguages"
STAGE_CAPTURES = "LatestCaptures"


def latest_capture(captures: Iterable[ArchivedAt]) -> ArchivedAt:
    """The capture crawled last (ties: the later file and offset, so the choice is deterministic)."""
    return max(captures, key=lambda c: (c.warc_date, c.file, c.offset))


def fingerprinted(article: Article) -> Article:
    """``article`` with the fingerprint of its title and text (restarts compare against it)."""
    fingerprint = content_hash(" ".join(article.title.split()), " ".join(article.text.split()))
    return replace(article, fingerprint=fingerprint)


class _KeepLanguagesFn(beam.DoFn):
    def __init__(self, languages: frozenset[str]) -> None:
        self._languages = languages
        self.other = Metrics.counter(STAGE_LANGUAGES, "other_language")

    def process(self, article: Article) -> Iterator[Article]:
        if not self._languages or (article.language or "") in self._languages:
            yield article
        else:
            self.other.inc()


class KeepLanguages(beam.PTransform[PCollection[Article], PCollection[Article]]):
    """Articles → those whose detected language is in ``languages`` (ISO 639-1; empty: all)."""

    def __init__(self, languages: Iterable[str] = ()) -> None:
        super().__init__()
        self._languages = frozenset(code.strip().lower() for code in languages if code.strip())

    def expand(self, articles: PCollection[Article]) -> PCollection[Article]:
        kept: PCollection[Article] = articles | "Keep" >> beam.ParDo(_KeepLanguagesFn(self._languages))
        return kept


class _NotPublishedFn(beam.DoFn):
    def __init__(self, published: frozenset[str]) -> None:
        self._published = published
        self.repeats = Metrics.counter(STAGE_CAPTURES, "already_published")
        self.chosen = Metrics.counter(STAGE_CAPTURES, "chosen")

    def process(self, keyed: tuple[str, ArchivedAt]) -> Iterator[ArchivedAt]:
        article_id, latest = keyed
        if article_id in self._published:
            self.repeats.inc()
            return
        self.chosen.inc()
        yield latest


class LatestCaptures(beam.PTransform[PCollection[tuple[str, ArchivedAt]], PCollection[ArchivedAt]]):
    """``(article id, capture)`` pairs → the latest capture of each id, unless the id is in ``published``."""

    def __init__(self, published: Mapping[str, object] | None = None) -> None:
        super().__init__()
        self._published = frozenset(published or ())

    def expand(self, captures: PCollection[tuple[str, ArchivedAt]]) -> PCollection[ArchivedAt]:
        latest: PCollection[ArchivedAt] = (
            captures
            | "Latest" >> beam.CombinePerKey(latest_capture)
            | "NotPublished" >> beam.ParDo(_NotPublishedFn(self._published))
        )
        return latest
