"""Benchmark (not a test): the raw single-process extraction loop, before and after, side by side.

Run: ``python tests/bench/bench_extraction.py [--rounds 3] [--pages N]``. On the farm's pages (the Zyte
benchmark pages, decoded as the pipeline decodes them: ``bench_pipeline.farm_texts``), one process, a
plain loop:

- before: the raw loop of ``bench_pipeline`` (``extract``): trafilatura with every metadata field and
  ``favor_precision``, the call every "÷ raw loop" ratio of ``make bench`` is taken against;
- after: ``transforms.page_fields.extract_fields``, the pipeline's call, asking the page only for what the
  feed entry lacks (``transforms.extraction.metadata_wanted``): nothing for an entry with a title, a date
  and a byline (about half of real feed entries), the authors for one with a title and a date (93% of them
  carry a date), the authors and the date for one with a title only.

The variants run interleaved: page by page, each variant in turn with the order rotating, round after
round, so the machine's changing load falls on all of them alike; the ratios are what to read. Figures go
to tests/bench/results/extraction.json; nothing here fails on a time.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parents[1]
for _path in (REPO, BENCH):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_pipeline import RESULTS, describe_machine, extract, farm_texts, machine  # noqa: E402
from feed_farm import load_pages  # noqa: E402

from transforms.extraction import metadata_wanted  # noqa: E402
from transforms.page_fields import extract_fields  # noqa: E402
from transforms.records import FeedEntry  # noqa: E402

# what the feed entries carry decides what the page is asked for
_ENTRY = FeedEntry("0" * 16, "bench", "http://127.0.0.1/feed.xml", "http://127.0.0.1/a", None, "A title", "", "", None, None)  # fmt: skip
_DATED = replace(_ENTRY, published="2026-11-23T08:00:00Z")
ENTRIES = {
    "after, entry with title, date and byline": replace(_DATED, authors=("A. Reporter",)),
    "after, entry with title and date": _DATED,
    "after, entry with a title and no date": _ENTRY,
}
BEFORE = "before: raw loop (all metadata, favor_precision)"


def _text_length(doc: Any) -> int:
    return len(getattr(doc, "text", None) or "")


def variants() -> dict[str, Callable[[str], int]]:
    """Each variant: a page's text → the length of the text it extracted."""
    found: dict[str, Callable[[str], int]] = {BEFORE: lambda html: _text_length(extract(html))}
    for name, entry in ENTRIES.items():
        wanted = metadata_wanted(entry)
        found[name] = lambda html, wanted=wanted: _text_length(extract_fields(html, None, wanted))
    return found


def measure(pages: Sequence[str], rounds: int) -> dict[str, dict[str, Any]]:
    """Every variant on every page, interleaved, ``rounds`` times."""
    runs = variants()
    names = list(runs)
    for run in runs.values():  # trafilatura's lazily built tables, lxml's parser: not the first page's cost
        run(pages[0])
    seconds = dict.fromkeys(names, 0.0)
    extracted = dict.fromkeys(names, 0)
    for number in range(rounds):
        for index, html in enumerate(pages):
            shift = (index + number) % len(names)
            for name in names[shift:] + names[:shift]:
                started = time.perf_counter()
                length = runs[name](html)
                seconds[name] += time.perf_counter() - started
                extracted[name] += length > 0
    count = len(pages) * rounds
    base = count / seconds[BEFORE]
    return {
        name: {
            "pages": count,
            "extracted": extracted[name],
            "seconds": seconds[name],
            "rate": count / seconds[name],
            "over_before": count / seconds[name] / base,
        }
        for name in names
    }


def table(results: dict[str, Any]) -> str:
    lines = [
        "| raw single-process loop | pages | pages/s | ÷ before |",
        "|---|---:|---:|---:|",
    ]
    for name, row in results["variants"].items():
        lines.append(f"| {name} | {row['pages']} | {row['rate']:.1f} | {row['over_before']:.2f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="passes over the pages, each variant interleaved"
    )
    parser.add_argument(
        "--pages", type=int, default=0, help="the farm's first N pages (default: each page once)"
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "extraction.json")
    args = parser.parse_args(argv)
    page_set = load_pages()
    pages = farm_texts(page_set, args.pages or len(page_set.pages))
    info = machine()
    print(f"machine: {describe_machine(info)}\npages: {page_set.source}", flush=True)
    results = {
        "machine": info,
        "pages": page_set.source,
        "rounds": args.rounds,
        "variants": measure(pages, args.rounds),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(table(results))
    load = "/".join(f"{x:.2f}" for x in results["load_average_at_end"])
    print(f"{args.rounds} interleaved rounds; load average at end {load}; written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
