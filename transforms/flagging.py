"""FlagRegulation: article → article with its detected language and its ``regulation`` verdict.

The DoFn only calls the pure functions ``detect_language`` and ``flag_regulation``; an article the
flagger chokes on becomes a dead letter (reason ``flagging_error``) instead of stopping the run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import apache_beam as beam
from apache_beam.metrics.metric import Metrics
from apache_beam.pvalue import PCollection, TaggedOutput

from transforms.dead_letters import DEAD_LETTER, dead_letter
from transforms.language import detect_language
from transforms.records import Article, DeadLetter
from transforms.regulation import flag_regulation, warm_up
from transforms.regulation.places import LANGUAGES

log = logging.getLogger(__name__)

STAGE = "FlagRegulation"


def flag_article(article: Article) -> Article:
    """Detect the language (the page's declared one is only a hint) and flag regulation."""
    language = detect_language(f"{article.title}\n{article.text}", hint=article.language)
    regulation = flag_regulation(article.title, article.text, language)
    return replace(article, language=language, regulation=regulation)


class _FlagRegulationFn(beam.DoFn):
    def __init__(self) -> None:
        self.flagged = Metrics.counter(STAGE, "flagged")
        self.checked = Metrics.counter(STAGE, "checked")

    def setup(self) -> None:
        # build every language's lexicon automaton once per worker, not on each language's first article;
        # and load the language model, not on the first article
        warm_up((None, *LANGUAGES))
        detect_language("A sentence to load the language model with.")

    def process(self, article: Article) -> Iterator[Article | TaggedOutput[str, DeadLetter]]:
        try:
            flagged = flag_article(article)
        except Exception as error:  # a flagger bug on one text must not stop the others
            log.exception("flagging failed for %s", article.url)
            yield TaggedOutput(
                DEAD_LETTER,
                dead_letter(
                    STAGE,
                    "flagging_error",
                    error,
                    feed=article.feed,
                    url=article.url,
                    key=article.article_id,
                    input={"title": article.title, "url": article.url},
                ),
            )
            return
        self.checked.inc()
        if flagged.regulation is not None and flagged.regulation.flagged:
            self.flagged.inc()
        yield flagged


class FlagRegulation(
    beam.PTransform[PCollection[Article], tuple[PCollection[Article], PCollection[DeadLetter]]]
):
    """Articles → flagged articles; returns ``(articles, dead_letters)``."""

    def expand(self, articles: PCollection[Article]) -> tuple[PCollection[Article], PCollection[DeadLetter]]:
        outputs = articles | "Flag" >> beam.ParDo(_FlagRegulationFn()).with_outputs(
            DEAD_LETTER, main="articles"
        )
        return outputs.articles, outputs[DEAD_LETTER]
