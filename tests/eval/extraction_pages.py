"""Real article pages of the shared corpus for the extraction checks, and the reference extraction call.

The pages are read in place from ``$NEWSBEAM_CORPUS`` (default ``../shared/corpus`` beside the repository;
see its MANIFEST.md), never copied into the repository:

- ``zyte``: the Zyte article-extraction benchmark, 181 pages with their human-annotated article body;
- ``trafilatura-eval``: trafilatura's evaluation sample, pages with snippets the extraction must contain
  (``with``) and must not (``without``); ``cointelegraph`` is its one Cointelegraph article;
- ``goose3`` and ``newspaper4k``: those projects' test pages (no gold text; metadata-rich news pages).

``with_full_metadata`` is the reference call: trafilatura's main text with every metadata field it finds
(``with_metadata=True``; main-text options ``REFERENCE_OPTIONS``, ``favor_precision``), the extraction every
speed ratio of the benchmarks is taken against. With the pipeline's main-text options
(``transforms.page_fields.MAIN_TEXT_OPTIONS``) it is what the fields of an article are compared with.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL = Path(__file__).resolve().parent
REPO = EVAL.parents[1]
for _path in (str(REPO), str(EVAL)):
    if _path not in sys.path:  # runnable as a script from anywhere
        sys.path.insert(0, _path)

from regulation_set import corpus_root  # noqa: E402

from transforms.extraction_fields import PageFields  # noqa: E402
from transforms.records import FeedEntry  # noqa: E402

__all__ = [
    "REFERENCE_OPTIONS",
    "CorpusPage",
    "add_corpus_option",
    "bare_entry",
    "corpus_pages",
    "corpus_root",
    "missing_corpus",
    "usable_corpus",
    "with_full_metadata",
]

ZYTE = Path("pages/zyte-article-extraction-benchmark")
TRAFILATURA_EVAL = Path("pages/trafilatura-eval")
OTHER_PAGES = (Path("pages/goose3"), Path("pages/newspaper4k"))
REFERENCE_OPTIONS: Mapping[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
}


@dataclass(frozen=True, slots=True)
class CorpusPage:
    """One real page: which set it is in, its file, the URL it was published at, and its gold if any."""

    set: str
    path: Path
    url: str
    gold_text: str | None = None  # the whole article body (zyte)
    with_snippets: tuple[str, ...] = ()  # text the article must contain (trafilatura-eval)
    without_snippets: tuple[str, ...] = ()  # text it must not contain

    def read(self) -> bytes:
        return self.path.read_bytes()


def missing_corpus(root: Path | None = None) -> str | None:
    """Why the page sets cannot be read from ``root`` (default: ``corpus_root()``), or None when they can."""
    root = root or corpus_root()
    if not (root / ZYTE / "ground-truth.json").is_file():
        return f"the shared corpus is not at {root} (set NEWSBEAM_CORPUS; it is not part of the repository)"
    return None


def add_corpus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--corpus", type=Path, default=None, help="default: $NEWSBEAM_CORPUS, else ../shared/corpus"
    )


def usable_corpus(given: Path | None) -> Path | None:
    """The corpus to read (``given``, else ``corpus_root()``), or None once it has printed why it skips."""
    root = given or corpus_root()
    reason = missing_corpus(root)
    if reason:
        print(f"skipped: {reason}")
        return None
    return root


def corpus_pages(root: Path | None = None, *, sets: tuple[str, ...] = ()) -> list[CorpusPage]:
    """The corpus pages of ``sets`` (every set when empty), in a stable order."""
    root = root or corpus_root()
    pages = [*_zyte(root), *_trafilatura_eval(root), *_others(root)]
    return [page for page in pages if not sets or page.set in sets]


def _zyte(root: Path) -> Iterator[CorpusPage]:
    gold = json.loads((root / ZYTE / "ground-truth.json").read_text(encoding="utf-8"))
    for item_id, expected in sorted(gold.items()):
        yield CorpusPage(
            "zyte",
            root / ZYTE / "items" / f"{item_id}.html",
            expected.get("url") or f"https://zyte.invalid/{item_id}",
            gold_text=expected.get("articleBody", ""),
        )


def _trafilatura_eval(root: Path) -> Iterator[CorpusPage]:
    for html in sorted((root / TRAFILATURA_EVAL).glob("*.html")):
        gold_path = html.with_name(f"{html.stem}.gold.json")
        gold = json.loads(gold_path.read_text(encoding="utf-8")) if gold_path.is_file() else {}
        yield CorpusPage(
            "cointelegraph" if "cointelegraph" in html.name else "trafilatura-eval",
            html,
            gold.get("url") or f"https://trafilatura-eval.invalid/{html.stem}",
            with_snippets=tuple(gold.get("with") or ()),
            without_snippets=tuple(gold.get("without") or ()),
        )


def _others(root: Path) -> Iterator[CorpusPage]:
    for folder in OTHER_PAGES:
        for html in sorted((root / folder).rglob("*.html")):
            relative = html.relative_to(root / folder).as_posix()
            yield CorpusPage(folder.name, html, f"https://{folder.name}.invalid/{relative}")


def bare_entry(url: str) -> FeedEntry:
    """A feed entry with a link and nothing else: title, date and text must all come from the page."""
    return FeedEntry(
        article_id="0" * 16,
        feed="corpus",
        feed_url="https://feeds.invalid/corpus.xml",
        url=url,
        guid=None,
        title="",
        summary="",
        content="",
        published=None,
        language_hint=None,
    )


def with_full_metadata(
    html: str, url: str | None, options: Mapping[str, Any] = REFERENCE_OPTIONS
) -> PageFields | None:
    """trafilatura's text (main-text ``options``) and all of its metadata, as plain ``PageFields``."""
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, **options)
    if doc is None:
        return None
    return PageFields(
        text=getattr(doc, "text", None),
        title=getattr(doc, "title", None),
        author=getattr(doc, "author", None),
        date=getattr(doc, "date", None),
        language=getattr(doc, "language", None),
    )
