"""`newsbeam run` re-executes itself on jemalloc when it is installed; NEWSBEAM_MALLOC chooses."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.allocator import CHOICE, REEXECUTED, find_jemalloc, preload_environment

REPO = Path(__file__).resolve().parents[2]
JEMALLOC = find_jemalloc()


def test_an_explicit_library_goes_first_in_ld_preload_and_marks_the_process(tmp_path: Path) -> None:
    library = tmp_path / "libmalloc.so"
    library.write_bytes(b"")
    environment = preload_environment({CHOICE: str(library), "LD_PRELOAD": "/opt/other.so", "KEEP": "1"})
    assert environment is not None
    assert environment["LD_PRELOAD"] == f"{library}:/opt/other.so"
    assert environment[REEXECUTED] == str(library)
    assert environment["KEEP"] == "1"


def test_the_system_choice_and_a_process_already_re_executed_stay_as_they_are(tmp_path: Path) -> None:
    assert preload_environment({CHOICE: "system"}) is None
    assert preload_environment({CHOICE: str(tmp_path), REEXECUTED: "/usr/lib/libjemalloc.so.2"}) is None


def test_a_library_that_is_not_there_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=re.escape("NEWSBEAM_MALLOC='/no/such/lib.so'")):
        preload_environment({CHOICE: "/no/such/lib.so"})


def test_the_default_preloads_jemalloc_exactly_when_it_is_installed() -> None:
    environment = preload_environment({})
    if JEMALLOC is None:
        assert environment is None
    else:
        assert environment is not None
        assert environment["LD_PRELOAD"] == JEMALLOC


def _run(**env: str) -> subprocess.CompletedProcess[str]:
    """``newsbeam run`` on a feeds file that does not exist: it fails after choosing its allocator."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", "--feeds", "/nonexistent/feeds.yaml"],
        cwd=REPO,
        env={**{k: v for k, v in os.environ.items() if k not in (CHOICE, REEXECUTED)}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _run_stderr(**env: str) -> str:
    done = _run(**env)
    assert done.returncode == 1
    assert "cannot read feeds file /nonexistent/feeds.yaml" in done.stderr
    return done.stderr


def test_newsbeam_run_says_which_allocator_it_runs_on() -> None:
    stderr = _run_stderr()
    if JEMALLOC is None:
        assert "memory allocator: system (libjemalloc2 not installed" in stderr
    else:
        # read from the process's own memory map after the re-execution, not from the environment
        assert "memory allocator: jemalloc" in stderr
    assert "memory allocator: system\n" in _run_stderr(**{CHOICE: "system"})


def test_a_bad_allocator_choice_stops_the_run_with_the_reason() -> None:
    done = _run(**{CHOICE: "/no/such/lib.so"})
    assert done.returncode == 1
    assert "NEWSBEAM_MALLOC='/no/such/lib.so': expected 'jemalloc', 'system' or the path" in done.stderr
