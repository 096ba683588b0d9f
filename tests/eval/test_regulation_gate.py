"""The evaluation gate as tests: the same functions ``make eval`` prints, and the model's reproducibility."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_regulation import (
    MIN_LANGUAGE_POSITIVES,
    MIN_OVERALL_F1,
    WRITTEN_MIN_LANGUAGE_F1,
    WRITTEN_MIN_OVERALL_F1,
    evaluate,
    written_items,
)
from regulation_set import load_items

from tests.shared_corpus import absent_reason, corpus_available
from transforms.regulation.model import MODEL_PATH

needs_corpus = pytest.mark.skipif(
    not corpus_available(), reason=f"the labelled set's full texts are read from it: {absent_reason()}"
)


# The quality gate (overall F1 >= MIN_OVERALL_F1, every language with enough positives >= 0.85) is what
# `make eval` prints and fails on; the flagger does not meet it yet (docs/flagger.md). This test keeps what the
# flagger has reached from getting worse: the shipped model's F1 on the split (0.517; the evaluation is
# deterministic) rounded down, and the lexicon alone beaten by the learned decision.
TEST_SPLIT_F1_FLOOR = 0.51


@needs_corpus
def test_the_real_test_split_does_not_regress() -> None:
    report = evaluate(load_items(("test",)))
    assert report.counts().positives >= 200
    gated = [
        language
        for language, counts in report.groups(lambda v: v.item.language).items()
        if counts.positives >= MIN_LANGUAGE_POSITIVES
    ]
    assert len(gated) >= 5, gated
    assert report.counts().f1 >= TEST_SPLIT_F1_FLOOR, report.counts()
    assert report.counts().f1 > report.counts(lexicon=True).f1 + 0.1
    assert MIN_OVERALL_F1 == 0.90  # the gate itself is not lowered to pass


def test_the_team_written_items_stay_a_passing_regression_suite() -> None:
    report = evaluate(written_items())
    assert len(report.verdicts) >= 420
    failures = report.gate_failures(WRITTEN_MIN_OVERALL_F1, WRITTEN_MIN_LANGUAGE_F1)
    assert not failures, failures


@needs_corpus
@pytest.mark.slow
def test_make_train_flagger_reproduces_the_shipped_model(tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn is a dev dependency (make install puts it in .venv)")
    from train_flagger import main

    output = tmp_path / "model.json.gz"
    assert main(["--output", str(output), "--quiet"]) == 0
    assert output.read_bytes() == MODEL_PATH.read_bytes(), (
        "retrain with `make train-flagger` and commit the model"
    )
