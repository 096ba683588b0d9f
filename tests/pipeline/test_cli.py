"""The ``newsbeam`` dispatcher: its table names every command, and listing them stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from pipeline.cli import COMMANDS, main
from tests.conftest import REPO


def test_every_command_of_the_table_is_the_click_command_of_that_name() -> None:
    context = click.Context(main)
    assert main.list_commands(context) == sorted(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(context, name)
        assert command is not None and command.name == name
    assert main.get_command(context, "no-such-command") is None


def test_the_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.output.split("Commands:", 1)[1]
    assert [line.split()[0] for line in listed.strip().splitlines()] == sorted(COMMANDS)


def test_listing_the_commands_imports_neither_beam_nor_trafilatura() -> None:
    # `newsbeam --help` and every command but run and demo start without them (seconds and ~90 MB)
    probe = (
        "import sys, click, pipeline.cli as cli; c = click.Context(cli.main); "
        "[cli.main.get_command(c, n) for n in cli.COMMANDS]; "
        "print(sorted(m for m in ('apache_beam', 'trafilatura') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_backfill_asks_for_its_archives_and_explains_its_options() -> None:
    from pipeline.commands.backfill import names_archives

    missing = CliRunner().invoke(main, ["backfill", "--domains", "cointelegraph.com"])
    assert missing.exit_code == 2 and "backfill needs --warc" in missing.output
    helped = CliRunner().invoke(main, ["backfill", "--help"])
    assert helped.exit_code == 0 and "warc.paths" in helped.output and "--languages" in helped.output
    assert names_archives(("--warc", "x.warc.gz")) and names_archives(("--warc=x.warc.gz",))
    assert not names_archives(("--warc-base", "dir"))


def test_a_backfill_of_no_file_stops_with_one_line() -> None:
    result = CliRunner().invoke(main, ["backfill", "--warc", "/nowhere/CC-NEWS-*.warc.gz"])
    assert result.exit_code == 1
    assert "--warc matches no file: /nowhere/CC-NEWS-*.warc.gz" in result.output


def test_leaving_after_a_run_waits_for_threads_runs_exit_handlers_and_keeps_the_exit_status(
    tmp_path: Path,
) -> None:
    program = f"""
import atexit, threading, time
from pathlib import Path
from pipeline.cli import leave

folder = Path({str(tmp_path)!r})
atexit.register(lambda: (folder / "exit-handler").write_text("ran"))
def late() -> None:
    time.sleep(0.3)
    (folder / "thread").write_text("finished")
threading.Thread(target=late).start()
print("printed before leaving", end="")
leave(3)
"""
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == "printed before leaving"
    assert (tmp_path / "thread").read_text() == "finished"
    assert (tmp_path / "exit-handler").read_text() == "ran"

    message = subprocess.run(
        [sys.executable, "-c", "from pipeline.cli import leave; leave('stopped: the reason')"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (message.returncode, message.stderr) == (1, "stopped: the reason\n")
