"""The labelled set of real news items the regulation flagger is trained, tuned and judged on.

Everything lives in ``tests/eval/regulation/real/``:

* ``items.jsonl``: items labelled by reading, following ``docs/regulation-guideline.md``: ``label`` (1 = a
  regulation story), ``uncertain`` (a borderline item, decided by the guideline's compliance-analyst question),
  and for positives ``categories`` and ``jurisdictions``;
* ``weak.jsonl``: weakly labelled items (the unread rest of general-news captures, labelled 0) — for training
  only, never for tuning or testing;
* ``splits.json``: every source's split (``train``, ``dev``, ``test``). A source is one capture (one file of one
  repository or of the shared corpus); the split is by source, so no capture of the test split is ever trained
  on. ``test_fingerprint`` freezes the test split's labels (``tests/eval/test_regulation_set.py`` checks it).

Every item keeps its provenance: ``{"repository", "path", "commit", "index"}`` for items committed in public
repositories, ``{"corpus", "index"}`` for items of the shared corpus (the corpus's ``MANIFEST.md`` gives each
file's own repository and commit). Headlines and summaries are stored here as short title + summary records;
full texts are not: a full-text item only says where its text is (``full_text``: a corpus path, an index and for
JSON captures the field), and ``corpus_items.read_text`` reads it from the shared corpus
(``tests/shared_corpus.py`` says where that is).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.shared_corpus import absent_reason, corpus_available, corpus_root

REPO = Path(__file__).resolve().parents[2]
REAL_DIR = Path(__file__).resolve().parent / "regulation" / "real"
ITEMS = REAL_DIR / "items.jsonl"
WEAK = REAL_DIR / "weak.jsonl"
SPLITS = REAL_DIR / "splits.json"
SPLIT_NAMES = ("train", "dev", "test")
KINDS = ("headline", "summary", "full")


@dataclass(frozen=True)
class Item:
    """One real news item with its label (gold, or weak when ``weak`` names the rule)."""

    uid: str
    source: str
    split: str
    language: str
    kind: str  # headline, summary or full
    title: str
    text: str  # the summary or the full text the flagger is given ("" for a headline)
    label: bool
    uncertain: bool = False
    categories: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    weak: str | None = None
    publisher: str = ""  # the site or body that published it ("cointelegraph.com", "sec.gov")
    record: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every record of a JSON Lines file."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_splits() -> dict[str, str]:
    """Source → split."""
    data = json.loads(SPLITS.read_text(encoding="utf-8"))
    return {source: split for split in SPLIT_NAMES for source in data[split]}


def split_fingerprint(records: Iterable[dict[str, Any]]) -> str:
    """SHA-256 over the test split's (uid, label, categories, jurisdictions), in uid order."""
    rows = sorted(
        (r["uid"], int(r["label"]), sorted(r.get("categories", ())), sorted(r.get("jurisdictions", ())))
        for r in records
    )
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


def _text_of(record: dict[str, Any]) -> str:
    where = record.get("full_text")
    if where is None:
        return str(record.get("summary", ""))
    from corpus_items import read_text  # imports the extraction stack: only when a full text is wanted

    return read_text(corpus_root(), where["path"], where["index"], where.get("field"))


def to_item(record: dict[str, Any], splits: dict[str, str]) -> Item:
    """The item a record describes, its text read from the corpus when it points there."""
    return Item(
        uid=record["uid"],
        source=record["source"],
        split=splits[record["source"]],
        language=record["language"],
        kind=record["kind"],
        title=record["title"],
        text=_text_of(record),
        label=bool(record["label"]),
        uncertain=bool(record.get("uncertain", False)),
        categories=tuple(record.get("categories", ())),
        jurisdictions=tuple(record.get("jurisdictions", ())),
        weak=record.get("weak"),
        publisher=record.get("publisher", ""),
        record=record,
    )


def load_items(
    splits_wanted: Iterable[str] = SPLIT_NAMES, *, weak: bool = False, need_corpus: bool = True
) -> list[Item]:
    """Labelled items of the wanted splits (and weakly labelled ones when ``weak``), in file order.

    Items that point into the shared corpus are read from it; without it they are left out when
    ``need_corpus`` is false and make this raise otherwise (a figure over part of a split is not the figure).
    """
    splits = load_splits()
    wanted = set(splits_wanted)
    records = read_jsonl(ITEMS) + (read_jsonl(WEAK) if weak else [])
    if need_corpus and not corpus_available() and any("full_text" in r for r in records):
        raise FileNotFoundError(f"items point into the shared corpus, and {absent_reason()}")
    items = []
    for record in records:
        if splits[record["source"]] not in wanted:
            continue
        if "full_text" in record and not corpus_available():
            continue
        items.append(to_item(record, splits))
    return items
