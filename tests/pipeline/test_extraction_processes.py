"""``--extraction-processes``: its default per runner, explicit values, and a clear error for bad ones."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config import ConfigError
from pipeline.options import config_from_options
from pipeline.runner_choice import one_worker_here
from tests.conftest import REPO, SAMPLES


def _processes(*argv: str) -> int:
    options = PipelineOptions(
        ["--feeds", str(SAMPLES / "feeds.yaml"), "--base-url", "http://127.0.0.1:9", *argv]
    )
    return config_from_options(options).extraction_processes


def test_default_is_one_process_per_core_only_for_once_in_one_local_process() -> None:
    assert _processes("--once") == (os.cpu_count() or 1)
    assert _processes("--once", "--runner", "DirectRunner") == (os.cpu_count() or 1)
    assert _processes() == 0  # streaming (Prism)
    assert _processes("--once", "--direct_num_workers", "2", "--direct_running_mode", "multi_processing") == 0
    assert _processes("--once", "--runner", "FlinkRunner") == 0


def test_extraction_processes_start_ahead_only_where_the_run_extracts_in_this_process() -> None:
    def here(*argv: str) -> bool:
        return one_worker_here(PipelineOptions(list(argv)), once="--once" in argv)

    assert here("--once") and here("--once", "--runner", "DirectRunner")
    assert not here("--once", "--direct_num_workers", "2", "--direct_running_mode", "multi_processing")
    assert not here("--once", "--runner", "FlinkRunner")
    assert not here()  # streaming: Prism


def test_explicit_value_wins_and_negative_is_a_config_error() -> None:
    assert _processes("--once", "--extraction-processes", "0") == 0
    assert _processes("--extraction_processes", "3") == 3
    with pytest.raises(ConfigError, match="--extraction-processes"):
        _processes("--once", "--extraction-processes", "-1")


def test_the_command_module_imports_neither_beam_nor_trafilatura() -> None:
    # Extraction processes are spawned: each fresh interpreter imports the command's main module
    # (pipeline.cli) before it imports transforms.page_fields. With Beam in that import, each one spent
    # ~0.6 s and ~90 MB on modules it never uses while the first pages waited.
    probe = "import sys, pipeline.cli; print(sorted(m for m in ('apache_beam', 'trafilatura') if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]", result.stderr
