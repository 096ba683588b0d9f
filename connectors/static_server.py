"""A small HTTP server on loopback that serves a folder: the demo's feeds and pages, the tests' fixtures.

It runs in a daemon thread and stops with ``close()`` (or as a context manager). Routes can be added to
misbehave on purpose (status codes, delays, redirects, endless bodies) for the hostile-input tests.
"""

from __future__ import annotations

import http.server
import mimetypes
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

# A route handler gets the request handler and writes the whole response itself.
Route = Callable[[http.server.BaseHTTPRequestHandler], None]


def respond(
    handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes = b"", **headers: str
) -> None:
    """Write a whole response; ``Retry_After="5"`` becomes a ``Retry-After`` header."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def reply(status: int, body: bytes = b"", **headers: str) -> Route:
    """A route that always answers ``status`` with ``body`` (headers as in ``respond``)."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        respond(handler, status, body, **headers)

    return route


def drip_headers(lines: int = 20, every: float = 0.5) -> Route:
    """A route that sends a 200 status line, then one header line every ``every`` seconds: a server that
    never lets a per-read timeout fire, for the tests of a fetch's whole-exchange budget."""

    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        try:
            for line in range(lines):
                handler.send_header(f"X-Slow-{line}", "x")
                handler.flush_headers()
                time.sleep(every)
            handler.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what the tests want

    return route


class _QuietHTTPServer(http.server.ThreadingHTTPServer):
    """A client that hangs up (what the hostile-input tests do on purpose) is no error worth a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class StaticServer:
    """Serve ``root`` at ``http://<host>:<port>/``; ``port=0`` picks a free port. ``host`` is a loopback
    address (any of 127.0.0.0/8 on Linux), so tests can stand up a second server at another address."""

    def __init__(self, root: Path | str, *, port: int = 0, host: str = "127.0.0.1") -> None:
        self.root = Path(root).resolve()
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, headers) of every request
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .requests
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                route = server.routes.get(self.path.split("?")[0])
                if route is not None:
                    route(self)
                    return
                server._serve_file(self)

        self.host = host
        self._httpd = _QuietHTTPServer((host, port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="static-server", daemon=True)
        self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def _serve_file(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        relative = handler.path.split("?")[0].lstrip("/")
        target = (self.root / relative).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            body = b"not found"
            handler.send_response(404)
            handler.send_header("Content-Type", "text/plain")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
            return
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".xml", ".rss", ".atom"):
            kind = "application/xml"
        handler.send_response(200)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def close(self) -> None:
        """Stop serving and join the thread."""
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> StaticServer:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()
