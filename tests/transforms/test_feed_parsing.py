from __future__ import annotations

import pytest

from tests.conftest import SAMPLES
from transforms.feed_parsing import InvalidFeed, html_to_text, parse_feed
from transforms.records import Feed

BASE = "http://127.0.0.1:9/"


def _feed(name: str, path: str, language: str | None = None) -> Feed:
    return Feed(name=name, url=BASE + path, language=language)


def test_rss_sample_parses_with_relative_links_resolved() -> None:
    body = (SAMPLES / "en" / "rss.xml").read_bytes()
    parsed = parse_feed(_feed("en", "en/rss.xml"), body, content_type="application/xml", seen_at="t")
    assert parsed.format == "rss20"
    assert len(parsed.entries) == 7
    first = parsed.entries[0]
    assert first.url == "http://127.0.0.1:9/en/sec-custody-rule.html"
    assert first.published == "2026-11-23T08:00:00Z"
    assert first.language_hint == "en"
    assert first.guid == "sample-en-sec-custody-rule"
    assert first.summary.startswith("The US Securities and Exchange Commission")
    assert parsed.ttl == 300.0


def test_atom_sample_converts_local_times_to_utc_and_strips_tracking() -> None:
    body = (SAMPLES / "en" / "policy.atom").read_bytes()
    parsed = parse_feed(_feed("policy", "en/policy.atom"), body)
    assert parsed.format == "atom10"
    assert [e.url for e in parsed.entries] == [
        "http://127.0.0.1:9/en/sec-custody-rule.html",
        "http://127.0.0.1:9/en/fca-fine-aml.html",
    ]
    # -03:00 in the feed
    assert parsed.entries[0].published == "2026-11-23T12:00:00Z"


def test_same_story_in_two_feeds_has_one_article_id() -> None:
    rss = parse_feed(_feed("en", "en/rss.xml"), (SAMPLES / "en" / "rss.xml").read_bytes())
    atom = parse_feed(_feed("policy", "en/policy.atom"), (SAMPLES / "en" / "policy.atom").read_bytes())
    assert {e.article_id for e in atom.entries} <= {e.article_id for e in rss.entries}


def test_declared_feed_language_is_a_primary_subtag_hint() -> None:
    parsed = parse_feed(_feed("pt", "pt/rss.xml"), (SAMPLES / "pt" / "rss.xml").read_bytes())
    assert {e.language_hint for e in parsed.entries} == {"pt"}


def test_entry_without_link_is_rejected_as_data() -> None:
    body = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
    <item><title>no link here</title><guid isPermaLink="false">x1</guid></item>
    <item><title>ok</title><link>http://example.org/a</link></item></channel></rss>"""
    parsed = parse_feed(_feed("f", "f.xml"), body)
    assert [e.title for e in parsed.entries] == ["ok"]
    assert parsed.rejected == [("no_link", {"guid": "x1", "title": "no link here"})]


@pytest.mark.parametrize("body", [b"", b"<html><body>not a feed</body></html>", b"\x00\x01garbage"])
def test_non_feed_raises_invalid_feed(body: bytes) -> None:
    with pytest.raises(InvalidFeed, match="not a feed"):
        parse_feed(_feed("bad", "bad.xml"), body)


def test_local_language_date_does_not_crash() -> None:
    body = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
    <item><title>Notícia</title><link>http://example.org/n</link><pubDate>Seg, 24 Set 2018 10:00:00 -0300</pubDate></item>
    </channel></rss>""".encode()
    parsed = parse_feed(_feed("pt", "pt.xml"), body)
    assert len(parsed.entries) == 1
    assert parsed.entries[0].published in (None, "2018-09-24T13:00:00Z")


def test_html_to_text_drops_markup_and_scripts() -> None:
    assert html_to_text("<p>Hello <b>world</b></p><script>x()</script>") == "Hello world"
    assert html_to_text("  plain   text ") == "plain text"
    assert html_to_text("") == ""
