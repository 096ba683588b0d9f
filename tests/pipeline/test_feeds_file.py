from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.config import ConfigError
from pipeline.feeds_file import load_feeds
from tests.conftest import REPO, SAMPLES


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_feeds_file_is_valid_and_covers_cointelegraph_editions() -> None:
    loaded = load_feeds(REPO / "deploy" / "feeds" / "default.yaml")
    urls = {feed.url for feed in loaded.feeds}
    assert "https://cointelegraph.com/rss" in urls
    assert "https://br.cointelegraph.com/rss" in urls
    languages = {feed.language for feed in loaded.feeds if "cointelegraph" in feed.name}
    assert {"en", "pt-BR", "es", "de", "fr", "it", "ja", "ar", "tr"} <= languages
    assert not loaded.allow_private_networks
    assert all(feed.poll_interval >= 60 for feed in loaded.feeds)


def test_sample_feeds_resolve_against_the_demo_server() -> None:
    loaded = load_feeds(SAMPLES / "feeds.yaml", base_url="http://127.0.0.1:8123")
    assert loaded.feeds[0].url == "http://127.0.0.1:8123/en/rss.xml"
    assert loaded.allow_private_networks is True
    assert loaded.feeds[2].language == "pt-BR"
    assert loaded.feeds[0].tags == ("sample", "crypto")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds: []", ":1: the feeds list is empty"),
        ("nothing: here", "top-level 'feeds:' list"),
        ("feeds: [{name: a}]", ":1: feeds[0] (a): url must be a non-empty string"),
        ("feeds: [{url: 'http://x/'}]", "name must be a non-empty string"),
        ("feeds: [{name: a, url: 'ftp://x/f'}]", "only http and https"),
        (
            "feeds: [{name: a, url: 'http://x/', poll_interval: 0}]",
            "poll_interval must be a number of seconds >= 1",
        ),
        ("feeds: [{name: a, url: 'http://x/', colour: red}]", "unknown key 'colour'"),
        ("feeds: [{name: a, url: 'http://x/'}, {name: a, url: 'http://y/'}]", "'a' is repeated"),
        ("feeds: [{name: a, url: 'http://x/', tags: nope}]", "tags must be a list"),
        ("allow_private_networks: maybe\nfeeds: [{name: a, url: 'http://x/'}]", "true, false or a list"),
        ("feeds: [unclosed", "not valid YAML"),
    ],
)
def test_bad_feeds_files_get_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_feeds(_write(tmp_path, text))


# what a careless or hostile feeds file does, each refused at start with its line
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("feeds:\n  - name: a\n    url: http://e.org:99999/feed\n", 3, "Port out of range 0-65535"),
        ('feeds:\n  - name: a\n    url: "http://[oops/feed"\n', 3, "Invalid IPv6 URL"),
        ("feeds:\n  - name: a\n    url: file:///etc/passwd\n", 3, "scheme 'file' is not allowed"),
        ("feeds:\n  - name: a\n    url: javascript:alert(1)\n", 3, "scheme 'javascript' is not allowed"),
        ("feeds:\n  - name: a\n    url: http://e.org/f\n    poll_interval: -5.0\n", 4, "not -5.0"),
        ("feeds:\n  - name: a\n    url: http://e.org/f\n    poll_interval: .nan\n", 4, "not nan"),
        (
            "feeds:\n  - {name: a, url: 'http://e.org/a'}\nfeeds:\n  - {name: b, url: 'http://e.org/b'}\n",
            3,
            "key 'feeds' is given twice (first on line 1)",
        ),
        ("feeds:\n  - {name: a, url: 'http://e.org/a'}\n  - {name: a, url: 'http://e.org/b'}\n", 3, "'a' is repeated"),
    ],
    ids=["port-99999", "bad-ipv6-literal", "file-url", "javascript-url", "negative-interval", "nan-interval",
         "second-feeds-key", "repeated-name"],
)  # fmt: skip
def test_a_bad_file_is_refused_at_start_with_the_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    with pytest.raises(ConfigError, match=rf"feeds\.yaml:{line}: .*{re.escape(message)}"):
        load_feeds(_write(tmp_path, text))


def test_every_problem_of_a_file_is_listed_at_once(tmp_path: Path) -> None:
    text = (
        "feeds:\n"
        "  - {name: a, url: 'http://e.org:99999/a', poll_interval: -5}\n"
        "  - {name: a, url: 'file:///etc/passwd', colour: red}\n"
        "feeds:\n"
        "  - {name: b, url: 'javascript:alert(1)'}\n"
        "allow_private_network: true\n"
    )
    with pytest.raises(ConfigError) as raised:
        load_feeds(_write(tmp_path, text))
    lines = str(raised.value).splitlines()
    assert lines[0].endswith("has 8 problem(s); nothing was started:")
    assert [line.split(": ", 1)[0].rsplit(":", 1)[1] for line in lines[1:]] == [
        "2",
        "2",
        "3",
        "3",
        "3",
        "4",
        "5",
        "6",
    ]


def test_a_file_that_is_not_utf8_is_refused_with_the_line_of_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_bytes("feeds:\n  - name: café\n    url: http://e.org/f\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"feeds\.yaml:2: the feeds file is not UTF-8 text \(byte 0xe9"):
        load_feeds(path)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read feeds file"):
        load_feeds(tmp_path / "absent.yaml")
