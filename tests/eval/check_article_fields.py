"""Are articles as complete when the page is asked only for the metadata the feed entry lacks?

Run: ``python tests/eval/check_article_fields.py``. For every page of the shared corpus
(``extraction_pages``: Zyte, trafilatura-eval, goose3, newspaper4k) and two feed entries each, the article is
built twice: from trafilatura with every metadata field (``with_full_metadata`` with the pipeline's main-text
options) and by ``extract_article`` as the pipeline runs it. Every field of the two articles is compared and
counted as the same, changed, filled → missing or missing → filled.

The entries: one that carries nothing but its link (title, date and text must all come from the page), and
one of the real feeds' entries in the corpus (``feeds/{en,regulators,ru,pt,de,it,cs}``, taken in turn), with
its own title, date and text, placed at the page's URL: the shapes entries have in production.

Prints the counts per field; exits 1 when a field went from filled to missing or changed (the articles must
be the same), 0 otherwise. Without the corpus it prints ``skipped: <reason>`` and exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from extraction_pages import (
    CorpusPage,
    add_corpus_option,
    bare_entry,
    corpus_pages,
    usable_corpus,
    with_full_metadata,
)

from transforms.extraction import NoText, build_article, extract_article
from transforms.feed_parsing import InvalidFeed, parse_feed
from transforms.page_encoding import decode_html
from transforms.page_fields import MAIN_TEXT_OPTIONS
from transforms.records import Article, Feed, FeedEntry, Page

FEED_FOLDERS = ("en", "regulators", "ru", "pt", "de", "it", "cs")
CONTENT_TYPE = "text/html"
OUTCOMES = ("same", "changed", "filled → missing", "missing → filled")


def real_entries(root: Path) -> list[FeedEntry]:
    """Every entry of the real feeds in the corpus, parsed as the pipeline parses them."""
    entries: list[FeedEntry] = []
    for folder in FEED_FOLDERS:
        for path in sorted((root / "feeds" / folder).rglob("*")):
            if not path.is_file():
                continue
            feed = Feed(name=path.stem, url=f"https://feeds.invalid/{folder}/{path.name}")
            try:
                entries.extend(parse_feed(feed, path.read_bytes()).entries)
            except InvalidFeed:
                continue
    return entries


def article_or_none(build: Callable[[], Article]) -> Article | None:
    try:
        return build()
    except NoText:
        return None


def outcome(before: object, after: object) -> str:
    if before == after:
        return "same"
    if before in (None, "", ()) and after not in (None, "", ()):
        return "missing → filled"
    if after in (None, "", ()):
        return "filled → missing"
    return "changed"


@dataclass
class Comparison:
    """Per field of ``Article``, how many article pairs had each outcome; examples of what differed."""

    counts: dict[str, Counter[str]]
    filled: Counter[str]  # articles built by extract_article with the field filled
    examples: list[str]
    articles: int = 0
    seconds: float = 0.0

    @property
    def bad(self) -> int:
        return sum(c["changed"] + c["filled → missing"] for c in self.counts.values())


def compare(pages: list[CorpusPage], entries: list[FeedEntry]) -> Comparison:
    """Build every page's articles both ways and count, field by field, how they compare."""
    names = [f.name for f in fields(Article)]
    result = Comparison({name: Counter() for name in names}, Counter(), [])
    started = time.perf_counter()
    for number, corpus_page in enumerate(pages):
        body = corpus_page.read()
        reference = with_full_metadata(decode_html(body, CONTENT_TYPE), corpus_page.url, MAIN_TEXT_OPTIONS)
        candidates = [bare_entry(corpus_page.url)]
        if entries:
            candidates.append(replace(entries[number % len(entries)], url=corpus_page.url))
        for entry in candidates:
            page = Page(entry, corpus_page.url, 200, body, CONTENT_TYPE)
            before = article_or_none(lambda page=page, fields=reference: build_article(page, fields))
            after = article_or_none(lambda page=page: extract_article(page))
            result.articles += 1
            for name in names:
                kind = outcome(getattr(before, name, None), getattr(after, name, None))
                result.counts[name][kind] += 1
                result.filled[name] += getattr(after, name, None) not in (None, "", ())
                if kind != "same" and len(result.examples) < 20:
                    result.examples.append(f"{corpus_page.path.name} {name}: {kind}")
    result.seconds = time.perf_counter() - started
    return result


def report(comparison: Comparison, pages: int, entries: int) -> str:
    lines = [
        f"{comparison.articles} article pairs ({pages} corpus pages × 2 entries; {entries} real feed entries "
        f"taken in turn), {comparison.seconds:.0f} s",
        f"| field | filled | {' | '.join(OUTCOMES)} |",
        "|---|" + "---:|" * (1 + len(OUTCOMES)),
    ]
    for name, counts in comparison.counts.items():
        row = [str(comparison.filled[name]), *(str(counts[kind]) for kind in OUTCOMES)]
        lines.append(f"| {name} | {' | '.join(row)} |")
    lines.extend(comparison.examples)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add_corpus_option(parser)
    args = parser.parse_args(argv)
    root = usable_corpus(args.corpus)
    if root is None:
        return 0
    pages, entries = corpus_pages(root), real_entries(root)
    comparison = compare(pages, entries)
    print(report(comparison, len(pages), len(entries)))
    missing = sum(c["filled → missing"] for c in comparison.counts.values())
    changed = sum(c["changed"] for c in comparison.counts.values())
    print(f"fields filled before and missing now: {missing}; changed: {changed}")
    if comparison.bad:
        print("FAILED: an article field is less complete, or different, than with full metadata")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
