"""The real labelled set: its shape, its provenance, its splits, and the frozen test split."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pycountry
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from regulation_set import (
    ITEMS,
    KINDS,
    REPO,
    SPLIT_NAMES,
    SPLITS,
    WEAK,
    load_items,
    read_jsonl,
    split_fingerprint,
)

from tests.shared_corpus import absent_reason, corpus_available
from transforms.regulation.taxonomy import CATEGORIES

GUIDELINE = REPO / "docs" / "regulation-guideline.md"
SHARED_GUIDELINE = REPO.parent / "shared" / "regulation-guideline.md"
CODES = {country.alpha_2 for country in pycountry.countries} | {"EU", "INTL"}
RESERVED = ("flairnlp/fundus",)  # kept for the independent answer key (docs/DEVELOPERS.md)
SUMMARY_CAP = 1_010  # a short record: 1,000 characters and the ellipsis that marks a cut


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return read_jsonl(ITEMS)


@pytest.fixture(scope="module")
def weak_records() -> list[dict]:
    return read_jsonl(WEAK)


@pytest.fixture(scope="module")
def splits() -> dict:
    return json.loads(SPLITS.read_text(encoding="utf-8"))


def test_the_set_is_large_and_multilingual(records: list[dict]) -> None:
    assert len(records) >= 2_000
    languages = Counter(record["language"] for record in records)
    assert sum(1 for count in languages.values() if count >= 50) >= 8, languages
    assert sum(record["label"] for record in records) >= 300
    kinds = Counter(record["kind"] for record in records)
    assert set(kinds) == set(KINDS), kinds


def test_every_record_is_well_formed(records: list[dict], weak_records: list[dict]) -> None:
    uids = [record["uid"] for record in records + weak_records]
    assert len(uids) == len(set(uids)), "a uid appears twice (in items.jsonl, weak.jsonl or both)"
    for record in records + weak_records:
        assert record["label"] in (0, 1), record["uid"]
        assert record["kind"] in KINDS, record["uid"]
        assert record["title"].strip(), record["uid"]
        assert ("full_text" in record) == (record["kind"] == "full"), record["uid"]
        assert len(record.get("summary", "")) <= SUMMARY_CAP, (
            f"{record['uid']}: only short records are stored"
        )
        if record["kind"] == "headline":
            assert not record.get("summary"), record["uid"]
    for record in records:
        if record["label"]:
            assert record["categories"], f"{record['uid']}: a positive names its categories"
            assert set(record["categories"]) <= set(CATEGORIES), record["uid"]
            assert set(record["jurisdictions"]) <= CODES, record["uid"]
        else:
            assert not record.get("categories") and not record.get("jurisdictions"), record["uid"]


def test_every_record_keeps_its_provenance(records: list[dict], weak_records: list[dict]) -> None:
    for record in records + weak_records:
        provenance = record["provenance"]
        if "corpus" in provenance:
            assert isinstance(provenance["index"], int), record["uid"]
        else:
            assert provenance["repository"].count("/") == 1, record["uid"]
            assert len(provenance["commit"]) == 40, record["uid"]
            assert provenance["path"] and isinstance(provenance["index"], int), record["uid"]
            assert provenance["repository"].lower() not in RESERVED, f"{record['uid']}: a reserved source"


def test_splits_are_by_source_and_cover_every_source(
    records: list[dict], weak_records: list[dict], splits: dict
) -> None:
    listed = [source for split in SPLIT_NAMES for source in splits[split]]
    assert len(listed) == len(set(listed)), "a source is in two splits"
    used = {record["source"] for record in records + weak_records}
    assert used <= set(listed), sorted(used - set(listed))
    by_split = Counter(
        split for record in records for split in SPLIT_NAMES if record["source"] in splits[split]
    )
    assert by_split["test"] >= 400 and by_split["dev"] >= 200, by_split


def test_the_test_split_is_frozen(records: list[dict], splits: dict) -> None:
    test_sources = set(splits["test"])
    test_records = [record for record in records if record["source"] in test_sources]
    assert split_fingerprint(test_records) == splits["test_fingerprint"], (
        "the test split changed: it is frozen (docs/DEVELOPERS.md); a deliberate change updates the fingerprint"
    )


def test_weak_labels_never_reach_dev_or_test(weak_records: list[dict], splits: dict) -> None:
    held_out = set(splits["dev"]) | set(splits["test"])
    assert not [record["uid"] for record in weak_records if record["source"] in held_out]
    assert all(record.get("weak") for record in weak_records)


@pytest.mark.skipif(not corpus_available(), reason=f"full texts are read from it: {absent_reason()}")
def test_full_texts_are_read_from_the_corpus() -> None:
    full = [item for item in load_items(("test",)) if item.kind == "full"]
    assert full and all(len(item.text) > 300 for item in full)


@pytest.mark.skipif(
    not SHARED_GUIDELINE.exists(), reason=f"the product's guideline is not at {SHARED_GUIDELINE}"
)
def test_the_guideline_in_docs_is_in_step_with_the_products() -> None:
    assert GUIDELINE.read_text(encoding="utf-8") == SHARED_GUIDELINE.read_text(encoding="utf-8")
