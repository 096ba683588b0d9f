"""The field-completeness check of ``check_article_fields.py`` as a test, on the real pages and feeds of the
shared corpus (skipped, saying why, where the corpus is absent)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from check_article_fields import compare, real_entries
from extraction_pages import corpus_pages, corpus_root, missing_corpus

REASON = missing_corpus()


@pytest.mark.skipif(REASON is not None, reason=REASON or "")
@pytest.mark.slow
def test_articles_are_as_complete_as_with_full_metadata_on_the_real_corpus() -> None:
    pages, entries = corpus_pages(), real_entries(corpus_root())
    assert len(pages) >= 300 and len(entries) >= 200
    comparison = compare(pages, entries)
    assert comparison.bad == 0, comparison.examples
    # the comparison means something only if the pages did fill these fields
    assert comparison.filled["authors"] >= 400
    assert comparison.filled["published"] >= 600
    assert comparison.filled["title"] >= 600
