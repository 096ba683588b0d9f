"""The ``newsbeam monitor`` web service: follow the topics, read consumer lag, serve the dashboard.

Two daemon threads keep a ``MonitorState`` current (one follows ``<prefix>.ops``, ``.articles``,
``.regulation`` and ``.deadletter`` from ``lookback`` seconds ago; one reads consumer-group lag every
``lag_interval`` seconds with the admin client), and a stdlib ``ThreadingHTTPServer`` serves:

- ``/`` the dashboard (static HTML, CSS and our own JS, no CDN), which polls the ``/api/...`` endpoints;
- ``/metrics`` the Prometheus text format;
- ``/healthz`` 200 or 503 with a JSON body that says why;
- ``/api/summary``, ``/api/feeds``, ``/api/series``, ``/api/flagged``, ``/api/deadletters``, ``/api/lag``.

With a token (``MonitorSettings.token``), every path answers 401 unless the request carries it, as
``Authorization: Bearer <token>`` (scrapers, scripts) or the ``newsbeam_monitor_token`` cookie (browsers:
opening ``/?token=<token>`` once sets the cookie and redirects to the same page without the token in its
address). Every response carries a Content-Security-Policy that allows only the monitor's own scripts,
styles and API (no inline code: what feeds say reaches the page as text only), ``X-Content-Type-Options:
nosniff`` and ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import hmac
import http.cookies
import http.server
import json
import logging
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer

from connectors.kafka_settings import KafkaSettings, new_admin, new_consumer
from connectors.kafka_topics import TopicNames
from connectors.ops_events import TopicTail, consumer_lag
from pipeline.monitor.metrics import render
from pipeline.monitor.state import HealthRules, MonitorState, followed_topics

log = logging.getLogger(__name__)

STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}
PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
TOKEN_COOKIE = "newsbeam_monitor_token"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the address may carry ?token= once
}


@dataclass(frozen=True, kw_only=True, slots=True)
class MonitorSettings:
    """What the service watches and how it judges health."""

    kafka: KafkaSettings
    topics: TopicNames
    host: str = "127.0.0.1"
    port: int = 8080
    lookback: float = 24 * 3600.0  # seconds of history read at start-up
    lag_interval: float = 15.0
    rules: HealthRules = field(default_factory=HealthRules)
    token: str | None = field(default=None, repr=False)  # every request must carry it, when set


def summary(state: MonitorState) -> dict[str, Any]:
    """The dashboard's header: health, heartbeat and the pipeline's counters."""
    beat = state.heartbeat()
    return {
        "prefix": state.prefix,
        "now": state.clock(),
        "health": state.health(),
        "heartbeat": beat,
        "counters": (beat or {}).get("counters") or {},
        "feeds": len(state.feeds()),
        "backfills": state.backfills(),
        "totals": {
            k: v for k, v in state.totals().items() if k in ("consumed", "last_article", "undecodable")
        },
    }


class MonitorService:
    """Follower, lag reader and HTTP server around one ``MonitorState``."""

    def __init__(self, settings: MonitorSettings) -> None:
        self.settings = settings
        self.state = MonitorState(settings.topics.prefix, rules=settings.rules)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._httpd = http.server.ThreadingHTTPServer((settings.host, settings.port), self._handler())
        self._httpd.daemon_threads = True
        self.port = int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.port}"

    def start(self) -> None:
        """Start following the topics and reading lag (the HTTP server starts with ``serve_forever``)."""
        for target, name in ((self._follow, "monitor-follow"), (self._read_lag, "monitor-lag")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def serve_forever(self) -> None:
        """Serve HTTP until ``shutdown()`` (or Ctrl-C)."""
        self.start()
        log.info(
            "monitor of %s.* on %s at %s", self.state.prefix, self.settings.kafka.bootstrap_servers, self.url
        )
        try:
            self._httpd.serve_forever(poll_interval=0.5)
        finally:
            self.shutdown()

    def shutdown(self) -> None:
        """Stop the threads and close the server."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._httpd.server_close()

    def _follow(self) -> None:
        topics = self.settings.topics
        tail = TopicTail(
            self.settings.kafka, followed_topics(topics), since=time.time() - self.settings.lookback
        )
        try:
            while not self._stop.is_set():
                try:
                    self.state.apply_all(tail.poll(0.5))
                except Exception as error:  # the broker may be away for a while: keep trying, say so
                    log.warning("reading the topics failed, retrying: %s", error)
                    tail.close()
                    self._stop.wait(2.0)
        finally:
            tail.close()

    def _read_lag(self) -> None:
        admin: KafkaAdminClient | None = None
        consumer: KafkaConsumer | None = None
        try:
            while not self._stop.is_set():
                try:
                    if admin is None or consumer is None:
                        admin = new_admin(self.settings.kafka)
                        consumer = new_consumer(self.settings.kafka, group_id=None)
                    self.state.set_lag(consumer_lag(admin, consumer, topics=self.settings.topics.all()))
                except Exception as error:
                    log.warning("reading consumer lag failed: %s", error)
                    self.state.set_lag([], error=f"{type(error).__name__}: {error}")
                self._stop.wait(self.settings.lag_interval)
        finally:
            if admin is not None:
                admin.close()
            if consumer is not None:
                consumer.close()

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "newsbeam-monitor"

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("%s %s", self.address_string(), format % args)

            def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                extra = {name.replace("_", "-"): value for name, value in headers.items()}  # Set_Cookie...
                for name, value in {**SECURITY_HEADERS, **extra}.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _authorised(self, query: dict[str, list[str]]) -> bool:
                """Whether the request may be answered; answers it itself (401, or the cookie's
                redirect) when not."""
                token = service.settings.token
                if token is None:
                    return True
                offered = [
                    self.headers.get("Authorization", "").removeprefix("Bearer ").strip(),
                    _cookie(self.headers.get("Cookie", ""), TOKEN_COOKIE),
                ]
                if any(hmac.compare_digest(value.encode(), token.encode()) for value in offered if value):
                    return True
                in_address = query.get("token", [""])[0]
                if in_address and hmac.compare_digest(in_address.encode(), token.encode()):
                    cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
                    self._send(303, b"", "text/plain", Location=self.path.split("?", 1)[0], Set_Cookie=cookie)
                    return False
                body = (
                    b"this monitor needs its token: send 'Authorization: Bearer <token>', "
                    b"or open /?token=<token> once in a browser\n"
                )
                self._send(
                    401, body, "text/plain; charset=utf-8", WWW_Authenticate='Bearer realm="newsbeam monitor"'
                )
                return False

            def _json(self, status: int, value: Any) -> None:
                self._send(status, json.dumps(value, ensure_ascii=False).encode("utf-8"), "application/json")

            def do_HEAD(self) -> None:
                self.do_GET()

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                state = service.state
                try:
                    if not self._authorised(urllib.parse.parse_qs(query)):
                        return
                    if path in STATIC:
                        name, kind = STATIC[path]
                        body = resources.files("pipeline.monitor").joinpath("static", name).read_bytes()
                        self._send(200, body, kind)
                    elif path == "/metrics":
                        self._send(200, render(state), PROMETHEUS_CONTENT_TYPE)
                    elif path == "/healthz":
                        health = state.health()
                        self._json(200 if health["healthy"] else 503, health)
                    elif path == "/api/summary":
                        self._json(200, summary(state))
                    elif path == "/api/feeds":
                        self._json(200, state.feeds())
                    elif path == "/api/series":
                        self._json(200, state.series())
                    elif path == "/api/flagged":
                        self._json(200, state.flagged())
                    elif path == "/api/deadletters":
                        self._json(200, state.dead_letters())
                    elif path == "/api/lag":
                        self._json(200, state.lag())
                    else:
                        self._json(404, {"error": f"no such page: {path}"})
                except BrokenPipeError:
                    pass
                except Exception as error:
                    log.exception("serving %s failed", path)
                    self._json(500, {"error": f"{type(error).__name__}: {error}"})

        return Handler


def _cookie(header: str, name: str) -> str:
    """The value of cookie ``name`` in a Cookie header ("" when absent or unparseable)."""
    cookies = http.cookies.SimpleCookie()
    try:
        cookies.load(header)
    except http.cookies.CookieError:
        return ""
    morsel = cookies.get(name)
    return morsel.value if morsel is not None else ""
