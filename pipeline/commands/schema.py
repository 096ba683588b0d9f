"""``newsbeam schema``: the JSON Schemas of the topics' message values, printed or exported to files."""

from __future__ import annotations

import json
from pathlib import Path

import click

from connectors.wire import SCHEMA_VERSION, load_schema

SCHEMAS = ("article", "deadletter", "ops")


@click.command()
@click.argument("name", required=False, type=click.Choice(SCHEMAS))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="write every schema into this folder instead of printing",
)
def schema(name: str | None, out: Path | None) -> None:
    """Print (or export) the JSON Schemas of the topics' message values."""
    names = [name] if name else list(SCHEMAS)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for each in names:
            target = out / f"{each}.v{SCHEMA_VERSION}.json"
            target.write_text(json.dumps(load_schema(each), indent=2) + "\n", encoding="utf-8")
            click.echo(str(target))
        return
    documents = {each: load_schema(each) for each in names}
    click.echo(json.dumps(documents[name] if name else documents, indent=2))
