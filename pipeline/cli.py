"""The ``newsbeam`` command: run the pipeline, classify text, read topics, demo, schemas."""

from __future__ import annotations

import json
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

import click

from connectors.kafka_consume import read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.wire import SCHEMA_VERSION, load_schema
from pipeline.config import ConfigError

log = logging.getLogger("newsbeam")


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Beam and kafka-python are chatty at INFO; their warnings still show
    for noisy in ("apache_beam", "kafka", "urllib3", "trafilatura", "htmldate", "courlan"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def _stop_on_sigterm() -> None:
    # SIGTERM becomes KeyboardInterrupt, so atexit handlers (Prism's job server subprocess) still run
    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, handler)


@click.group()
@click.option("--log-level", default="INFO", show_default=True, help="DEBUG, INFO, WARNING or ERROR")
def main(log_level: str) -> None:
    """newsbeam: news feeds → Apache Beam → trafilatura → regulation flag → Apache Kafka."""
    _configure_logging(log_level)


@main.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def run(args: tuple[str, ...]) -> None:
    """Run the ingestion pipeline (``--feeds FILE --bootstrap-servers HOST:PORT [--once]`` + Beam options).

    \b
    --feeds FILE              feeds file (YAML)
    --bootstrap-servers H:P   Kafka (default 127.0.0.1:9092)
    --once                    poll every feed once, publish everything, exit (bounded mode)
    --topic-prefix NAME       topics NAME.articles/.regulation/.deadletter/.ops (default news)
    --duration S              streaming: stop after S seconds
    --allow-private-networks  allow loopback/private addresses (local servers)
    --runner NAME             default: in-process FnApiRunner with --once, Prism when streaming
    """
    if "--help" in args or "-h" in args:
        click.echo(click.get_current_context().get_help())
        return
    from pipeline.running import run as run_pipeline

    _stop_on_sigterm()
    try:
        summary = run_pipeline(args)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    except KeyboardInterrupt:
        log.info("stopped")
        return
    counters = ", ".join(f"{name}={value}" for name, value in sorted(summary.counters.items()))
    log.info("finished on %s (%s): %s", summary.runner, summary.state, counters or "no metrics reported")


@main.command()
def classify() -> None:
    """Flag JSON Lines from stdin ({"id", "title", "text", "language"?}) to JSON Lines on stdout."""
    from pipeline.classify import run_classify

    sys.exit(run_classify(sys.stdin, sys.stdout, sys.stderr))


@main.command()
@click.argument("topic")
@click.option("--bootstrap-servers", default="127.0.0.1:9092", show_default=True)
@click.option("--from-beginning", is_flag=True, help="start at the oldest message instead of new ones")
@click.option("--group", default=None, help="consumer group; offsets are committed after each message")
@click.option("--max-messages", type=int, default=None)
@click.option("--timeout", type=float, default=None, help="stop after this many seconds without a message")
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json", show_default=True)
def subscribe(
    topic: str,
    bootstrap_servers: str,
    from_beginning: bool,
    group: str | None,
    max_messages: int | None,
    timeout: float | None,
    fmt: str,
) -> None:
    """Print the messages of TOPIC as JSON lines (or a table)."""
    from pipeline.display import article_table

    settings = KafkaSettings.from_env(bootstrap_servers)
    messages = read_messages(
        settings,
        topic,
        group_id=group,
        from_beginning=from_beginning,
        max_messages=max_messages,
        timeout=timeout,
    )
    try:
        if fmt == "table":
            article_table([m.value for m in messages if m.value is not None], title=topic)
            return
        for message in messages:
            value = message.value if message.value is not None else message.raw.decode("utf-8", "replace")
            click.echo(json.dumps(value, ensure_ascii=False))
    except KeyboardInterrupt:
        pass
    except LookupError as error:
        raise click.ClickException(str(error)) from error


@main.command()
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
    from pipeline.demo import run_demo

    try:
        run_demo(bootstrap_servers=bootstrap_servers, topic_prefix=topic_prefix, samples=samples)
    except ConfigError as error:
        raise click.ClickException(str(error)) from error


@main.command()
@click.argument("name", required=False, type=click.Choice(["article", "deadletter", "ops"]))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="write every schema into this folder instead of printing",
)
def schema(name: str | None, out: Path | None) -> None:
    """Print (or export) the JSON Schemas of the topics' message values."""
    names = [name] if name else ["article", "deadletter", "ops"]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for each in names:
            target = out / f"{each}.v{SCHEMA_VERSION}.json"
            target.write_text(json.dumps(load_schema(each), indent=2) + "\n", encoding="utf-8")
            click.echo(str(target))
        return
    documents = {each: load_schema(each) for each in names}
    click.echo(json.dumps(documents[name] if name else documents, indent=2))


if __name__ == "__main__":
    main()
