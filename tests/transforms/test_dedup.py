"""DropDuplicates: versions, cross-feed duplicates, and what earlier runs published (restart safety)."""

from __future__ import annotations

from dataclasses import replace

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.dedup import DropDuplicates, entry_fingerprint, next_version
from transforms.records import FeedEntry


def _entry(
    feed: str = "main", url: str = "https://e.org/a", title: str = "T", content: str = "C"
) -> FeedEntry:
    return FeedEntry(
        article_id=url.rsplit("/", 1)[-1],
        feed=feed,
        feed_url="https://e.org/rss",
        url=url,
        guid=None,
        title=title,
        summary="",
        content=content,
        published=None,
        language_hint=None,
    )


def test_first_sight_is_version_one_with_its_fingerprint() -> None:
    emitted, state = next_version(_entry(), None)
    assert emitted is not None and emitted.version == 1 and emitted.fingerprint == entry_fingerprint(_entry())
    assert state == ("main", entry_fingerprint(_entry()), 1)


def test_same_entry_again_or_from_another_feed_is_dropped() -> None:
    _, state = next_version(_entry(), None)
    assert next_version(_entry(), state)[0] is None
    assert next_version(_entry(feed="category", title="Changed"), state)[0] is None  # not the owner


def test_owner_changing_title_or_content_makes_a_new_version() -> None:
    _, state = next_version(_entry(), None)
    emitted, state = next_version(_entry(content="C, corrected"), state)
    assert emitted is not None and emitted.version == 2
    emitted, _ = next_version(_entry(title="T (updated)", content="C, corrected"), state)
    assert emitted is not None and emitted.version == 3


def test_whitespace_only_changes_are_not_a_new_version() -> None:
    assert entry_fingerprint(_entry(title="A  title")) == entry_fingerprint(_entry(title=" A title "))


def test_a_record_without_fingerprint_is_adopted_not_republished() -> None:
    emitted, state = next_version(_entry(), ("main", "", 4))
    assert emitted is None and state == ("main", entry_fingerprint(_entry()), 4)


def test_published_side_input_stands_in_for_empty_state() -> None:
    same, changed, fresh = (
        _entry(url="https://e.org/same"),
        _entry(url="https://e.org/changed"),
        _entry(url="https://e.org/new"),
    )
    published = {
        "same": ("main", entry_fingerprint(same), 1),
        "changed": ("main", entry_fingerprint(replace(changed, content="old text")), 3),
    }
    with TestPipeline(runner="FnApiRunner") as pipeline:
        entries, dead = pipeline | beam.Create([same, changed, fresh, same]) | DropDuplicates(published)
        out = entries | beam.Map(lambda e: (e.article_id, e.version))
        assert_that(out, equal_to([("changed", 4), ("new", 1)]))
        assert_that(dead, equal_to([]), label="no dead letters")
