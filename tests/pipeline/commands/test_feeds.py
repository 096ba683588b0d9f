"""`newsbeam feeds import-opml|discover|check` over real HTTP on 127.0.0.1 (nothing published)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from connectors.static_server import StaticServer
from pipeline.cli import main
from pipeline.feeds_file import load_feeds
from tests.conftest import FIXTURES

FEEDS = FIXTURES / "feeds"


def test_import_opml_writes_a_valid_feeds_file(tmp_path: Path) -> None:
    out = tmp_path / "feeds.yaml"
    result = CliRunner().invoke(
        main, ["feeds", "import-opml", str(FEEDS / "subscriptions.opml"), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    loaded = load_feeds(out)  # the output is a feeds file the pipeline accepts
    assert [(f.name, f.url, f.tags, f.language) for f in loaded.feeds] == [
        ("example-crypto-news", "https://crypto.example.org/rss", ("Crypto",), None),
        ("example-crypto-news-2", "https://crypto.example.org/rss/policy", ("Crypto",), None),
        ("banco-exemplo", "https://banco.example.gov.br/feed.xml", ("Regulators",), "pt-BR"),
        ("top-level-json", "https://json.example.net/feed.json", (), None),
    ]
    printed = CliRunner().invoke(main, ["feeds", "import-opml", str(FEEDS / "subscriptions.opml")])
    assert yaml.safe_load(printed.stdout)["feeds"][0]["url"] == "https://crypto.example.org/rss"


def test_import_opml_rejects_what_is_not_opml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<rss/>", encoding="utf-8")
    result = CliRunner().invoke(main, ["feeds", "import-opml", str(bad)])
    assert result.exit_code == 1 and "not <opml>" in result.output


def test_discover_lists_advertised_feeds(fixture_server: StaticServer) -> None:
    url = fixture_server.url("feeds/page-with-feeds.html")
    result = CliRunner().invoke(main, ["feeds", "discover", url, "--allow-private-networks"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{fixture_server.url('newsroom/rss.xml')}\trss\tAll news",
        f"{fixture_server.url('en/policy.atom')}\tatom\tPolicy",
        "https://json.example.net/feed.json\tjson\tJSON",
    ]


def test_discover_honours_the_ssrf_guard_by_default(fixture_server: StaticServer) -> None:
    result = CliRunner().invoke(main, ["feeds", "discover", fixture_server.url("feeds/page-with-feeds.html")])
    assert result.exit_code == 1 and "blocked" in result.output
    assert fixture_server.requests == []


def test_discover_reports_a_feed_url_as_itself(fixture_server: StaticServer) -> None:
    url = fixture_server.url("feeds/jsonfeed-1.0.json")
    result = CliRunner().invoke(main, ["feeds", "discover", url, "--allow-private-networks"])
    assert result.stdout.splitlines() == [f"{url}\tjson\tOld desk"]


def test_check_reports_each_feed_once_and_fails_on_a_broken_one(
    fixture_server: StaticServer, tmp_path: Path
) -> None:
    feeds = [
        {"name": "cp1251", "url": fixture_server.url("feeds/rss-windows-1251-undeclared.xml")},
        {"name": "json", "url": fixture_server.url("feeds/jsonfeed-1.1.json")},
        {"name": "laughs", "url": fixture_server.url("feeds/billion-laughs.xml")},
        {"name": "missing", "url": fixture_server.url("feeds/nope.xml")},
    ]
    path = tmp_path / "feeds.yaml"
    path.write_text(json.dumps({"allow_private_networks": True, "feeds": feeds}), encoding="utf-8")
    result = CliRunner().invoke(main, ["feeds", "check", str(path)])
    lines = {line.split()[1]: line for line in result.stdout.splitlines()}
    assert result.exit_code == 1
    assert lines["cp1251"].startswith("OK") and "format=rss20\tentries=3\tencoding=cp1251" in lines["cp1251"]
    assert (
        lines["json"].startswith("OK")
        and "format=json11" in lines["json"]
        and "rejected: no_link" in lines["json"]
    )
    assert lines["laughs"].startswith("FAIL") and "error=unsafe_xml" in lines["laughs"]
    assert lines["missing"].startswith("FAIL") and "status=404" in lines["missing"]
    assert len(fixture_server.requests) == 4  # each feed fetched once


BAD_OPML = """<?xml version="1.0"?>
<opml version="2.0"><body>
<outline text="passwd" xmlUrl="file:///etc/passwd"/>
<outline text="script" xmlUrl="javascript:alert(1)"/>
<outline text="port" xmlUrl="http://example.org:99999/feed"/>
<outline text="good" xmlUrl="https://example.org/feed"/>
</body></opml>
"""


def test_import_opml_refuses_feeds_that_cannot_be_polled_with_their_lines(tmp_path: Path) -> None:
    opml, out = tmp_path / "bad.opml", tmp_path / "feeds.yaml"
    opml.write_text(BAD_OPML, encoding="utf-8")
    result = CliRunner().invoke(main, ["feeds", "import-opml", str(opml), "--out", str(out)])
    assert result.exit_code == 1
    assert "lists 3 feed(s) that cannot be polled; nothing was written" in result.output
    assert "bad.opml:3: outline 'passwd': xmlUrl: scheme 'file' is not allowed" in result.output
    assert "bad.opml:4: outline 'script': xmlUrl: scheme 'javascript' is not allowed" in result.output
    assert (
        "bad.opml:5: outline 'port': xmlUrl: not a URL that can be fetched (Port out of range"
        in result.output
    )
    assert not out.exists()


def test_import_opml_refuses_an_interval_that_is_not_positive() -> None:
    result = CliRunner().invoke(
        main, ["feeds", "import-opml", str(FEEDS / "subscriptions.opml"), "--poll-interval", "-5.0"]
    )
    assert result.exit_code == 2 and "--poll-interval" in result.output and "-5.0" in result.output


def test_check_refuses_a_feeds_file_with_a_port_out_of_range(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("feeds:\n  - name: p\n    url: http://127.0.0.1:99999/feed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["feeds", "check", str(feeds)])
    assert result.exit_code == 1
    assert (
        "feeds.yaml:3: feeds[0] (p): url: not a URL that can be fetched (Port out of range" in result.output
    )
