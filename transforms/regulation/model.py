"""The learned decision: a calibrated linear model over ``features.article_features``, shipped as data.

``flagger_model.json.gz`` beside this module holds ``{"format": 1, "bias": b, "weights": {feature: w}, ...}``
written by ``make train-flagger`` (``tests/eval/train_flagger.py``), with what it was trained on and how it
scored on the dev split under ``"trained"``. The weights already include the calibration fitted on the dev
split (Platt scaling), so ``probability`` is the calibrated probability that a story is a regulation story and
0.5 is the decision. Features the model has no weight for count zero. Loading is lazy and happens once per
process; nothing is downloaded.
"""

from __future__ import annotations

import functools
import gzip
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["MODEL_PATH", "LinearModel", "load_model"]

MODEL_PATH = Path(__file__).resolve().parent / "flagger_model.json.gz"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Logistic regression: ``sigmoid(bias + Σ weight × value)`` over named features."""

    bias: float
    weights: dict[str, float]
    trained: dict[str, Any]

    def logit(self, binary: Iterable[str], numeric: dict[str, float]) -> float:
        """The model's log-odds for binary features (each worth 1.0) and numeric ones."""
        weights = self.weights
        total = self.bias + sum(filter(None, map(weights.get, binary)))
        for name, value in numeric.items():
            weight = weights.get(name)
            if weight is not None:
                total += weight * value
        return total

    def probability(self, binary: Iterable[str], numeric: dict[str, float]) -> float:
        """The calibrated probability of a regulation story."""
        logit = self.logit(binary, numeric)
        if logit < -40.0:  # exp overflows long before a probability stops being 0
            return 0.0
        return 1.0 / (1.0 + math.exp(-logit))

    def to_json(self) -> dict[str, Any]:
        """The file's content (weights sorted, so that a retrained model diffs cleanly)."""
        return {
            "format": FORMAT,
            "bias": self.bias,
            "weights": dict(sorted(self.weights.items())),
            "trained": self.trained,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinearModel:
        """Read a model written by ``to_json``; a file of another format is refused with the reason."""
        if data.get("format") != FORMAT:
            raise ValueError(f"flagger model format {data.get('format')!r}; this code reads format {FORMAT}")
        weights = {str(name): float(weight) for name, weight in data["weights"].items()}
        return cls(bias=float(data["bias"]), weights=weights, trained=dict(data.get("trained", {})))

    def save(self, path: Path) -> None:
        """Write the model (gzip with a fixed timestamp: the same model gives the same bytes)."""
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=0, separators=(",", ":"))
        with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            out.write(text.encode("utf-8"))


@functools.cache
def load_model(path: Path = MODEL_PATH) -> LinearModel:
    """The model at ``path``, read once per process (two threads that ask at once may both read it)."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return LinearModel.from_json(json.load(handle))
