"""The evaluation gate as a test: the same ``evaluate`` function that ``make eval`` prints."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_regulation import MIN_OVERALL_F1, evaluate, load_items

LANGUAGES = {"en", "pt", "es", "fr", "de", "it", "ru", "tr", "ja", "zh", "ko", "ar"}


def test_evaluation_set_is_large_and_balanced() -> None:
    items = load_items()
    assert len(items) >= 420
    for language in LANGUAGES:
        mine = [item for item in items if item["language"] == language]
        assert len(mine) >= 30, language
        assert 0.4 <= sum(item["flagged"] for item in mine) / len(mine) <= 0.6, language
    assert len({item["id"] for item in items}) == len(items)


def test_gate() -> None:
    report = evaluate(load_items())
    assert set(report.by_language) >= LANGUAGES
    assert report.overall.f1 >= MIN_OVERALL_F1
    assert not report.gate_failures(), report.gate_failures()
