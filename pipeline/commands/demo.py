"""``newsbeam demo``: the bundled sample feeds, served on 127.0.0.1, through the whole pipeline once.

Shows what a newcomer should see first: the flagged stories of this run, read back from
``<prefix>.regulation``, plus the counts on every topic.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from connectors.kafka_consume import end_offsets, read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from connectors.static_server import StaticServer
from pipeline.config import ConfigError

SAMPLES = Path(__file__).resolve().parents[2] / "deploy" / "feeds" / "sample"


@click.command()
@click.option("--bootstrap-servers", default="127.0.0.1:9092", show_default=True)
@click.option("--topic-prefix", default="news", show_default=True)
@click.option(
    "--samples",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="folder with feeds.yaml, feeds and pages (default: deploy/feeds/sample)",
)
def demo(bootstrap_servers: str, topic_prefix: str, samples: Path | None) -> None:
    """Serve the bundled sample feeds on 127.0.0.1, run the pipeline once, show the flagged stories."""
    try:
        run_demo(bootstrap_servers=bootstrap_servers, topic_prefix=topic_prefix, samples=samples)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


def run_demo(
    *, bootstrap_servers: str, topic_prefix: str = "news", samples: Path | None = None
) -> dict[str, int]:
    """Run the demo; returns how many messages this run added to each topic."""
    from pipeline.launcher import run  # imports Beam: only for a demo, never for `newsbeam --help`

    folder = samples or SAMPLES
    console = Console(stderr=False)
    settings = KafkaSettings.from_env(bootstrap_servers)
    topics = TopicNames(topic_prefix)
    ensure_topics(settings, default_specs(topics))
    before = {topic: end_offsets(settings, topic) for topic in topics.all()}
    with StaticServer(folder) as server:
        console.print(f"[bold]Serving the sample feeds[/] from {folder} at {server.base_url}")
        run(
            [
                "--feeds",
                str(folder / "feeds.yaml"),
                "--base-url",
                server.base_url,
                "--bootstrap-servers",
                bootstrap_servers,
                "--topic-prefix",
                topic_prefix,
                "--allow-private-networks",
                "--once",
            ]
        )
    added: dict[str, int] = {}
    flagged = []
    for topic in topics.all():
        messages = list(read_messages(settings, topic, start_offsets=before[topic], timeout=3.0))
        added[topic] = len(messages)
        if topic == topics.regulation:
            flagged = [m.value for m in messages if m.value is not None]
    article_table(flagged, title=f"Regulation stories on {topics.regulation} (this run)", console=console)
    console.print(
        "This run published: "
        + ", ".join(f"{count} on {topic}" for topic, count in added.items())
        + f"\nRead them yourself: .venv/bin/newsbeam subscribe {topics.regulation} --from-beginning "
        f"--bootstrap-servers {bootstrap_servers} --timeout 5"
    )
    return added


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
