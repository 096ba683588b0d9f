"""KafkaSettings: validation, secrets kept out of repr and logs, client configurations."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from kafka import errors as kafka_errors

from connectors.kafka_settings import (
    KafkaAuthenticationFailed,
    KafkaSettings,
    KafkaUnreachable,
    _hide_secrets_of,
    explained_connection_errors,
)


def test_secrets_stay_out_of_repr() -> None:
    settings = KafkaSettings(
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="alice",
        sasl_password="s3cret-sasl",
        ssl_password="s3cret-key",
    )
    assert "s3cret" not in repr(settings)
    assert "alice" in repr(settings)
    config = settings.producer_config()
    assert config["sasl_plain_password"] == "s3cret-sasl"
    assert config["security_protocol"] == "SASL_SSL"


def test_from_env_reads_the_password_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("NEWSBEAM_KAFKA_SASL_PASSWORD_FILE", str(secret))
    monkeypatch.setenv("NEWSBEAM_KAFKA_SASL_PASSWORD", "from-the-env")
    settings = KafkaSettings.from_env(
        "broker:9093", security_protocol="SASL_SSL", sasl_mechanism="PLAIN", sasl_username="bob"
    )
    assert settings.sasl_password == "from-a-file"  # the file wins: it is the safer channel


def test_from_env_keeps_defaults_for_unset_options() -> None:
    settings = KafkaSettings.from_env("b:1", acks=None, compression_type=None, max_unacknowledged=None)
    assert (settings.acks, settings.compression_type, settings.max_unacknowledged) == ("all", "zstd", 2000)
    assert KafkaSettings.from_env("b:1", compression_type="none").compression_type is None


def test_producer_config_follows_acks() -> None:
    strict = KafkaSettings().producer_config()
    assert (strict["acks"], strict["enable_idempotence"]) == ("all", True)
    assert strict["allow_auto_create_topics"] is False
    fast = KafkaSettings(acks="1").producer_config()
    assert (fast["acks"], fast["enable_idempotence"]) == (1, False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"security_protocol": "TLS"}, "security_protocol must be one of"),
        ({"security_protocol": "SASL_SSL", "sasl_username": "a", "sasl_password": "p"}, "sasl_mechanism"),
        ({"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN"}, "username and a password"),
        ({"compression_type": "snappy"}, "compression_type must be one of"),
        ({"acks": "2"}, "acks must be"),
        ({"max_unacknowledged": 0}, "max_unacknowledged"),
    ],
)
def test_bad_settings_are_rejected_with_a_clear_message(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KafkaSettings(**changes)  # type: ignore[arg-type]


def test_registered_secrets_are_masked_in_kafka_python_logs(caplog: pytest.LogCaptureFixture) -> None:
    kafka_log = logging.getLogger("kafka.protocol.parser")  # one of the loggers that prints request bytes
    settings = KafkaSettings(
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_username="bob",
        sasl_password="pässword-1",
    )
    _hide_secrets_of(settings)
    with caplog.at_level(logging.DEBUG, logger="kafka.protocol.parser"):
        kafka_log.debug("Send: %r", b"\x00bob\x00" + "pässword-1".encode())
        kafka_log.debug("config %s", {"sasl_plain_password": "pässword-1"})
    assert "pässword-1" not in caplog.text
    assert "p\\xc3\\xa4ssword-1" not in caplog.text
    assert caplog.text.count("[hidden]") == 2


def _bootstrap_that_logs(settings: KafkaSettings, *messages: str) -> BaseException:
    """What ``explained_connection_errors`` raises when kafka-python logs ``messages`` and then times out."""
    with pytest.raises(KafkaUnreachable) as raised, explained_connection_errors(settings):
        for message in messages:
            logging.getLogger("kafka.net.manager").warning(message)
        raise kafka_errors.KafkaTimeoutError("Unable to bootstrap")
    return raised.value


DISCONNECTED = "Bootstrap connection to bootstrap-0 failed: KafkaConnectionError: socket disconnected"
DEADLINE = "Bootstrap connection to bootstrap-0 failed: [Error 7] RequestTimedOutError: Request timed out"


def test_a_sasl_broker_closing_logins_reads_as_a_refused_login_even_when_the_deadline_ends_it() -> None:
    settings = KafkaSettings(
        bootstrap_servers="127.0.0.1:9",
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username="newsbeam",
        sasl_password="wrong",
    )
    # seen on a loaded machine: the broker closed each login, and the last attempt hit the deadline
    error = _bootstrap_that_logs(settings, DISCONNECTED, DISCONNECTED, DEADLINE)
    assert isinstance(error, KafkaAuthenticationFailed)
    assert "most likely refused user 'newsbeam' with SCRAM-SHA-512" in str(error)


def test_a_plaintext_broker_that_times_out_is_unreachable_not_a_login_failure() -> None:
    error = _bootstrap_that_logs(KafkaSettings(bootstrap_servers="127.0.0.1:9"), DISCONNECTED, DEADLINE)
    assert type(error) is KafkaUnreachable
    assert "last error: " + DEADLINE in str(error)
