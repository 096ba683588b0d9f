"""``--extraction-processes``: its default per runner, explicit values, and a clear error for bad ones."""

from __future__ import annotations

import os

import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config import ConfigError
from pipeline.options import NewsbeamOptions
from pipeline.running import config_from_options
from tests.conftest import SAMPLES


def _processes(*argv: str) -> int:
    options = PipelineOptions(
        ["--feeds", str(SAMPLES / "feeds.yaml"), "--base-url", "http://127.0.0.1:9", *argv]
    )
    return config_from_options(options.view_as(NewsbeamOptions)).extraction_processes


def test_default_is_one_process_per_core_only_for_once_in_one_local_process() -> None:
    assert _processes("--once") == (os.cpu_count() or 1)
    assert _processes("--once", "--runner", "DirectRunner") == (os.cpu_count() or 1)
    assert _processes() == 0  # streaming (Prism)
    assert _processes("--once", "--direct_num_workers", "2", "--direct_running_mode", "multi_processing") == 0
    assert _processes("--once", "--runner", "FlinkRunner") == 0


def test_explicit_value_wins_and_negative_is_a_config_error() -> None:
    assert _processes("--once", "--extraction-processes", "0") == 0
    assert _processes("--extraction_processes", "3") == 3
    with pytest.raises(ConfigError, match="--extraction-processes"):
        _processes("--once", "--extraction-processes", "-1")
