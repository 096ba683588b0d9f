"""FlagRegulation: article → article with its detected language and its ``regulation`` verdict.

The DoFn only calls the pure functions ``detect_language`` and ``flag_regulation``; an article the
flagger chokes on becomes a dead letter (reason ``flagging_error``) instead of stopping the run.

By default every language's lexicon automaton and the language-identification model are loaded in
``setup()``, so no article waits for them; that is most of a worker's start-up, and it comes before the
stage's first element. ``warm_up_models=False`` leaves each to its first use instead: a bounded run builds only
the languages it meets, and a run with nothing new builds none.
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
    def __init__(self, warm_up_models: bool = True) -> None:
        self._warm_up_models = warm_up_models
        self.flagged = Metrics.counter(STAGE, "flagged")
        self.checked = Metrics.counter(STAGE, "checked")

    def setup(self) -> None:
        if self._warm_up_models:
            # every language's lexicon automaton and the language model once per worker, not on first use
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
    """Articles → flagged articles; returns ``(articles, dead_letters)``.

    ``warm_up_models``: build every language's lexicon automaton and load the language model in the workers'
    ``setup()`` (the default, for streaming: no article waits), or each on first use (bounded runs: less
    start-up).
    """

    def __init__(self, *, warm_up_models: bool = True) -> None:
        super().__init__()
        self._warm_up_models = warm_up_models

    def expand(self, articles: PCollection[Article]) -> tuple[PCollection[Article], PCollection[DeadLetter]]:
        outputs = articles | "Flag" >> beam.ParDo(_FlagRegulationFn(self._warm_up_models)).with_outputs(
            DEAD_LETTER, main="articles"
        )
        return outputs.articles, outputs[DEAD_LETTER]
