"""What the monitor's integration tests share: the real `newsbeam monitor` process, HTTP, headless Chromium."""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import free_port
from tests.integration.helpers import start_newsbeam, stop_process
from tests.waiting import wait_for

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# flags that keep Debian's chromium offline and quiet in a container
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def http_get(url: str, *, timeout: float = 10.0) -> tuple[int, str, str]:
    """``(status, content type, body)`` of a GET; 4xx/5xx are answers too, not exceptions."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode("utf-8")


def http_request(url: str, *, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """``(status, headers, body)`` of a GET that follows no redirect; any status is an answer."""

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirects())
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
            return response.status, dict(response.headers.items()), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read().decode("utf-8")


def get_json(url: str) -> tuple[int, Any]:
    """Status and decoded JSON body."""
    status, _, body = http_get(url)
    return status, json.loads(body)


@contextlib.contextmanager
def running_monitor(bootstrap: str, prefix: str, log_path: Path, *extra: str) -> Iterator[str]:
    """``newsbeam monitor`` as a user starts it, on a free port; yields its base URL; stopped afterwards."""
    port = free_port()
    process = start_newsbeam(
        log_path, "monitor", "--bootstrap-servers", bootstrap, "--topic-prefix", prefix,
        "--port", str(port), "--lag-interval", "1", *extra,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"

    def answering() -> bool:
        assert process.poll() is None, f"the monitor exited:\n{log_path.read_text()[-3000:]}"
        with contextlib.suppress(OSError):
            return http_get(base + "/api/summary", timeout=2)[0] in (200, 401)  # 401: it wants its token
        return False

    try:
        wait_for(answering, 60, "the monitor to answer on /api/summary", interval=0.3)
        yield base
    finally:
        stop_process(process)


@contextlib.contextmanager
def chromium_page(viewport: tuple[int, int] = (1400, 1000)) -> Iterator[tuple[Any, list[str]]]:
    """A page in Debian's headless Chromium driven by Playwright, and the console errors it logs."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed: `make browser` installs it (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    profile = tempfile.mkdtemp(prefix="newsbeam-chromium-")
    try:
        with sync_playwright() as playwright:
            # a persistent context is how Playwright takes a fresh --user-data-dir of our own
            context = playwright.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": viewport[0], "height": viewport[1]},
            )
            try:
                page = context.new_page()
                page.on(
                    "console",
                    lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None,
                )
                page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
                page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url} {r.failure}"))
                yield page, errors
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
