"""robots.txt for article pages (RFC 9309), fetched through the same guarded, polite ``HttpClient``.

One ``RobotsCache`` per worker process (``shared_robots``) caches each origin's rules for ``ttl`` seconds;
a bounded run warms it for each feed's site while the feed itself is fetched, so the first pages do not
wait one more round trip for it. What an answer means follows RFC 9309 §2.3.1: a 2xx body is parsed
(first 512 KiB); a 4xx (404 above all) means no rules, everything allowed; a 5xx, a timeout or a refused
connection means the site cannot say, so everything is disallowed until the entry expires (a shorter
``error_ttl``). Feeds themselves are not checked: a feed is an invitation to poll it.
"""

from __future__ import annotations

import logging
import threading
import time
import urllib.robotparser
from typing import NamedTuple
from urllib.parse import urlsplit

from connectors.errors import FetchError, HttpStatusError, RobotsDisallowed
from connectors.http import HttpClient, HttpSettings

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: crawlers must parse at least 500 KiB
ROBOTS_TOKEN = "newsbeam"  # the product token our User-Agent starts with


class _Rules:
    def __init__(self, parser: urllib.robotparser.RobotFileParser | None, allow_all: bool, why: str) -> None:
        self.parser = parser
        self.allow_all = allow_all
        self.why = why  # for the Blocked message

    def allows(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return self.parser.can_fetch(ROBOTS_TOKEN, url)


class _Cached(NamedTuple):
    rules: _Rules
    until: float  # monotonic time the rules are good until


class RobotsCache:
    """Whether robots.txt lets us fetch a URL, one fetch of it per origin per ``ttl`` seconds."""

    def __init__(self, client: HttpClient, *, ttl: float = 3600.0, error_ttl: float = 300.0) -> None:
        self._client = client
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._lock = threading.Lock()
        self._rules: dict[str, _Cached] = {}
        self._fetching: dict[str, threading.Lock] = {}

    def warm(self, url: str) -> None:
        """Fetch the rules of ``url``'s origin now, unless cached (failures are cached like any answer)."""
        self._rules_for(url)

    def check(self, url: str) -> None:
        """Return when ``url`` may be fetched; raise ``RobotsDisallowed`` when it may not."""
        rules = self._rules_for(url)
        if not rules.allows(url):
            raise RobotsDisallowed(f"robots.txt {rules.why}", url=url)

    def _rules_for(self, url: str) -> _Rules:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            cached = self._rules.get(origin)
            if cached and cached.until > time.monotonic():
                return cached.rules
            per_origin = self._fetching.setdefault(origin, threading.Lock())
        with per_origin:  # one fetch per origin even when many pages of it arrive at once
            with self._lock:
                cached = self._rules.get(origin)
                if cached and cached.until > time.monotonic():
                    return cached.rules
            rules, ttl = self._fetch(origin)
            with self._lock:
                self._rules[origin] = _Cached(rules, until=time.monotonic() + ttl)
            return rules

    def _fetch(self, origin: str) -> tuple[_Rules, float]:
        robots_url = f"{origin}/robots.txt"
        try:
            response = self._client.get(robots_url, max_bytes=ROBOTS_MAX_BYTES)
        except HttpStatusError as error:
            if 400 <= error.status < 500 and error.status != 429:
                return _Rules(None, True, "absent"), self._ttl
            log.warning("robots.txt of %s unavailable (%s): disallowing for now", origin, error)
            return _Rules(
                None, False, f"unavailable (HTTP {error.status}): disallowed for now"
            ), self._error_ttl
        except FetchError as error:
            log.warning("robots.txt of %s unavailable (%s): disallowing for now", origin, error)
            return _Rules(None, False, f"unavailable ({error.reason}): disallowed for now"), self._error_ttl
        parser = urllib.robotparser.RobotFileParser(robots_url)
        parser.parse(response.body.decode("utf-8", errors="replace").splitlines())
        return _Rules(parser, True, f"of {origin} disallows this path for {ROBOTS_TOKEN}"), self._ttl


_SHARED: dict[HttpSettings, RobotsCache] = {}
_SHARED_LOCK = threading.Lock()


def shared_robots(settings: HttpSettings) -> RobotsCache:
    """The process-wide cache for these settings, with a client of its own (it lives as long as the process)."""
    with _SHARED_LOCK:
        if settings not in _SHARED:
            _SHARED[settings] = RobotsCache(HttpClient(settings, pool_size=8))
        return _SHARED[settings]
