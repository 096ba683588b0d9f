"""What a backfill publishes of its flagged articles: the wanted languages, one capture per article, nothing
published before.

A web archive holds the same page many times (crawled on several days, or by several crawls), and the
language of a page is known only once it is extracted. So after ``FlagRegulation``:

- ``KeepLanguages``: only articles in ``languages`` (the detected language; empty: every language);
  the others are counted (``KeepLanguages.other_language``), not dead-lettered: they were not wanted;
- ``LatestCaptures``: one article per article id, the latest capture (``seen_at``, the WARC-Date) of the
  page, with its fingerprint (title and text); ids in ``published`` (what earlier runs, live or backfill,
  published: ``connectors.published_articles``) are dropped, so a backfill neither repeats itself when it
  is run again nor publishes a page over the article a feed already gave.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection

from transforms.ids import content_hash
from transforms.records import Article

__all__ = ["KeepLanguages", "LatestCaptures", "latest_capture"]

STAGE_LANGUAGES = "KeepLanguages"
STAGE_CAPTURES = "LatestCaptures"


def latest_capture(captures: Iterable[Article]) -> Article:
    """The capture seen last (ties: the longest text, then the URL, so the choice is deterministic),
    with the fingerprint of its title and text."""
    latest = max(captures, key=lambda a: (a.seen_at, len(a.text), a.url))
    fingerprint = content_hash(" ".join(latest.title.split()), " ".join(latest.text.split()))
    return replace(latest, fingerprint=fingerprint)


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
        self.published = Metrics.counter(STAGE_CAPTURES, "captures")

    def process(self, keyed: tuple[str, Iterable[Article]]) -> Iterator[Article]:
        article_id, captures = keyed
        if article_id in self._published:
            self.repeats.inc()
            return
        self.published.inc()
        yield latest_capture(captures)


class LatestCaptures(beam.PTransform[PCollection[Article], PCollection[Article]]):
    """Articles → one per article id, its latest capture, unless the id is in ``published``."""

    def __init__(self, published: Mapping[str, object] | None = None) -> None:
        super().__init__()
        self._published = frozenset(published or ())

    def expand(self, articles: PCollection[Article]) -> PCollection[Article]:
        latest: PCollection[Article] = (
            articles
            | "ById" >> beam.Map(lambda article: (article.article_id, article))
            | "Captures" >> beam.GroupByKey()
            | "Latest" >> beam.ParDo(_NotPublishedFn(self._published))
        )
        return latest
