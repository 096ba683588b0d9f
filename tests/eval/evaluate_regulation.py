"""Evaluation gate of the regulation flagger (run: ``make eval``, or ``python tests/eval/evaluate_regulation.py``).

Judges ``flag_regulation`` on the frozen **test** split of the real labelled set (``regulation_set``; ``--split
dev`` for tuning, never the other way round), through the path production takes: the language is detected
from the text (``transforms.language.detect_language``, no hint), then the article is flagged. Prints:

* precision, recall and F1 of ``flagged`` overall, per language, per kind of item (headline only, headline +
  summary, full text) and per category (over item × category pairs), beside the same figures for the lexicon
  alone (``flagger.lexicon_score``: the flagger before it had a learned decision);
* jurisdiction precision and recall over the positives the flagger found;
* a reliability table (is a score of 0.8 right 80% of the time?);
* the worst errors: the wrong verdicts the flagger was surest of.

The gate fails (exit status 1) when overall F1 < 0.90 or the F1 of any language with at least 10 positives in
the split is < 0.85. ``--written`` runs the team-written items of ``regulation/written/`` instead, a regression
suite with floors of its own (``WRITTEN_MIN_*``): they were written by the people who built the lexicon, so
they measure its writers, not the news.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for _path in (str(REPO), str(HERE)):
    if _path not in sys.path:  # runnable as a script from anywhere
        sys.path.insert(0, _path)

from regulation_set import Item, load_items  # noqa: E402

from transforms.language import detect_language  # noqa: E402
from transforms.regulation import flag_regulation  # noqa: E402
from transforms.regulation.flagger import lexicon_score  # noqa: E402

WRITTEN_DIR = HERE / "regulation" / "written"
MIN_OVERALL_F1 = 0.90
MIN_LANGUAGE_F1 = 0.85
MIN_LANGUAGE_POSITIVES = 10  # a language's F1 gates only when the split holds this many of its positives
WRITTEN_MIN_OVERALL_F1 = 0.90
WRITTEN_MIN_LANGUAGE_F1 = 0.85
RELIABILITY_BINS = 10
WORST_ERRORS = 20


@dataclass
class Counts:
    """True/false positives and negatives of one binary decision."""

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
    def positives(self) -> int:
        """Gold positives counted."""
        return self.tp + self.fn

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
class Verdict:
    """One item as the flagger and the lexicon alone saw it."""

    item: Item
    language: str
    flagged: bool
    score: float
    lexicon_flagged: bool
    categories: tuple[str, ...]
    jurisdictions: tuple[str, ...]


@dataclass
class Report:
    """Everything the gate measured, for the flagger and for the lexicon alone."""

    verdicts: list[Verdict] = field(default_factory=list)

    def counts(self, keep: Any = None, lexicon: bool = False) -> Counts:
        """Counts over the verdicts ``keep`` accepts (all by default)."""
        counts = Counts()
        for verdict in self.verdicts:
            if keep is None or keep(verdict):
                counts.add(verdict.item.label, verdict.lexicon_flagged if lexicon else verdict.flagged)
        return counts

    def groups(self, key: Any) -> dict[str, Counts]:
        """Counts per value of ``key(verdict)``."""
        return {value: self.counts(lambda v, value=value: key(v) == value) for value in self._values(key)}

    def _values(self, key: Any) -> list[str]:
        return sorted({key(verdict) for verdict in self.verdicts})

    def category_counts(self) -> dict[str, Counts]:
        """Per category, over (item, category) pairs of every item."""
        result: dict[str, Counts] = {}
        for verdict in self.verdicts:
            gold = set(verdict.item.categories) if verdict.item.label else set()
            predicted = set(verdict.categories)
            for category in gold | predicted:
                result.setdefault(category, Counts()).add(category in gold, category in predicted)
        return dict(sorted(result.items()))

    def jurisdiction_counts(self) -> Counts:
        """Over the gold positives the flagger found: predicted codes against the labelled ones."""
        counts = Counts()
        for verdict in self.verdicts:
            if not (verdict.item.label and verdict.flagged) or not verdict.item.jurisdictions:
                continue
            gold, predicted = set(verdict.item.jurisdictions), set(verdict.jurisdictions)
            counts.tp += len(gold & predicted)
            counts.fp += len(predicted - gold)
            counts.fn += len(gold - predicted)
        return counts

    def reliability(self) -> list[tuple[float, float, int, float]]:
        """Per score bin: (low, high, items, share of positives)."""
        rows = []
        for index in range(RELIABILITY_BINS):
            low, high = index / RELIABILITY_BINS, (index + 1) / RELIABILITY_BINS
            held = [
                v
                for v in self.verdicts
                if low <= v.score < high or (index == RELIABILITY_BINS - 1 and v.score == 1)
            ]
            share = sum(v.item.label for v in held) / len(held) if held else float("nan")
            rows.append((low, high, len(held), share))
        return rows

    def worst_errors(self, limit: int = WORST_ERRORS) -> list[Verdict]:
        """The wrong verdicts, surest first."""
        wrong = [v for v in self.verdicts if v.flagged != v.item.label]
        return sorted(wrong, key=lambda v: -abs(v.score - 0.5))[:limit]

    def gate_failures(
        self, min_overall: float = MIN_OVERALL_F1, min_language: float = MIN_LANGUAGE_F1
    ) -> list[str]:
        """Why the gate fails (empty when it passes)."""
        failures = []
        overall = self.counts()
        if overall.f1 < min_overall:
            failures.append(f"overall F1 {overall.f1:.3f} < {min_overall}")
        for language, counts in self.groups(lambda v: v.item.language).items():
            if counts.positives >= MIN_LANGUAGE_POSITIVES and counts.f1 < min_language:
                failures.append(
                    f"{language} F1 {counts.f1:.3f} < {min_language} ({counts.positives} positives)"
                )
        return failures


def evaluate(items: Iterable[Item]) -> Report:
    """Detect the language of each item, flag it, and keep the verdicts beside the gold labels."""
    report = Report()
    for item in items:
        language = detect_language(f"{item.title}\n{item.text}")
        verdict = flag_regulation(item.title, item.text, language)
        report.verdicts.append(
            Verdict(
                item=item,
                language=language,
                flagged=verdict.flagged,
                score=verdict.score,
                lexicon_flagged=lexicon_score(item.title, item.text, language) >= 0.5,
                categories=verdict.categories,
                jurisdictions=verdict.jurisdictions,
            )
        )
    return report


def written_items(directory: Path = WRITTEN_DIR) -> list[Item]:
    """The team-written regression items as ``Item``s (their own split, ``written``)."""
    items = []
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            record = json.loads(line)
            items.append(
                Item(
                    uid=record["id"],
                    source=f"written:{path.name}",
                    split="written",
                    language=record["language"],
                    kind="summary",
                    title=record["title"],
                    text=record["text"],
                    label=bool(record["flagged"]),
                    categories=tuple(record["categories"]),
                    jurisdictions=tuple(record["jurisdictions"]),
                )
            )
    return items


def _row(name: str, counts: Counts, baseline: Counts | None = None) -> str:
    line = (
        f"  {name:<24} P {counts.precision:5.3f}  R {counts.recall:5.3f}  F1 {counts.f1:5.3f}"
        f"  (tp {counts.tp}, fp {counts.fp}, fn {counts.fn}, tn {counts.tn})"
    )
    if baseline is not None:
        line += (
            f"   lexicon alone: P {baseline.precision:5.3f}  R {baseline.recall:5.3f}  F1 {baseline.f1:5.3f}"
        )
    return line


def print_report(report: Report, title: str, failures: list[str]) -> None:
    """Print the figures the way ``make eval`` shows them."""
    overall = report.counts()
    languages = report._values(lambda v: v.item.language)
    print(
        f"{title}: {len(report.verdicts)} items ({overall.positives} regulation), {len(languages)} languages"
    )
    print(_row("overall", overall, report.counts(lexicon=True)))
    for heading, key in (("per language", lambda v: v.item.language), ("per kind", lambda v: v.item.kind)):
        print(f"{heading}:")
        for value in report._values(key):
            chosen = lambda v, value=value, key=key: key(v) == value  # noqa: E731
            print(_row(value, report.counts(chosen), report.counts(chosen, lexicon=True)))
    print("per category (item x category pairs):")
    for category, counts in report.category_counts().items():
        print(_row(category, counts))
    jurisdictions = report.jurisdiction_counts()
    print(
        f"jurisdictions of the positives found: precision {jurisdictions.precision:.3f}, "
        f"recall {jurisdictions.recall:.3f} ({jurisdictions.tp} right, {jurisdictions.fp} extra, "
        f"{jurisdictions.fn} missed)"
    )
    print("reliability (score bin: items, share that are regulation stories):")
    for low, high, count, share in report.reliability():
        shown = "   -" if count == 0 else f"{share:5.2f}"
        print(f"  {low:.1f}-{high:.1f}: {count:5d}  {shown}")
    print(f"worst errors ({min(WORST_ERRORS, len(report.worst_errors()))} surest wrong verdicts):")
    for verdict in report.worst_errors():
        gold = "regulation" if verdict.item.label else "not regulation"
        print(
            f"  {verdict.score:.2f} [{verdict.language}/{verdict.item.kind}] gold {gold}: {verdict.item.title[:110]}"
        )
        print(f"       {verdict.item.uid}")
    print("GATE: " + ("PASS" if not failures else "FAIL — " + "; ".join(failures)))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--written", action="store_true", help="the team-written regression suite instead")
    args = parser.parse_args(argv)
    if args.written:
        report = evaluate(written_items())
        failures = report.gate_failures(WRITTEN_MIN_OVERALL_F1, WRITTEN_MIN_LANGUAGE_F1)
        print_report(report, "regulation flagger, team-written regression suite", failures)
    else:
        report = evaluate(load_items((args.split,)))
        failures = report.gate_failures()
        print_report(report, f"regulation flagger, real items, {args.split} split", failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
