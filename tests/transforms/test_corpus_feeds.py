"""Acceptance over the real feeds in the shared corpus's feeds/ folder (read in place, never copied here).

Every feed in the language and regulator folders parses to entries (or, for feeds whose items carry no
link, rejected items) with non-empty titles; the malformed ones never crash parse_feed (entries or
InvalidFeed). Skips, saying why, where the corpus is absent.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from tests.shared_corpus import absent_reason, corpus_path
from transforms.feed_parsing import InvalidFeed, parse_feed
from transforms.records import Feed

CORPUS = corpus_path("feeds")
READABLE = ("en", "regulators", "ru", "pt", "de", "it", "cs", "non-utf8")
# script a decoded title must be in, by the encoding the feed was written in (mojibake fails this)
SCRIPTS = {"euckr": "HANGUL", "shiftjis": "KATAKANA|HIRAGANA|CJK", "eucjp": "KATAKANA|HIRAGANA|CJK",
           "gb2312": "CJK", "koi8r": "CYRILLIC", "windows-1251": "CYRILLIC", "windows1255": "HEBREW",
           "tis620": "THAI"}  # fmt: skip
# feedparser's encoding-detection samples that hold a feed title and no item at all
WITHOUT_ITEMS = {"feedparser-chardet_big5.xml"}


def _files(*folders: str) -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(p for folder in folders for p in (CORPUS / folder).rglob("*") if p.is_file())


def _skip_without_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(absent_reason(CORPUS))


@pytest.mark.parametrize(
    "path", _files(*READABLE) or [None], ids=lambda p: p and p.relative_to(CORPUS).as_posix()
)
def test_real_feed_parses_to_titled_entries(path: Path | None) -> None:
    _skip_without_corpus()
    assert path is not None
    parsed = parse_feed(Feed(name=path.stem, url=f"https://feeds.example.org/{path.name}"), path.read_bytes())
    titles = [e.title for e in parsed.entries] + [raw.get("title") or "" for _, raw in parsed.rejected]
    if not titles and path.name in WITHOUT_ITEMS:
        titles = [parsed.title]  # the feed's own title is all there is to decode
    assert titles, f"{path.name}: no entries"
    assert all(title.strip() for title in titles), f"{path.name}: an empty title"
    assert not any("\ufffd" in title for title in titles), f"{path.name}: undecodable bytes in a title"
    script = next((s for key, s in SCRIPTS.items() if key in path.name.lower().replace("_", "")), None)
    if script:
        names = " ".join(unicodedata.name(c, "") for title in titles for c in title)
        assert any(part in names for part in script.split("|")), (
            f"{path.name}: titles not in {script}: {titles[:2]}"
        )


@pytest.mark.parametrize("path", _files("malformed") or [None], ids=lambda p: p and p.name)
def test_malformed_feed_never_crashes(path: Path | None) -> None:
    _skip_without_corpus()
    assert path is not None
    try:
        parsed = parse_feed(Feed(name=path.stem, url="https://feeds.example.org/x.xml"), path.read_bytes())
    except InvalidFeed as error:
        assert error.reason in ("invalid_feed", "unsafe_xml")
        return
    assert isinstance(parsed.entries, list)
