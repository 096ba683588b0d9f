"""KafkaSettings: validation, secrets kept out of repr and logs, client configurations."""

from __future__ import annotations

import logging
import pickle
from dataclasses import replace
from pathlib import Path

import pytest
from kafka import errors as kafka_errors

from connectors.kafka_settings import (
    SASL_PASSWORD_ENV,
    KafkaAuthenticationFailed,
    KafkaSettings,
    KafkaSettingsError,
    KafkaUnreachable,
    Secret,
    _hide_secrets,
    explained_connection_errors,
)


def test_settings_hold_where_secrets_are_never_what_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSBEAM_KAFKA_SASL_PASSWORD", "s3cret-sasl")
    monkeypatch.setenv("NEWSBEAM_KAFKA_SSL_PASSWORD", "s3cret-key")
    settings = KafkaSettings(
        security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512", sasl_username="alice"
    )
    for shown in (repr(settings), pickle.dumps(settings)):
        assert "s3cret" not in str(shown)
    assert "alice" in repr(settings)
    config = settings.producer_config()  # read where the client is built: here, or on a worker
    assert (config["sasl_plain_password"], config["ssl_password"]) == ("s3cret-sasl", "s3cret-key")
    assert config["security_protocol"] == "SASL_SSL"


def test_the_password_file_wins_over_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "password"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("NEWSBEAM_KAFKA_SASL_PASSWORD_FILE", str(secret))
    monkeypatch.setenv("NEWSBEAM_KAFKA_SASL_PASSWORD", "from-the-env")
    settings = KafkaSettings.from_env(
        "broker:9093", security_protocol="SASL_SSL", sasl_mechanism="PLAIN", sasl_username="bob"
    )
    assert settings.secrets()[0] == "from-a-file"  # the file wins: it is the safer channel
    named = tmp_path / "named"
    named.write_text("from-the-option", encoding="utf-8")
    option = replace(settings, sasl_password=Secret(SASL_PASSWORD_ENV, str(named)))
    assert option.producer_config()["sasl_plain_password"] == "from-the-option"


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({}, "SASL_PLAINTEXT needs the password of 'bob'; none was found in NEWSBEAM_KAFKA_SASL_PASSWORD or"),
        (
            {"NEWSBEAM_KAFKA_SASL_PASSWORD_FILE": "/nonexistent/secret"},
            "cannot read the password file /nonexistent/secret (named by NEWSBEAM_KAFKA_SASL_PASSWORD_FILE): "
            "No such file or directory",
        ),
    ],
    ids=["no-password", "missing-password-file"],
)
def test_a_secret_that_cannot_be_read_is_a_clear_error_at_once(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], message: str
) -> None:
    for name in ("NEWSBEAM_KAFKA_SASL_PASSWORD", "NEWSBEAM_KAFKA_SASL_PASSWORD_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(KafkaSettingsError) as raised:
        KafkaSettings.from_env(
            "b:1", security_protocol="SASL_PLAINTEXT", sasl_mechanism="PLAIN", sasl_username="bob"
        )
    assert message in str(raised.value)


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
        ({"security_protocol": "TLS"}, "security protocol must be one of"),
        (
            {"security_protocol": "SASL_SSL", "sasl_username": "a"},
            r"SASL_SSL needs a SASL mechanism \(--sasl-mechanism\)",
        ),
        (
            {"security_protocol": "SASL_SSL", "sasl_mechanism": "PLAIN"},
            r"needs a user name \(--sasl-username\)",
        ),
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
    _hide_secrets("pässword-1")
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
    )
    # seen on a loaded machine: the broker closed each login, and the last attempt hit the deadline
    error = _bootstrap_that_logs(settings, DISCONNECTED, DISCONNECTED, DEADLINE)
    assert isinstance(error, KafkaAuthenticationFailed)
    assert "most likely refused user 'newsbeam' with SCRAM-SHA-512" in str(error)


def test_a_plaintext_broker_that_times_out_is_unreachable_not_a_login_failure() -> None:
    error = _bootstrap_that_logs(KafkaSettings(bootstrap_servers="127.0.0.1:9"), DISCONNECTED, DEADLINE)
    assert type(error) is KafkaUnreachable
    assert "last error: " + DEADLINE in str(error)
