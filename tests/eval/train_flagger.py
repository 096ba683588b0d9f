"""Train the flagger's decision (run: ``make train-flagger``, or ``python tests/eval/train_flagger.py``).

Learns a logistic regression over ``flagger.article_features`` from the real labelled set (``regulation_set``:
items labelled by reading, plus weakly labelled items at a lower weight):

1. the regularisation, the weak items' weight and the lexicon reading's scale are chosen on the **dev** split
   (fitted on train; the best average precision on dev, which does not depend on a threshold);
2. the calibration (Platt scaling, folded into the weights, so 0.5 is the decision) is fitted on out-of-fold
   scores of train + dev, in folds of whole sources: each item is scored by a model that never saw its source;
   its odds are then shifted from the labelled items' share of regulation stories to their share among
   Cointelegraph's items (most of what the default feeds carry), so the score is the probability in that stream;
3. the shipped model is fitted on train + dev with the chosen settings.

``--learning-curve`` reports instead how dev's figures grow with the training data: the model fitted on a
quarter, a half, three quarters and all of the train split's sources (three rotations of the sources), scored
on dev. It writes nothing.

It writes ``transforms/regulation/flagger_model.json.gz``. The test split is never read. Deterministic: the same data gives the same file, byte for byte (the solver is
deterministic; features and items are sorted).

Needs scikit-learn (a dev dependency) and the shared corpus (items point into it).
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for path in (str(REPO), str(HERE)):
    if path not in sys.path:
        sys.path.insert(0, path)

import numpy as np  # noqa: E402
from regulation_set import Item, load_items  # noqa: E402

from transforms.language import detect_language  # noqa: E402
from transforms.regulation.flagger import article_features  # noqa: E402
from transforms.regulation.model import MODEL_PATH, LinearModel, load_model  # noqa: E402

SEED = 20261204
C_GRID = (0.1, 0.2, 0.5, 1.0, 2.0)
WEAK_WEIGHTS = (0.0, 0.25, 0.5)
# The lexicon reading's features (``x:``) are multiplied by this while fitting and the factor is folded back into
# their weights, so the flagger still sees 1.0: an L2 penalty that costs the reading less than a word. The
# reading's hundred-odd features, the same in every language, then carry more of the decision against the tens
# of thousands of words, most of them seen in one language only.
LEXICON_SCALES = (1.0, 2.0, 3.0)
LEXICON_PREFIX = "x:"
UNCERTAIN_WEIGHT = 0.5
MIN_FEATURE_ITEMS = 2  # a word seen in one training item only teaches that item
MIN_WEIGHT = 1e-3  # weights smaller than this are dropped from the shipped file
FOLDS = 5
CURVE_FRACTIONS = (0.25, 0.5, 0.75, 1.0)
CURVE_ROTATIONS = 3
STREAM_PUBLISHER = "cointelegraph"  # the editions that make most of the default feeds' items


def featurise(items: list[Item]) -> list[dict[str, float]]:
    """Each item's features, the language detected as in production (no hint)."""
    return [
        article_features(item.title, item.text, detect_language(f"{item.title}\n{item.text}"))
        for item in items
    ]


def vocabulary(rows: list[dict[str, float]]) -> dict[str, int]:
    """Features seen in at least ``MIN_FEATURE_ITEMS`` rows, numbered in sorted order."""
    counts: Counter[str] = Counter(name for row in rows for name in row)
    return {name: i for i, name in enumerate(sorted(n for n, c in counts.items() if c >= MIN_FEATURE_ITEMS))}


def column_scale(vocab: dict[str, int], lexicon_scale: float) -> np.ndarray:
    """Each column's factor while fitting: ``lexicon_scale`` for the lexicon reading's features, else 1."""
    scale = np.ones(len(vocab))
    for name, column in vocab.items():
        if name.startswith(LEXICON_PREFIX):
            scale[column] = lexicon_scale
    return scale


def matrix(rows: list[dict[str, float]], vocab: dict[str, int], lexicon_scale: float = 1.0) -> Any:
    """A sparse matrix of ``rows`` over ``vocab`` (unknown features dropped), the lexicon's columns scaled."""
    from scipy.sparse import csr_matrix, diags

    data: list[float] = []
    indices: list[int] = []
    pointers = [0]
    for row in rows:
        for name, value in sorted(row.items()):
            column = vocab.get(name)
            if column is not None:
                indices.append(column)
                data.append(value)
        pointers.append(len(indices))
    x = csr_matrix((data, indices, pointers), shape=(len(rows), len(vocab)), dtype=np.float64)
    return x if lexicon_scale == 1.0 else (x @ diags(column_scale(vocab, lexicon_scale))).tocsr()


def fit(x: Any, y: np.ndarray, weights: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """A deterministic L2 logistic regression; returns (coefficients, intercept)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, solver="liblinear", max_iter=2000, random_state=SEED)
    model.fit(x, y, sample_weight=weights)
    return model.coef_[0].copy(), float(model.intercept_[0])


def platt(logits: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Scale and shift mapping raw logits to calibrated ones (Platt, fitted on the dev split)."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000)
    model.fit(logits.reshape(-1, 1), y)
    return float(model.coef_[0][0]), float(model.intercept_[0])


def f1(y: np.ndarray, predicted: np.ndarray) -> tuple[float, float, float]:
    """Precision, recall and F1 of boolean predictions."""
    tp = int(np.sum(predicted & y))
    fp = int(np.sum(predicted & ~y))
    fn = int(np.sum(~predicted & y))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, (2 * precision * recall / (precision + recall) if precision + recall else 0.0)


@dataclass
class _Data:
    """Items with their features, labels and training weights."""

    items: list[Item]
    rows: list[dict[str, float]]

    @property
    def labels(self) -> np.ndarray:
        return np.array([item.label for item in self.items], dtype=bool)

    def weights(self, weak_weight: float) -> np.ndarray:
        return np.array(
            [
                weak_weight if item.weak is not None else UNCERTAIN_WEIGHT if item.uncertain else 1.0
                for item in self.items
            ]
        )

    def subset(self, keep: np.ndarray) -> _Data:
        return _Data(
            [i for i, k in zip(self.items, keep, strict=True) if k],
            [r for r, k in zip(self.rows, keep, strict=True) if k],
        )


@dataclass(frozen=True)
class _Labelled:
    """Every train and dev item (read and weak), featurised, with which are train and which were read."""

    data: _Data
    in_train: np.ndarray
    is_read: np.ndarray

    def splits(self) -> tuple[_Data, _Data]:
        """The train split (read and weak items) and the dev split (read items only)."""
        return self.data.subset(self.in_train), self.data.subset(~self.in_train & self.is_read)


def _labelled() -> _Labelled:
    """The train and dev items in uid order, featurised as in production (the test split is never read)."""
    items = sorted(load_items(("train", "dev"), weak=True), key=lambda item: item.uid)
    return _Labelled(
        _Data(items, featurise(items)),
        np.array([item.split == "train" for item in items]),
        np.array([item.weak is None for item in items]),
    )


@dataclass(frozen=True)
class _Settings:
    """What is chosen on dev."""

    c: float
    weak_weight: float
    lexicon_scale: float


def _choose_settings(train: _Data, dev: _Data, verbose: bool) -> tuple[_Settings, dict[str, float]]:
    """The settings that rank dev best (average precision: no threshold involved)."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    vocab = vocabulary(train.rows)
    results = []
    for lexicon_scale in LEXICON_SCALES:
        x_train, x_dev = matrix(train.rows, vocab, lexicon_scale), matrix(dev.rows, vocab, lexicon_scale)
        for c, weak_weight in itertools.product(C_GRID, WEAK_WEIGHTS):
            coef, intercept = fit(x_train, train.labels, train.weights(weak_weight), c)
            raw = x_dev @ coef + intercept
            ap = float(average_precision_score(dev.labels, raw))
            auc = float(roc_auc_score(dev.labels, raw))
            results.append((round(ap, 4), round(auc, 4), c, weak_weight, lexicon_scale))
            if verbose:
                print(
                    f"  C={c:<5} weak weight={weak_weight:<4} lexicon scale={lexicon_scale:<4}  "
                    f"dev average precision {ap:.3f}  AUC {auc:.3f}",
                    flush=True,
                )
    ap, auc, c, weak_weight, lexicon_scale = max(results)
    return _Settings(c, weak_weight, lexicon_scale), {"average_precision": ap, "auc": auc}


def _out_of_fold_logits(data: _Data, settings: _Settings) -> np.ndarray:
    """Each read item's logit from a model that never saw its source (folds of whole sources)."""
    sources = sorted({item.source for item in data.items})
    fold_of = {source: index % FOLDS for index, source in enumerate(sorted(sources, key=_stable_hash))}
    folds = np.array([fold_of[item.source] for item in data.items])
    logits = np.zeros(len(data.items))
    for fold in range(FOLDS):
        held = folds == fold
        fitted = data.subset(~held)
        vocab = vocabulary(fitted.rows)
        scale = settings.lexicon_scale
        coef, intercept = fit(
            matrix(fitted.rows, vocab, scale), fitted.labels, fitted.weights(settings.weak_weight), settings.c
        )
        logits[held] = matrix(data.subset(held).rows, vocab, scale) @ coef + intercept
    return logits


def best_f1(y: np.ndarray, scores: np.ndarray) -> float:
    """The F1 of the best threshold: what the ranking allows, before any calibration."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, _ = precision_recall_curve(y, scores)
    return float(np.max(2 * precision * recall / np.maximum(precision + recall, 1e-12)))


def learning_curve(
    settings: _Settings | None = None, rotations: int = CURVE_ROTATIONS
) -> list[dict[str, float]]:
    """Dev's average precision and best F1 with growing shares of the train split's sources.

    Sources are whole captures, so a share is taken in sources (hash order, rotated by a third for each of
    the ``rotations``); the settings are the shipped model's unless given. One row per (rotation,
    share)."""
    from sklearn.metrics import average_precision_score

    train_data, dev_data = _labelled().splits()
    if settings is None:
        shipped = load_model(MODEL_PATH).trained
        settings = _Settings(shipped["C"], shipped["weak_weight"], shipped["lexicon_scale"])
    sources = sorted({item.source for item in train_data.items}, key=_stable_hash)
    rows = []
    for rotation in range(rotations):
        start = rotation * len(sources) // CURVE_ROTATIONS
        order = sources[start:] + sources[:start]
        for share in CURVE_FRACTIONS:
            kept = set(order[: round(len(order) * share)])
            part = train_data.subset(np.array([item.source in kept for item in train_data.items]))
            vocab = vocabulary(part.rows)
            coef, intercept = fit(
                matrix(part.rows, vocab, settings.lexicon_scale),
                part.labels,
                part.weights(settings.weak_weight),
                settings.c,
            )
            scores = matrix(dev_data.rows, vocab, settings.lexicon_scale) @ coef + intercept
            rows.append(
                {
                    "rotation": rotation,
                    "share": share,
                    "items": int(np.sum([item.weak is None for item in part.items])),
                    "positives": int(np.sum(part.labels)),
                    "average_precision": float(average_precision_score(dev_data.labels, scores)),
                    "best_f1": best_f1(dev_data.labels, scores),
                }
            )
    return rows


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def _stable_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def train(verbose: bool = True) -> LinearModel:
    """Choose the settings on dev, calibrate on out-of-fold scores, fit on train + dev; returns the model."""
    labelled = _labelled()
    items, data, in_train, is_read = labelled.data.items, labelled.data, labelled.in_train, labelled.is_read
    train_data, dev_data = labelled.splits()
    if verbose:
        print(
            f"train: {int(np.sum(in_train & is_read))} read items + {int(np.sum(in_train & ~is_read))} weak; "
            f"dev: {len(dev_data.items)} read items",
            flush=True,
        )
    settings, dev_figures = _choose_settings(train_data, dev_data, verbose)
    c, weak_weight = settings.c, settings.weak_weight

    # Calibration: Platt scaling over every read item's out-of-fold logit (train and dev, folds of whole
    # sources), so it is fitted on scores of unseen sources, as the model's scores in production are.
    logits = _out_of_fold_logits(data, settings)
    a, b = platt(logits[is_read], data.labels[is_read])
    # The labelled set holds more general news than the product's feeds do: shift the calibrated odds from
    # the labelled items' share of regulation stories to the share among Cointelegraph's items, the bulk of
    # deploy/feeds/default.yaml (prior shift), so that the score is the probability in that stream.
    labelled_share = float(np.mean(data.labels[is_read]))
    stream = [item.label for item in items if item.weak is None and STREAM_PUBLISHER in item.publisher]
    stream_share = float(np.mean(stream))
    b += _logit(stream_share) - _logit(labelled_share)
    oof = f1(data.labels[is_read], a * logits[is_read] + b >= 0.0)

    vocab = vocabulary(data.rows)
    coef, intercept = fit(
        matrix(data.rows, vocab, settings.lexicon_scale), data.labels, data.weights(weak_weight), c
    )
    coef = coef * column_scale(vocab, settings.lexicon_scale)  # the weights of the unscaled features
    names = sorted(vocab, key=vocab.__getitem__)
    weights_table = {
        name: round(float(a * w), 5) for name, w in zip(names, coef, strict=True) if abs(a * w) >= MIN_WEIGHT
    }
    read = [item for item in items if item.weak is None]
    trained = {
        "seed": SEED,
        "C": c,
        "weak_weight": weak_weight,
        "lexicon_scale": settings.lexicon_scale,
        "uncertain_weight": UNCERTAIN_WEIGHT,
        "platt": [round(a, 6), round(b, 6)],
        "labelled_share": round(labelled_share, 4),
        "stream_share": round(stream_share, 4),
        "stream_items": len(stream),
        "train_items": len(read),
        "train_weak_items": len(items) - len(read),
        "train_positives": int(sum(item.label for item in read)),
        "train_languages": dict(sorted(Counter(item.language for item in read).items())),
        "dev": dev_figures,
        "out_of_fold": {
            name: round(value, 4) for name, value in zip(("precision", "recall", "f1"), oof, strict=True)
        },
        "features": len(weights_table),
    }
    if verbose:
        print(
            f"chosen on dev: C={c}, weak weight={weak_weight}, lexicon scale={settings.lexicon_scale} (average precision {dev_figures['average_precision']:.3f}); calibrated on "
            f"{FOLDS}-fold out-of-fold scores by source (F1 {oof[2]:.3f}); fitted on train + dev; "
            f"{len(weights_table)} features"
        )
    return LinearModel(bias=round(a * intercept + b, 5), weights=weights_table, trained=trained)


def main(argv: list[str] | None = None) -> int:
    """Train and write the model (or only print, with ``--dry-run``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    parser.add_argument("--dry-run", action="store_true", help="train and report, write nothing")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    parser.add_argument(
        "--learning-curve",
        action="store_true",
        help="dev's figures with growing shares of train; writes nothing",
    )
    args = parser.parse_args(argv)
    if args.learning_curve:
        print("rotation  share of train sources  read items  positives  dev average precision  dev best F1")
        for row in learning_curve():
            print(
                f"{row['rotation']:>8}  {row['share']:>22.2f}  {row['items']:>10}  {row['positives']:>9}  "
                f"{row['average_precision']:>21.3f}  {row['best_f1']:>11.3f}"
            )
        return 0
    model = train(verbose=not args.quiet)
    if not args.dry_run:
        model.save(args.output)
        if not args.quiet:
            print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
