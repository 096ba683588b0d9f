from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_feeds
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
        ("feeds: []", "lists no feeds"),
        ("nothing: here", "top-level 'feeds:' list"),
        ("feeds: [{name: a}]", "url must be a non-empty string"),
        ("feeds: [{url: 'http://x/'}]", "name must be a non-empty string"),
        ("feeds: [{name: a, url: 'ftp://x/f'}]", "must be http or https"),
        ("feeds: [{name: a, url: 'http://x/', poll_interval: 0}]", "poll_interval"),
        ("feeds: [{name: a, url: 'http://x/', colour: red}]", "unknown keys: colour"),
        ("feeds: [{name: a, url: 'http://x/'}, {name: a, url: 'http://y/'}]", "repeated: a"),
        ("feeds: [{name: a, url: 'http://x/', tags: nope}]", "tags must be a list"),
        ("allow_private_networks: maybe\nfeeds: [{name: a, url: 'http://x/'}]", "true, false or a list"),
        ("feeds: [unclosed", "not valid YAML"),
    ],
)
def test_bad_feeds_files_get_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_feeds(_write(tmp_path, text))


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read feeds file"):
        load_feeds(tmp_path / "absent.yaml")
