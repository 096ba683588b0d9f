"""Readable terminal output of article messages (rich tables; plain text when not a terminal)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table


def article_table(values: Iterable[dict[str, Any]], *, title: str, console: Console | None = None) -> int:
    """Print articles as a table (title, language, score, categories, jurisdictions); returns the row count."""
    table = Table(title=title, show_lines=False, expand=True)
    table.add_column("title", ratio=5, overflow="fold")
    table.add_column("lang", width=4)
    table.add_column("score", width=5, justify="right")
    table.add_column("categories", ratio=3, overflow="fold")
    table.add_column("jurisdictions", ratio=2, overflow="fold")
    rows = 0
    for value in values:
        regulation = value.get("regulation") or {}
        table.add_row(
            value.get("title") or value.get("url", ""),
            value.get("language") or "?",
            f"{regulation.get('score', 0):.2f}",
            ", ".join(regulation.get("categories", [])),
            ", ".join(regulation.get("jurisdictions", [])),
        )
        rows += 1
    (console or Console()).print(table)
    return rows
