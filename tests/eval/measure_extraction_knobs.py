"""trafilatura's knobs measured on real pages: speed against the reference call, and extraction quality.

Run: ``python tests/eval/measure_extraction_knobs.py [--rounds 2] [--corpus DIR]``. Prints one table: each
configuration's pages/s on the Zyte pages and its ratio to the reference (``with_full_metadata``: every
metadata field, ``favor_precision``), token F1 on the Zyte pages (the benchmark's shingle F1,
``evaluate_extraction``), and snippet F1 on the one real Cointelegraph page and on the rest of
trafilatura's evaluation sample (a ``with`` snippet found is a true positive, missed a false negative; a
``without`` snippet found is a false positive).

Every configuration but the reference and "text only" asks the page for the authors alone, as the pipeline
does for a feed entry with a title and a date (``transforms.page_metadata``); the knobs change only the
main-text extraction, each over the reference's options; "the pipeline's call" is ``extract_fields`` as it
stands. Speed is measured interleaved: each page goes through every configuration in turn
(the order rotating from page to page), round after round, so a change of the machine's load falls on all
of them alike. Nothing fails here: the floor is ``evaluate_extraction``'s (``make eval``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evaluate_extraction import FLOOR, overlap, score
from extraction_pages import (
    CorpusPage,
    add_corpus_option,
    corpus_pages,
    usable_corpus,
    with_full_metadata,
)

from transforms.extraction import MIN_PAGE_TEXT
from transforms.extraction_fields import Wanted
from transforms.page_encoding import decode_html
from transforms.page_fields import extract_fields
from transforms.page_metadata import page_metadata

AUTHORS = Wanted(title=False, authors=True, date=False)
# main-text options: the reference's, then each knob over them
BEFORE: dict[str, Any] = {"favor_precision": True, "include_comments": False, "include_tables": True}
KNOBS: dict[str, dict[str, Any]] = {
    "favor_precision": {},
    "fast": {"fast": True},
    "balanced (neither precision nor recall)": {"favor_precision": False},
    "favor_recall": {"favor_precision": False, "favor_recall": True},
    "include_tables=False": {"include_tables": False},
    "include_comments=True": {"include_comments": True},
    "deduplicate": {"deduplicate": True},
    "fast, balanced": {"fast": True, "favor_precision": False},
    "fast, favor_recall": {"fast": True, "favor_precision": False, "favor_recall": True},
}

Extract = Callable[[str, str], str]


def _text(doc: Any) -> str:
    text = ((getattr(doc, "text", None) if doc is not None else None) or "").strip()
    return text if len(text) >= MIN_PAGE_TEXT else ""  # shorter: the article falls back to the feed


def reference(html: str, url: str) -> str:
    return _text(with_full_metadata(html, url))


def text_only(html: str, url: str) -> str:
    import trafilatura

    return _text(trafilatura.bare_extraction(html, url=url, with_metadata=False, **BEFORE))


def pipeline(html: str, url: str) -> str:
    return _text(extract_fields(html, url, AUTHORS))


def with_knob(knob: dict[str, Any]) -> Extract:
    """The pipeline's steps (parse once, the authors, the main text) with ``knob`` over the reference's
    main-text options."""
    import trafilatura
    from trafilatura.deduplication import LRUCache

    def extract(html: str, url: str) -> str:
        tree = trafilatura.load_html(html)
        if tree is None:
            return ""
        page_metadata(tree, url, AUTHORS)
        options = {**BEFORE, **knob}
        if options.get("deduplicate"):
            options["deduplicate"] = cache  # one cache for the whole run, as an extraction process keeps it
        return _text(trafilatura.bare_extraction(tree, url=url, with_metadata=False, **options))

    cache = LRUCache(maxsize=4096)
    return extract


def configurations() -> dict[str, Extract]:
    return {
        "reference: all metadata, favor_precision": reference,
        "the pipeline's call (extract_fields)": pipeline,
        **{f"authors only, {name}": with_knob(knob) for name, knob in KNOBS.items()},
        "text only, favor_precision (no metadata)": text_only,
    }


@dataclass
class Figures:
    seconds: float = 0.0
    pages: int = 0
    zyte: list[tuple[float, float, float]] = field(default_factory=list)
    snippets: dict[str, list[int]] = field(default_factory=dict)  # set → [tp, fp, fn]


def snippet_counts(page: CorpusPage, text: str) -> tuple[int, int, int]:
    found = [snippet in text for snippet in page.with_snippets]
    wrong = [snippet in text for snippet in page.without_snippets]
    return sum(found), sum(wrong), len(found) - sum(found)


def snippet_f1(counts: list[int]) -> float:
    tp, fp, fn = counts
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def measure(pages: list[CorpusPage], rounds: int) -> dict[str, Figures]:
    """Every configuration on every page, interleaved; quality from the first round."""
    names = list(configurations())
    figures = {name: Figures() for name in names}
    inputs = [(page, decode_html(page.read(), "text/html")) for page in pages]
    for number in range(rounds):
        extracts = configurations()  # a fresh deduplication cache each round
        for index, (page, html) in enumerate(inputs):
            shift = (index + number) % len(names)
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter()
                text = extracts[name](html, page.url)
                spent = time.perf_counter() - started
                if page.set == "zyte":
                    figures[name].seconds += spent
                    figures[name].pages += 1
                if number:
                    continue
                if page.gold_text is not None:
                    figures[name].zyte.append(overlap(page.gold_text, text))
                elif page.with_snippets or page.without_snippets:
                    counts = figures[name].snippets.setdefault(page.set, [0, 0, 0])
                    for slot, value in enumerate(snippet_counts(page, text)):
                        counts[slot] += value
    return figures


def table(figures: dict[str, Figures], pages: list[CorpusPage]) -> str:
    sets = {s: sum(1 for p in pages if p.set == s) for s in ("zyte", "cointelegraph", "trafilatura-eval")}
    base = next(iter(figures.values()))
    base_rate = base.pages / base.seconds
    lines = [
        f"| config | pages/s (Zyte) | ÷ reference | token F1 Zyte ({sets['zyte']} pages) | "
        f"F1 Cointelegraph ({sets['cointelegraph']} page, snippets) | "
        f"F1 trafilatura-eval ({sets['trafilatura-eval']} pages, snippets) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, row in figures.items():
        rate = row.pages / row.seconds
        cells = [
            f"{rate:.1f}",
            f"{rate / base_rate:.2f}",
            "{f1:.3f} (P {precision:.3f}, R {recall:.3f})".format(**score(row.zyte)),
            f"{snippet_f1(row.snippets.get('cointelegraph', [0, 0, 0])):.3f}",
            f"{snippet_f1(row.snippets.get('trafilatura-eval', [0, 0, 0])):.3f}",
        ]
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_corpus_option(parser)
    parser.add_argument(
        "--rounds", type=int, default=2, help="timed passes over the pages (quality: the first)"
    )
    args = parser.parse_args(argv)
    root = usable_corpus(args.corpus)
    if root is None:
        return 0
    pages = corpus_pages(root, sets=("zyte", "cointelegraph", "trafilatura-eval"))
    load_before = os.getloadavg()
    figures = measure(pages, args.rounds)
    print(table(figures, pages))
    load_after = os.getloadavg()
    print(
        f"{args.rounds} interleaved rounds on {os.cpu_count()} cores; load average (1 min) before "
        f"{load_before[0]:.2f}, after {load_after[0]:.2f}; the extraction floor is F1 {FLOOR:.3f} on the Zyte pages"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
