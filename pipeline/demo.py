"""``newsbeam demo``: the bundled sample feeds, served on 127.0.0.1, through the whole pipeline once.

Shows what a newcomer should see first: the flagged stories of this run, read back from
``<prefix>.regulation``, plus the counts on every topic.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from connectors.kafka_consume import end_offsets, read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames, default_specs, ensure_topics
from connectors.static_server import StaticServer
from pipeline.display import article_table
from pipeline.launcher import run

SAMPLES = Path(__file__).resolve().parents[1] / "deploy" / "feeds" / "sample"


def run_demo(
    *, bootstrap_servers: str, topic_prefix: str = "news", samples: Path | None = None
) -> dict[str, int]:
    """Run the demo; returns how many messages this run added to each topic."""
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
