from __future__ import annotations

import pytest

from transforms.ids import article_id, canonical_url


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        (
            "HTTPS://Cointelegraph.com:443/news/x?utm_source=rss&b=2&a=1#top",
            None,
            "https://cointelegraph.com/news/x?a=1&b=2",
        ),
        ("/news/y", "https://br.cointelegraph.com/rss", "https://br.cointelegraph.com/news/y"),
        ("../news/z", "https://es.cointelegraph.com/rss/feed", "https://es.cointelegraph.com/news/z"),
        ("http://example.org:80/a?fbclid=1", None, "http://example.org/a"),
        ("http://127.0.0.1:8080/a b", None, "http://127.0.0.1:8080/a%20b"),
        ("https://example.org", None, "https://example.org/"),
    ],
)
def test_canonical_url(url: str, base: str | None, expected: str) -> None:
    assert canonical_url(url, base) == expected


def test_article_id_is_stable_across_tracking_and_case() -> None:
    plain = article_id("https://cointelegraph.com/news/telegram-kazakhstan")
    assert plain == article_id("https://COINTELEGRAPH.com/news/telegram-kazakhstan?utm_medium=rss#comments")
    assert len(plain) == 16 and all(c in "0123456789abcdef" for c in plain)
    assert plain != article_id("https://cointelegraph.com/news/telegram-kazakhstan-2")
