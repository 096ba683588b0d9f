"""``newsbeam backfill``: the pipeline over web archives (WARC/ARC files) instead of feeds.

The same as ``newsbeam run --warc …``: every argument goes to Beam's option parser (``pipeline.options``),
so the backfill is a set of pipeline options that any runner takes (``--runner FlinkRunner`` …). This
command only insists on ``--warc`` and says what the backfill's options are.
"""

from __future__ import annotations

import click

from pipeline.commands.run import run_with_progress


def names_archives(args: tuple[str, ...]) -> bool:
    """Whether ``args`` give ``--warc`` (either spelling, with its value apart or after ``=``)."""
    return any(arg in ("--warc", "--warc=") or arg.startswith("--warc=") for arg in args)


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def backfill(args: tuple[str, ...]) -> None:
    """Backfill from web archives: WARC/ARC files → extraction → flagging → the same Kafka topics.

    \b
    --warc PATH|GLOB|LIST     WARC/ARC files (.warc, .warc.gz, .arc, .arc.gz), a glob, or a list file in
                              CC-NEWS's warc.paths format; repeat for more (any Beam file system)
    --warc-base DIR|URL       resolve a list file's relative paths against this (default: its folder)
    --domains D1,D2           keep pages of these hosts or domains only (subdomains included)
    --since DATE --until DATE keep captures in [since, until) by WARC-Date (YYYY-MM-DD or ISO 8601, UTC)
    --languages en,pt         publish articles in these detected languages only
    --max-record-bytes N      larger records are dead letters (too_large), never read (default 10 MiB)
    --split-bytes N           files are read in parts of N bytes spread over workers (default 64 MiB)
    --bootstrap-servers H:P   Kafka (default 127.0.0.1:9092); --topic-prefix NAME (default news)
    --runner NAME             any Beam runner; default: in-process FnApiRunner
    --log-format text|json    json: one JSON object per log line

    On a terminal: progress bars (files, records and records/s, bytes, articles, flagged, dead letters)
    and a summary table at the end; `<prefix>.ops` gets archive_progress events the monitor shows.
    """
    if "--help" in args or "-h" in args:
        click.echo(click.get_current_context().get_help())
        return
    if not names_archives(args):
        raise click.UsageError("backfill needs --warc PATH|GLOB|LIST (the archives to read)")
    run_with_progress(args)
