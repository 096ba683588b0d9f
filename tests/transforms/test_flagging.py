"""FlagRegulation: the lexicon automata are built ahead in setup(), or left to each language's first article."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

import transforms.language as language_identification
import transforms.regulation.matcher as matcher
from transforms.flagging import FlagRegulation, _FlagRegulationFn
from transforms.records import Article


def _built_languages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str | None, bool]]:
    """Record every automaton asked for (built or taken from the cache)."""
    asked: list[tuple[str | None, bool]] = []
    real = matcher._built

    def built(language: str | None, scope: bool) -> Any:
        asked.append((language, scope))
        return real(language, scope)

    monkeypatch.setattr(matcher, "_built", built)
    return asked


@pytest.mark.parametrize("ahead", [True, False], ids=["ahead", "on first use"])
def test_setup_builds_every_language_only_when_asked_to(monkeypatch: pytest.MonkeyPatch, ahead: bool) -> None:
    asked = _built_languages(monkeypatch)
    language_identification._get_detector.cache_clear()
    _FlagRegulationFn(warm_up_models=ahead).setup()
    if ahead:
        assert {language for language, _scope in asked} >= {None, "en", "de", "ru", "zh"}
        assert language_identification._get_detector.cache_info().currsize == 1
    else:
        assert asked == []
        assert language_identification._get_detector.cache_info().currsize == 0


def test_automata_left_to_first_use_flag_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    article = Article(
        article_id="a" * 16,
        url="https://news.example/sec",
        feed="f",
        title="SEC sues crypto exchange over unregistered securities",
        text="The Securities and Exchange Commission sued the exchange, saying it offered unregistered "
        "securities and operated as an unlicensed broker, in breach of federal securities law.",
        text_source="page",
        authors=(),
        published=None,
        language="en",
        seen_at="",
    )
    asked = _built_languages(monkeypatch)
    with TestPipeline(runner="FnApiRunner") as p:
        articles, _dead = p | beam.Create([article]) | FlagRegulation(warm_up_models=False)
        assert_that(
            articles | beam.Map(lambda a: (a.language, a.regulation is not None and a.regulation.flagged)),
            equal_to([("en", True)]),
        )
    assert asked and {language for language, _scope in asked} <= {None, "en"}  # only the article's own
