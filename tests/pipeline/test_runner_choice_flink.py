"""The FlinkRunner options newsbeam fills in: an embedded Flink, or a session cluster (``--flink_master H:P``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import FlinkRunnerOptions, PipelineOptions, PortableOptions

from pipeline.runner_choice import FLINK_CLUSTER_DEFAULTS, FlinkJobServerOptions, choose_runner


@pytest.fixture(autouse=True)
def job_server_jar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    jar = tmp_path / "job-server.jar"
    jar.write_bytes(b"")
    monkeypatch.setenv("NEWSBEAM_FLINK_JOB_SERVER_JAR", str(jar))
    return jar


def _chosen(*flags: str, once: bool) -> dict[str, object]:
    options = PipelineOptions(["--runner", "FlinkRunner", *flags])
    assert choose_runner(options, once=once) is None  # Beam builds the FlinkRunner by name
    return options.get_all_options()


def test_a_streaming_run_on_a_cluster_gets_the_worker_pool_parallelism_and_checkpoints() -> None:
    chosen = _chosen("--flink_master", "127.0.0.1:8081", once=False)
    assert chosen["environment_type"] == "EXTERNAL"
    assert chosen["environment_config"] == "localhost:50000" == FLINK_CLUSTER_DEFAULTS.environment_config
    assert chosen["parallelism"] == FLINK_CLUSTER_DEFAULTS.parallelism == 2
    assert chosen["checkpointing_interval"] == FLINK_CLUSTER_DEFAULTS.checkpointing_interval_ms
    assert chosen["streaming"] is True


def test_a_bounded_run_on_a_cluster_does_not_checkpoint() -> None:
    chosen = _chosen("--flink_master", "127.0.0.1:8081", once=True)
    assert chosen["environment_type"] == "EXTERNAL"
    assert chosen["checkpointing_interval"] is None


def test_the_flags_given_win_over_the_cluster_defaults() -> None:
    chosen = _chosen(
        "--flink_master", "flink:8081", "--environment_config", "127.0.0.1:5", "--parallelism", "3",
        "--checkpointing_interval", "2000", once=False,
    )  # fmt: skip
    assert chosen["environment_config"] == "127.0.0.1:5"
    assert chosen["parallelism"] == 3
    assert chosen["checkpointing_interval"] == 2000


def test_an_embedded_flink_keeps_its_workers_here_and_does_not_checkpoint() -> None:
    options = PipelineOptions(["--runner", "FlinkRunner"])
    choose_runner(options, once=False)
    assert options.view_as(FlinkRunnerOptions).flink_master == "[local]"
    assert options.view_as(PortableOptions).environment_type == "LOOPBACK"
    assert options.view_as(FlinkJobServerOptions).checkpointing_interval is None
