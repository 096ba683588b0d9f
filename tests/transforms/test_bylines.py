"""A feed entry's byline becomes its article's authors, normalised as trafilatura normalises a page's."""

from __future__ import annotations

import json

import pytest

from tests.shared_corpus import absent_reason, corpus_available, corpus_path
from transforms.bylines import byline_authors
from transforms.feed_parsing import parse_feed
from transforms.records import Feed

FEED = Feed(name="f", url="http://127.0.0.1:9/feed.xml")


@pytest.mark.parametrize(
    ("names", "authors"),
    [
        (["Cointelegraph by Nate Kostar"], ("Nate Kostar",)),
        (["By Jane Doe, John Roe"], ("Jane Doe", "John Roe")),
        (["David Smith in Washington"], ("David Smith",)),
        (["Sam Jones in Madrid and Stephen Burgen in Barcelona"], ("Sam Jones", "Stephen Burgen")),
        (["Helene Braun", "AI Boost", "Helene Braun"], ("Helene Braun", "AI Boost")),
        (["newsdesk@example.com"], ()),
        (["", "   "], ()),
        (["x" * 300], ()),
    ],
)
def test_bylines_are_normalised(names: list[str], authors: tuple[str, ...]) -> None:
    assert byline_authors(names) == authors


def _rss(items: str, channel: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>t</title>{channel}{items}</channel></rss>"
    ).encode()


def test_rss_bylines_dc_creator_and_author_name_never_an_email() -> None:
    body = _rss(
        "<item><title>a</title><link>http://127.0.0.1:9/a</link><dc:creator>Cointelegraph by Helen Partz</dc:creator></item>"
        "<item><title>b</title><link>http://127.0.0.1:9/b</link><author>desk@news.com (Ana Lima)</author></item>"
        "<item><title>c</title><link>http://127.0.0.1:9/c</link><author>desk@news.com</author></item>"
        "<item><title>d</title><link>http://127.0.0.1:9/d</link></item>",
        channel="<managingEditor>editor@news.example (Chief Editor)</managingEditor>",
    )
    authors = [entry.authors for entry in parse_feed(FEED, body).entries]
    # the channel's managing editor is not the author of its items
    assert authors == [("Helen Partz",), ("Ana Lima",), (), ()]


def test_atom_entries_inherit_the_feed_authors_only_when_they_name_none() -> None:
    body = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        "<id>urn:f</id><updated>2026-11-23T08:00:00Z</updated><author><name>Desk Team</name></author>"
        "<entry><title>a</title><id>urn:a</id><link href='http://127.0.0.1:9/a'/><updated>2026-11-23T08:00:00Z</updated>"
        "<author><name>Lucía Romero</name></author></entry>"
        "<entry><title>b</title><id>urn:b</id><link href='http://127.0.0.1:9/b'/><updated>2026-11-23T08:00:00Z</updated></entry>"
        "</feed>"
    ).encode()
    assert [entry.authors for entry in parse_feed(FEED, body).entries] == [("Lucía Romero",), ("Desk Team",)]


def test_json_feed_authors_of_both_versions() -> None:
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "t",
        "items": [
            {
                "id": "1",
                "url": "http://127.0.0.1:9/1",
                "title": "one",
                "authors": [{"name": "Ana Lima"}, {"url": "x"}],
            },
            {"id": "2", "url": "http://127.0.0.1:9/2", "title": "two", "author": {"name": "Rui Costa"}},
            {"id": "3", "url": "http://127.0.0.1:9/3", "title": "three", "authors": "not a list"},
        ],
    }
    entries = parse_feed(FEED, json.dumps(document).encode(), content_type="application/feed+json").entries
    assert [entry.authors for entry in entries] == [("Ana Lima",), ("Rui Costa",), ()]


FEED_FOLDERS = ("en/cointelegraph", "en/coindesk", "en/news-misc", "de", "it", "pt", "ru", "cs")


@pytest.mark.skipif(not corpus_available(), reason=absent_reason())
def test_real_feeds_bylines_become_authors() -> None:
    import feedparser

    named = with_authors = 0
    for folder in FEED_FOLDERS:
        for path in sorted(corpus_path("feeds", folder).glob("*")):
            body = path.read_bytes()
            raw = feedparser.parse(body).entries
            entries = parse_feed(FEED, body).entries
            by_title = {" ".join(e.get("title", "").split()): e for e in raw}
            for entry in entries:
                source = by_title.get(entry.title)
                names = [p.get("name") for p in (source or {}).get("authors", []) if p.get("name")]
                named += bool(names)
                with_authors += bool(entry.authors)
                for author in entry.authors:
                    assert "@" not in author and " by " not in f" {author.lower()} ", (path.name, author)
                if names:  # a named byline never comes out empty: the page is then not asked for it
                    assert entry.authors, (path.name, names)
    assert named >= 130  # 141 of the 263 entries of these captures name an author
    assert with_authors >= named
