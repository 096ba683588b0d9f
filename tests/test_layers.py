"""Dependencies point one way: transforms ← connectors ← pipeline; transforms hold no side effects (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FORBIDDEN = {
    "transforms": {"connectors", "pipeline"},
    "connectors": {"pipeline"},
}
# What makes a side effect or a concurrency of its own: processes, threads, executors, sockets, HTTP, Kafka.
# They live in connectors/ and are handed to the stages explicitly.
SIDE_EFFECTS = {
    "multiprocessing", "threading", "concurrent", "socket", "ssl", "selectors", "asyncio",
    "http", "urllib3", "requests", "kafka",
}  # fmt: skip


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downwards(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(_imports(path) & FORBIDDEN[package])
        for path in (REPO / package).rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_transforms_never_read_the_environment() -> None:
    readers = [
        str(path.relative_to(REPO))
        for path in (REPO / "transforms").rglob("*.py")
        if "os.environ" in path.read_text(encoding="utf-8") or "getenv(" in path.read_text(encoding="utf-8")
    ]
    assert readers == []


def test_transforms_start_no_processes_threads_sockets_or_kafka() -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(_imports(path) & SIDE_EFFECTS)
        for path in (REPO / "transforms").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_side_effect_rule_sees_what_it_forbids(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text(
        "import threading\nfrom concurrent.futures import Future\nfrom kafka import KafkaProducer\n"
    )
    assert _imports(module) & SIDE_EFFECTS == {"threading", "concurrent", "kafka"}
