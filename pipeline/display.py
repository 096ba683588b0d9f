"""Readable terminal output of article messages (rich tables; plain text when not a terminal)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table


def article_table(values: Iterable[dict[str, Any]], *, title: str, console: Console | None = None) -> int:
    """Print articles as a table (title, language, score, categories, jurisdictions); returns the row count."""
    # one category per line, never broken mid-word: the title column takes what is left
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("title", ratio=1, overflow="fold")
    table.add_column("lang", width=4, no_wrap=True)
    table.add_column("score", width=5, justify="right", no_wrap=True)
    table.add_column("categories", no_wrap=True)
    table.add_column("jurisdictions", no_wrap=True)
    rows = 0
    for value in values:
        regulation = value.get("regulation") or {}
        table.add_row(
            value.get("title") or value.get("url", ""),
            value.get("language") or "?",
            f"{regulation.get('score', 0):.2f}",
            "\n".join(regulation.get("categories", [])),
            " ".join(regulation.get("jurisdictions", [])),
        )
        rows += 1
    (console or Console()).print(table)
    return rows
