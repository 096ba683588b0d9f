"""The sample run on Apache Flink: `newsbeam run --once --runner FlinkRunner` → real Kafka → same topics.

Beam's portable Flink runner drives an embedded Flink through the job-server jar that
deploy/local/flink-job-server fetched with Maven (the same Beam release as the installed SDK). Two ways
of running the Python work, both with parallelism 2:

- ``loopback``: the SDK workers live in the launching process (the local default, pipeline/runner_choice.py);
- ``worker-pool``: Beam's worker pool (``apache_beam.runners.worker.worker_pool_main``) started beside
  the job, as the cluster recipes do, which starts each SDK worker as a fresh process outside the
  repository: everything shipped to workers must unpickle and import there, with nothing from the
  launcher's memory.

Both must publish exactly what the DirectRunner run publishes (tests/integration/helpers.py).

Maven Central here serves Beam's Flink runner only up to 2.62.0, older than the project's apache-beam pin,
so these tests run in their own virtualenv on that release (`make test-flink`, deploy/flink/requirements.txt)
and `make test` deselects them (marker ``flink``). Where they run, a missing job server is a failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import apache_beam
import pytest

from connectors.kafka_settings import KafkaSettings
from connectors.static_server import StaticServer
from tests.conftest import REPO, free_port
from tests.integration.helpers import assert_sample_outcome, newsbeam, sample_feed_list, write_feeds
from tests.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.flink]

JOB_SERVER_SCRIPT = REPO / "deploy" / "local" / "flink-job-server"


@pytest.fixture(scope="session")
def flink_job_server_jar() -> str:
    """The job-server jar of the installed Beam release, fetched once into the cache by the project script."""
    fetched = subprocess.run(
        [str(JOB_SERVER_SCRIPT), "fetch"],
        env={**os.environ, "BEAM_VERSION": apache_beam.__version__},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if fetched.returncode != 0:
        # the jar must match the installed SDK; Maven Central here may not serve that release (see the script)
        pytest.fail(
            f"no Flink job server for the installed apache-beam {apache_beam.__version__}: "
            f"{JOB_SERVER_SCRIPT.relative_to(REPO)} fetch said:\n{fetched.stderr.strip()}\n"
            "Run the Flink tests with `make test-flink` (.venv-flink, deploy/flink/requirements.txt).",
            pytrace=False,
        )
    return fetched.stdout.strip().splitlines()[-1]


def _listening(port: int, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"the worker pool exited with {process.returncode}"
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def worker_pool(tmp_path: Path) -> Iterator[str]:
    """Beam's SDK worker pool on a free port, run outside the repository; yields its address."""
    port = free_port()
    # the pool starts each worker as `python -c ...` from the PATH: that must be this interpreter
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    environment = {**os.environ, "PATH": path}
    pool = subprocess.Popen(
        [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main", f"--service_port={port}"],
        cwd=tmp_path,  # workers import newsbeam from the installed distribution, not from the checkout
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: _listening(port, pool), 60, f"the worker pool to listen on {port}", interval=0.2)
        yield f"localhost:{port}"
    finally:
        pool.terminate()
        try:
            pool.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pool.kill()
            pool.wait()


@pytest.mark.parametrize("environment", ["loopback", "worker-pool"])
def test_sample_feeds_on_flink(
    environment: str,
    flink_job_server_jar: str,
    sample_server: StaticServer,
    kafka_settings: KafkaSettings,
    topic_prefix: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    feeds = sample_feed_list(sample_server, f"http://127.0.0.1:{free_port()}/rss.xml")
    feeds_file = write_feeds(tmp_path / "feeds.yaml", feeds, allow_private_networks=True)
    # loopback relies on pipeline/runner_choice.py's defaults: [local] master, LOOPBACK, the jar from the cache
    runner_args = ["--runner", "FlinkRunner", "--parallelism", "2"]
    if environment == "worker-pool":
        runner_args += ["--flink_job_server_jar", flink_job_server_jar, "--flink_master", "[local]"]
        pool = request.getfixturevalue("worker_pool")
        # one SDK worker process per Flink slot, as on a task manager with a worker-pool sidecar
        runner_args += ["--environment_type", "EXTERNAL", "--environment_config", pool]
        runner_args += ["--sdk_worker_parallelism", "2"]

    result = newsbeam(
        "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--topic-prefix", topic_prefix, "--once", *runner_args, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    assert "finished on FlinkRunner (DONE)" in result.stderr, result.stderr[-2000:]

    counts = assert_sample_outcome(kafka_settings, topic_prefix, sample_server)
    print(f"\nflink ({environment}, parallelism 2): {counts}")
