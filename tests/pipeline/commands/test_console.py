"""configure_logging: kafka-python's lost connections in one line, everything else as logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from pipeline.commands.console import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _log_error(logger: str, capsys: pytest.CaptureFixture[str]) -> str:
    try:
        raise ConnectionResetError(104, "Connection reset by peer")
    except ConnectionResetError:
        logging.getLogger(logger).exception("%s: Error receiving network data", "<Transport 1>")
    return capsys.readouterr().err


def test_a_kafka_client_error_is_one_line_without_traceback(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    err = _log_error("kafka.net.transport", capsys)
    assert "Traceback" not in err
    assert err.count("\n") == 1
    assert (
        "<Transport 1>: Error receiving network data: ConnectionResetError: [Errno 104] Connection reset"
        in err
    )


def test_debug_keeps_the_kafka_client_traceback(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("DEBUG")
    assert "Traceback" in _log_error("kafka.net.transport", capsys)


def test_our_own_errors_keep_their_traceback(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    assert "Traceback" in _log_error("connectors.kafka_publish", capsys)
