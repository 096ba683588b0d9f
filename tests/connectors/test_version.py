"""The version is written once, in pyproject.toml; the code reads it from the installed metadata."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import pytest

from connectors import version
from connectors.http import DEFAULT_USER_AGENT
from connectors.wire import headers_for

REPO = Path(__file__).resolve().parents[2]
DECLARED = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def test_the_installed_version_is_the_declared_one() -> None:
    assert version.installed_version() == DECLARED


def test_messages_and_requests_carry_it() -> None:
    assert dict(headers_for("article"))["newsbeam-version"] == DECLARED.encode()
    assert DEFAULT_USER_AGENT.startswith(f"newsbeam/{DECLARED} ")


def test_an_uninstalled_checkout_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(version, "version", not_installed)
    assert version.installed_version() == version.UNINSTALLED_VERSION


def test_no_module_writes_the_version_itself() -> None:
    sources = [
        *REPO.glob("pipeline/**/*.py"),
        *REPO.glob("connectors/**/*.py"),
        *REPO.glob("transforms/**/*.py"),
    ]
    writing = [
        path.relative_to(REPO) for path in sources if f'"{DECLARED}"' in path.read_text(encoding="utf-8")
    ]
    assert writing == []
