"""No secret travels in the job: the whole pipeline, serialised as a runner receives it, holds no password.

Workers read the SASL password themselves (the variable or the file named in the options) when their
DoFns set up; the settings inside the pickled DoFns only say where to look.
"""

from __future__ import annotations

import base64
import bz2
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.graph import build_graph
from pipeline.options import config_from_options
from tests.conftest import SAMPLES

SASL_PASSWORD = "s3cret-canary-7f1d"  # a canary, looked for in the job
KEY_PASSWORD = "key-canary-93ab"
BROKER = "canary-broker.invalid:9093"  # in the settings of every Kafka DoFn: proves the search reaches them


def _unpickled_payloads(serialized: bytes) -> Iterator[bytes]:
    """Beam's pickled functions inside a serialised pipeline: base64 of bz2 (or zlib) of the pickle."""
    for run in re.findall(rb"[A-Za-z0-9+/]{80,}={0,2}", serialized):
        try:
            packed = base64.b64decode(run, validate=True)
        except ValueError:
            continue
        for unpack in (bz2.decompress, zlib.decompress):
            try:
                yield unpack(packed)
                break
            except (OSError, ValueError, zlib.error):
                continue


def _job_as_a_runner_receives_it(args: list[str]) -> tuple[bytes, list[bytes]]:
    options = PipelineOptions(args)
    config = config_from_options(options)
    pipeline = beam.Pipeline(options=options)
    build_graph(pipeline, config)
    serialized = pipeline.to_runner_api().SerializeToString()
    job = serialized + json.dumps(options.get_all_options(drop_default=True)).encode()
    return job, list(_unpickled_payloads(serialized))


@pytest.mark.parametrize("mode", [["--once"], ["--duration", "60"]], ids=["once", "streaming"])
def test_the_job_a_runner_receives_carries_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: list[str]
) -> None:
    monkeypatch.setenv("NEWSBEAM_KAFKA_SASL_PASSWORD", SASL_PASSWORD)
    key_password = tmp_path / "key-password"
    key_password.write_text(KEY_PASSWORD, encoding="utf-8")
    job, payloads = _job_as_a_runner_receives_it(
        [
            "--feeds", str(SAMPLES / "feeds.yaml"), "--base-url", "http://127.0.0.1:8123",
            "--bootstrap-servers", BROKER, "--security-protocol", "SASL_SSL",
            "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", "newsbeam",
            "--ssl-password-file", str(key_password), *mode,
        ]
    )  # fmt: skip
    assert any(BROKER.encode() in payload for payload in payloads), "the search reaches the pickled DoFns"
    assert any(str(key_password).encode() in payload for payload in payloads), "the file is named there"
    for secret in (SASL_PASSWORD, KEY_PASSWORD):
        assert secret.encode() not in job
        assert not any(secret.encode() in payload for payload in payloads), secret
