"""parse_feed on the samples, on fixture feeds that carry their expectations, and on hostile XML."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from connectors.static_server import StaticServer
from tests.conftest import SAMPLES
from transforms.feed_parsing import InvalidFeed, UnsafeFeed, html_to_text, parse_feed
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


# --- fixture feeds that state their own expectation (tests/fixtures/feeds/<name>.expected.json) ---

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
FIXTURES = sorted(p for p in FEEDS.iterdir() if p.suffix in (".xml", ".json") and ".expected." not in p.name)


@pytest.mark.parametrize("path", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_feed_meets_its_expectation(path: Path) -> None:
    expected = json.loads(path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json").read_text("utf-8"))
    feed = Feed(name=path.stem, url=expected.get("base_url", BASE + path.name))
    started = time.monotonic()
    if "error" in expected:
        with pytest.raises(InvalidFeed) as caught:
            parse_feed(feed, path.read_bytes())
        assert caught.value.reason == expected["error"]
        assert time.monotonic() - started < 5  # refused up front, nothing expanded
        return
    parsed = parse_feed(feed, path.read_bytes())
    assert [e.title for e in parsed.entries] == expected["titles"]
    for key, attribute in (("format", "format"), ("encoding", "encoding"), ("identity", "identity")):
        if key in expected:
            assert getattr(parsed, attribute) == expected[key], key
    if "urls" in expected:
        assert [e.url for e in parsed.entries] == expected["urls"]
    if "published" in expected:
        assert [e.published for e in parsed.entries] == expected["published"]
    if "contents" in expected:
        assert [e.content or e.summary for e in parsed.entries] == expected["contents"]
    if "language" in expected:
        assert {e.language_hint for e in parsed.entries} == {expected["language"]}
    assert [reason for reason, _ in parsed.rejected] == expected.get("rejected", [])
    assert parsed.repeated == expected.get("repeated", 0)
    if "distinct_ids" in expected:
        assert len({e.article_id for e in parsed.entries}) == expected["distinct_ids"]
    assert not parsed.malformed


def test_charset_in_the_http_header_wins_when_it_decodes() -> None:
    body = (FEEDS / "rss-windows-1251-undeclared.xml").read_bytes()
    parsed = parse_feed(_feed("ru", "ru.xml"), body, content_type="application/rss+xml; charset=windows-1251")
    assert parsed.encoding == "cp1251" and parsed.encoding_source == "http"
    assert parsed.entries[0].title.startswith("Центральный банк")


def test_a_latin1_label_on_utf8_bytes_is_read_as_utf8() -> None:
    body = '<rss version="2.0"><channel><title>t</title><item><title>Notícia de São Paulo</title><link>http://e.org/a</link></item></channel></rss>'.encode()
    parsed = parse_feed(_feed("pt", "pt.xml"), body, content_type="text/xml; charset=ISO-8859-1")
    assert parsed.entries[0].title == "Notícia de São Paulo"


def test_external_entity_is_never_fetched(fixture_server: StaticServer) -> None:
    body = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{fixture_server.url("secret.txt")}">]>'
        '<rss version="2.0"><channel><title>t</title><item><title>&x;</title>'
        "<link>http://e.org/a</link></item></channel></rss>"
    ).encode()
    with pytest.raises(UnsafeFeed):
        parse_feed(_feed("xxe", "xxe.xml"), body)
    assert fixture_server.requests == []


def test_entity_references_without_declarations_stay_harmless() -> None:
    # defence in depth: an undeclared reference reaches feedparser, which neither expands nor fetches it
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>a &lol9; b</title><link>http://e.org/a</link></item></channel></rss>'
    parsed = parse_feed(_feed("undeclared", "u.xml"), body)
    assert len(parsed.entries[0].title) < 40


def test_identity_never_climbs_back_once_a_feed_fell_back() -> None:
    body = (FEEDS / "guids-duplicated.xml").read_bytes()
    assert parse_feed(_feed("f", "f.xml"), body).identity == "guid+link"
    healthy = (SAMPLES / "en" / "rss.xml").read_bytes()
    assert parse_feed(_feed("f", "f.xml"), healthy).identity == "guid"
    assert parse_feed(_feed("f", "f.xml"), healthy, identity_floor="guid+link").identity == "guid+link"


def test_not_json_feed_json_is_invalid() -> None:
    with pytest.raises(InvalidFeed, match="items"):
        parse_feed(_feed("j", "j.json"), b'{"hello": "world"}', content_type="application/json")
    with pytest.raises(InvalidFeed, match="JSON"):
        parse_feed(_feed("j", "j.json"), b'{"items": [', content_type="application/feed+json")


LAUGHS = (
    '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
)
ROOT = '<rss version="2.0"><channel><title>t</title><item><title>&f;</title><link>http://e.org/a</link></item></channel></rss>'


@pytest.mark.parametrize(
    "prolog",
    [
        "<!--" + "x" * 70_000 + "-->",  # past the 64 KiB a text scan once read
        "<!-- <rss> is not the root: this is a comment -->",
        "<?pi <!DOCTYPE not-this-one> ?>",
        "\n\n",
    ],
    ids=["after-a-70-KB-comment", "after-a-comment-with-markup", "after-a-processing-instruction", "plain"],
)
def test_an_internal_subset_is_refused_wherever_the_doctype_stands(prolog: str) -> None:
    body = f'<?xml version="1.0"?>{prolog}{LAUGHS}{ROOT}'.encode()
    with pytest.raises(UnsafeFeed, match="internal subset"):
        parse_feed(_feed("laughs", "l.xml"), body)


def test_a_prolog_the_parser_cannot_read_is_refused_only_when_it_declares_entities() -> None:
    # junk before the XML declaration: expat stops there, the lenient parser reads the feed
    readable = f"junk<?xml version='1.0'?>{ROOT.replace('&f;', 'plain title')}".encode()
    assert [e.title for e in parse_feed(_feed("junk", "j.xml"), readable).entries] == ["plain title"]
    with pytest.raises(UnsafeFeed, match="cannot be read"):
        parse_feed(_feed("junk", "j.xml"), f"junk<?xml version='1.0'?>{LAUGHS}{ROOT}".encode())


def test_a_doctype_without_an_internal_subset_still_reads() -> None:
    body = (FEEDS / "rss-091.xml").read_bytes()  # the Netscape DOCTYPE, a public identifier only
    assert parse_feed(_feed("old", "o.xml"), body).format == "rss091n"
