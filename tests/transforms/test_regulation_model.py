"""The learned decision: the features it sees, the model file and its arithmetic."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from transforms.regulation.features import LexiconReading, article_features, text_kind
from transforms.regulation.flagger import article_features as flagger_features
from transforms.regulation.model import MODEL_PATH, LinearModel, load_model


def _features(title: str, text: str = "", language: str | None = "en") -> dict[str, float]:
    return article_features(title.lower(), text.lower(), language, LexiconReading())


def test_title_and_lead_words_have_namespaces_of_their_own() -> None:
    features = _features("SEC sues exchange", "The regulator filed a complaint.")
    assert {"T:sec", "T:sues", "T:exchange", "T:sec_sues"} <= features.keys()
    assert {"L:regulator", "L:complaint"} <= features.keys()
    assert "L:sec" not in features and "T:regulator" not in features


def test_long_title_words_also_give_their_stem() -> None:
    assert "T:~regul" in _features("Regulamentação aprovada")
    assert "T:~регул" in _features("Регулирование криптовалют")
    assert not any(
        "~" in name for name in _features("x", "regulierung und регулирование") if name.startswith("L:")
    )


def test_scripts_without_spaces_give_character_pairs_and_digits_collapse() -> None:
    features = _features("金融庁が規制", "2024年に施行", language="ja")
    assert {"T:金融", "T:融庁", "T:規制", "L:施行", "L:0"} <= features.keys()
    assert "L:2024" not in features


def test_the_lead_is_bounded() -> None:
    long_text = "alpha " * 50 + "omega " * 500
    features = _features("title", long_text)
    assert "L:alpha" in features and "L:omega" in features
    assert "L:zeta" not in _features("title", long_text + " zeta")


def test_lexicon_readings_become_features() -> None:
    reading = LexiconReading(
        title_concepts=frozenset({"bill"}),
        body_concepts=frozenset({"penalty"}),
        title_authority=True,
        body_signal_sentences=3,
        title_negatives=frozenset({"price"}),
        margin=9.0,
    )
    features = article_features("t", "x", "pt", reading)
    assert features["x:T:bill"] == features["x:B:penalty"] == features["x:T:authority"] == 1.0
    assert features["x:T:neg:price"] == 1.0
    assert features["x:B:signal_sentences"] == pytest.approx(math.log1p(3))
    assert features["x:margin"] == 4.0  # clipped
    assert features["lang:pt"] == 1.0


@pytest.mark.parametrize(
    ("text", "kind"), [("", "headline"), ("  ", "headline"), ("A summary.", "summary"), ("w " * 900, "full")]
)
def test_text_kind(text: str, kind: str) -> None:
    assert text_kind(text) == kind


def test_flagger_features_read_the_lexicon() -> None:
    features = flagger_features("SEC fines exchange", "The regulator imposed a penalty.", "en")
    assert "x:T:regulator" in features
    assert any(
        name.startswith("x:T:") and ":neg:" not in name for name in features if name != "x:T:regulator"
    )


def test_probability_is_the_logistic_of_the_weighted_sum() -> None:
    model = LinearModel(bias=-1.0, weights={"a": 2.0, "n": 0.5}, trained={})
    assert model.logit({"a", "unknown"}, {"n": 2.0}) == pytest.approx(2.0)
    assert model.probability({"a"}, {"n": 2.0}) == pytest.approx(1 / (1 + math.exp(-2.0)))
    assert model.probability(set(), {}) < 0.5 < model.probability({"a"}, {})
    assert LinearModel(bias=-1000.0, weights={}, trained={}).probability(set(), {}) == 0.0


def test_saving_is_deterministic_and_round_trips(tmp_path: Path) -> None:
    model = LinearModel(bias=0.25, weights={"b": -1.5, "a": 2.0}, trained={"seed": 1})
    first, second = tmp_path / "one.json.gz", tmp_path / "two.json.gz"
    model.save(first)
    model.save(second)
    assert first.read_bytes() == second.read_bytes()
    assert load_model(first) == model


def test_a_model_of_another_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump({"format": 99, "bias": 0, "weights": {}}, handle)
    with pytest.raises(ValueError, match="format 99"):
        load_model(path)


def test_the_shipped_model_is_small_trained_and_calibrated() -> None:
    model = load_model(MODEL_PATH)
    assert MODEL_PATH.stat().st_size < 3_000_000
    trained = model.trained
    assert trained["train_items"] >= 1000 and len(trained["train_languages"]) >= 6
    assert len(trained["platt"]) == 2 and 0 < trained["stream_share"] < 1
    assert trained["dev"]["average_precision"] > 0.5 and trained["out_of_fold"]["f1"] > 0.5
    assert all(math.isfinite(weight) for weight in model.weights.values())
