"""The evaluation gate as tests: the same functions ``make eval`` prints, and the model's reproducibility."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

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
# flagger has reached from getting worse: the shipped model's F1 on the split (0.544; the evaluation is
# deterministic) rounded down, and the lexicon alone beaten by the learned decision.
TEST_SPLIT_F1_FLOOR = 0.54


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


# Training is deterministic, but the floating-point kernels under scikit-learn differ between CPUs (an AMD and
# an Intel host round the same fit apart in the fifth decimal of ~100 of 32,742 weights): on another machine
# the retrained model is the shipped one within these tolerances, on the machine that trained it byte for byte.
WEIGHT_TOLERANCE = 1e-4


@needs_corpus
@pytest.mark.slow
def test_make_train_flagger_reproduces_the_shipped_model(tmp_path: Path) -> None:
    pytest.importorskip("sklearn", reason="scikit-learn is a dev dependency (make install puts it in .venv)")
    from train_flagger import main

    from transforms.regulation.model import LinearModel

    output = tmp_path / "model.json.gz"
    assert main(["--output", str(output), "--quiet"]) == 0
    if output.read_bytes() == MODEL_PATH.read_bytes():
        return
    retrained, shipped = (LinearModel.from_json(_read_gzip_json(path)) for path in (output, MODEL_PATH))
    hint = "retrain with `make train-flagger` and commit the model"
    assert retrained.weights.keys() == shipped.weights.keys(), hint
    assert abs(retrained.bias - shipped.bias) <= WEIGHT_TOLERANCE, hint
    far = {
        name: (weight, shipped.weights[name])
        for name, weight in retrained.weights.items()
        if abs(weight - shipped.weights[name]) > WEIGHT_TOLERANCE
    }
    assert not far, (hint, sorted(far.items())[:10])
    assert _close(retrained.trained, shipped.trained), (hint, retrained.trained, shipped.trained)


@needs_corpus
@pytest.mark.slow
def test_the_learning_curve_ends_at_the_shipped_models_dev_figure() -> None:
    pytest.importorskip("sklearn", reason="scikit-learn is a dev dependency (make install puts it in .venv)")
    from train_flagger import CURVE_FRACTIONS, learning_curve

    from transforms.regulation.model import load_model

    rows = learning_curve(rotations=1)
    assert [row["share"] for row in rows] == list(CURVE_FRACTIONS)
    assert [row["items"] for row in rows] == sorted(row["items"] for row in rows)
    assert rows[0]["items"] < rows[-1]["items"]
    # all of train, the shipped settings: the fit that chose them, scored on dev as the model file records it
    recorded = load_model(MODEL_PATH).trained["dev"]["average_precision"]
    assert abs(rows[-1]["average_precision"] - recorded) <= 1e-3, (rows[-1], recorded)
    assert 0.0 < rows[-1]["best_f1"] <= 1.0


def _read_gzip_json(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def _close(left: Any, right: Any) -> bool:
    """Equal, numbers within ``WEIGHT_TOLERANCE`` (what the model records of its training: data, choices, scores)."""
    if isinstance(left, float) or isinstance(right, float):
        return (
            isinstance(left, int | float)
            and isinstance(right, int | float)
            and abs(left - right) <= WEIGHT_TOLERANCE
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_close(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_close(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)
