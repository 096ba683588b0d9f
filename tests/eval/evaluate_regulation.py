"""Evaluation gate for the regulation flagger (run: ``python tests/eval/evaluate_regulation.py [--misses]``).

Reads every ``tests/eval/regulation/*.jsonl`` item (written by the team: ``id``, ``language``, ``title``,
``text``, gold ``flagged``, ``categories``, ``jurisdictions``), detects each item's language with
``transforms.language.detect_language`` (no hint: the gate measures the same path as production), flags it, and
prints:

* precision, recall and F1 of ``flagged`` overall and per language;
* precision, recall and F1 per category, counted over (item, category) pairs of all items;
* jurisdiction accuracy over the gold-positive items: *exact-set match* (the predicted set equals the gold set)
  and *recall* (the share of gold codes that were predicted, micro-averaged);
* language-identification accuracy.

Exit status 1 when overall F1 < 0.90 or any language's F1 < 0.85 (the gate); ``tests/eval/test_regulation_gate.py``
runs the same ``evaluate`` function and asserts ``gate_failures`` is empty.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # runnable as a script from anywhere
    sys.path.insert(0, str(REPO))

from transforms.language import detect_language  # noqa: E402
from transforms.regulation import flag_regulation  # noqa: E402

EVAL_DIR = Path(__file__).resolve().parent / "regulation"
MIN_OVERALL_F1 = 0.90
MIN_LANGUAGE_F1 = 0.85


@dataclass
class Counts:
    """True/false positives and false negatives of one binary decision."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    def add(self, gold: bool, predicted: bool) -> None:
        """Count one decision."""
        if gold and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
        elif gold:
            self.fn += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        """Share of predicted positives that are right (1.0 when nothing was predicted)."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Share of gold positives that were found (1.0 when there were none)."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    """Everything the gate measured."""

    overall: Counts = field(default_factory=Counts)
    by_language: dict[str, Counts] = field(default_factory=dict)
    by_category: dict[str, Counts] = field(default_factory=dict)
    jurisdiction_items: int = 0
    jurisdiction_exact: int = 0
    jurisdiction_gold_codes: int = 0
    jurisdiction_found_codes: int = 0
    language_items: int = 0
    language_correct: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def jurisdiction_exact_rate(self) -> float:
        """Share of gold-positive items whose predicted jurisdiction set equals the gold set."""
        return self.jurisdiction_exact / self.jurisdiction_items if self.jurisdiction_items else 1.0

    @property
    def jurisdiction_recall(self) -> float:
        """Share of gold jurisdiction codes (over gold-positive items) that were predicted."""
        return (
            self.jurisdiction_found_codes / self.jurisdiction_gold_codes
            if self.jurisdiction_gold_codes
            else 1.0
        )

    def gate_failures(self) -> list[str]:
        """Why the gate fails (empty when it passes)."""
        failures = []
        if self.overall.f1 < MIN_OVERALL_F1:
            failures.append(f"overall F1 {self.overall.f1:.3f} < {MIN_OVERALL_F1}")
        for language, counts in sorted(self.by_language.items()):
            if counts.f1 < MIN_LANGUAGE_F1:
                failures.append(f"{language} F1 {counts.f1:.3f} < {MIN_LANGUAGE_F1}")
        return failures


def load_items(directory: Path = EVAL_DIR) -> list[dict[str, Any]]:
    """Every evaluation item, in file then line order."""
    items: list[dict[str, Any]] = []
    for path in sorted(directory.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            items.extend(json.loads(line) for line in handle if line.strip())
    return items


def evaluate(items: Iterable[dict[str, Any]]) -> Report:
    """Run detection and flagging over ``items`` and score them against their gold labels."""
    report = Report()
    for item in items:
        gold_language = item["language"]
        detected = detect_language(f"{item['title']}\n{item['text']}")
        report.language_items += 1
        report.language_correct += detected == gold_language
        verdict = flag_regulation(item["title"], item["text"], detected)
        gold_flag = bool(item["flagged"])
        report.overall.add(gold_flag, verdict.flagged)
        report.by_language.setdefault(gold_language, Counts()).add(gold_flag, verdict.flagged)
        gold_categories = set(item["categories"])
        predicted_categories = set(verdict.categories)
        for category in gold_categories | predicted_categories:
            report.by_category.setdefault(category, Counts()).add(
                category in gold_categories, category in predicted_categories
            )
        if gold_flag:
            gold_codes = set(item["jurisdictions"])
            predicted_codes = set(verdict.jurisdictions)
            report.jurisdiction_items += 1
            report.jurisdiction_exact += gold_codes == predicted_codes
            report.jurisdiction_gold_codes += len(gold_codes)
            report.jurisdiction_found_codes += len(gold_codes & predicted_codes)
        if gold_flag != verdict.flagged:
            report.misses.append(
                {
                    "id": item["id"],
                    "gold": gold_flag,
                    "score": round(verdict.score, 3),
                    "title": item["title"],
                    "language": detected,
                    "signals": sorted({s for ev in verdict.evidence for s in ev.signals}),
                }
            )
    return report


def _row(name: str, counts: Counts) -> str:
    return (
        f"  {name:<26} P {counts.precision:6.3f}  R {counts.recall:6.3f}  F1 {counts.f1:6.3f}"
        f"   (tp {counts.tp}, fp {counts.fp}, fn {counts.fn})"
    )


def print_report(report: Report, show_misses: bool = False) -> None:
    """Print the figures the way ``make eval`` shows them."""
    total = report.overall.tp + report.overall.fp + report.overall.fn + report.overall.tn
    print(f"regulation flagger evaluation: {total} items, {len(report.by_language)} languages")
    print(_row("overall", report.overall))
    print("per language:")
    for language, counts in sorted(report.by_language.items()):
        print(_row(language, counts))
    print("per category (item x category pairs):")
    for category, counts in sorted(report.by_category.items()):
        print(_row(category, counts))
    print(
        f"jurisdictions over {report.jurisdiction_items} gold-positive items: exact-set match "
        f"{report.jurisdiction_exact_rate:.3f}, recall of gold codes {report.jurisdiction_recall:.3f}"
    )
    print(f"language identification accuracy: {report.language_correct / max(report.language_items, 1):.3f}")
    if show_misses:
        print(f"misclassified ({len(report.misses)}):")
        for miss in report.misses:
            print(
                f"  {miss['id']} gold={miss['gold']} score={miss['score']} [{miss['language']}] {miss['title']}"
            )
            print(f"      signals: {', '.join(miss['signals'])}")
    failures = report.gate_failures()
    print("GATE: " + ("PASS" if not failures else "FAIL — " + "; ".join(failures)))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--misses", action="store_true", help="list the misclassified items")
    args = parser.parse_args(argv)
    report = evaluate(load_items())
    print_report(report, show_misses=args.misses)
    return 1 if report.gate_failures() else 0


if __name__ == "__main__":
    sys.exit(main())
