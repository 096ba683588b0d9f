"""The ``newsbeam`` command: the options every command shares, and the table of commands.

Each command lives in a module of its own under ``pipeline.commands``, imported only when that command
runs (or when ``newsbeam --help`` lists them). The extraction processes a run spawns import this module as
their main module, so it stays light: importing it imports no command, and neither Beam nor trafilatura.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import threading
from typing import NoReturn

import click

from pipeline import allocator
from pipeline.commands.console import configure_logging

# command name → "module:attribute" of its click command
COMMANDS = {
    "run": "pipeline.commands.run:run",
    "backfill": "pipeline.commands.backfill:backfill",
    "demo": "pipeline.commands.demo:demo",
    "classify": "pipeline.commands.classify:classify",
    "subscribe": "pipeline.commands.subscribe:subscribe",
    "schema": "pipeline.commands.schema:schema",
    "feeds": "pipeline.commands.feeds:feeds",
    "monitor": "pipeline.commands.monitor:monitor",
    "status": "pipeline.commands.status:status",
}
# commands that run the pipeline: the real program re-executes itself on jemalloc (pipeline/allocator.py)
# before it imports them, so the imports before the re-execution cost as little as they can
ON_JEMALLOC = frozenset({"run", "backfill"})


class CommandTable(click.Group):
    """A click group whose commands are the ``COMMANDS`` table, each imported when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] in ON_JEMALLOC and (ctx.obj or {}).get("program"):
            try:
                allocator.reexec_with_allocator()
            except ValueError as error:
                raise click.ClickException(str(error)) from error
        return super().resolve_command(ctx, args)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, _, attribute = COMMANDS[cmd_name].partition(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command), COMMANDS[cmd_name]
        return command


@click.group(cls=CommandTable)
@click.option("--log-level", default="INFO", show_default=True, help="DEBUG, INFO, WARNING or ERROR")
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    envvar="NEWSBEAM_LOG_FORMAT",
    help="json: one JSON object per log line, for log shippers",
)
@click.pass_context
def main(ctx: click.Context, log_level: str, log_format: str) -> None:
    """newsbeam: news feeds → Apache Beam → trafilatura → regulation flag → Apache Kafka."""
    # ``entry()`` marks the real program (``{"program": True}``); tests invoking ``main`` in-process do not
    ctx.obj = {**(ctx.obj or {}), "log_level": log_level, "log_format": log_format}
    configure_logging(log_level, log_format)


def entry() -> None:
    """The ``newsbeam`` program (and ``python -m pipeline.cli``): ``main`` marked as the real process, so
    ``run`` may re-execute it on jemalloc (pipeline/allocator.py)."""
    try:
        main(obj={"program": True})
    except SystemExit as done:
        if ON_JEMALLOC.intersection(sys.argv[1:]) and "apache_beam" in sys.modules:
            leave(done.code)
        raise


def leave(code: object) -> NoReturn:
    """Exit as the interpreter would, without tearing down every module: after a run that imported Beam the
    teardown alone costs a quarter of a second, and a run has closed its clients and pools by now. Threads
    that are not daemons are waited for and the exit handlers run, as on a normal exit."""
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)


if __name__ == "__main__":
    entry()
