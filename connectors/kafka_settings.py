"""How to reach a Kafka cluster: one frozen, picklable settings object for producer, consumer and admin.

Secrets (SASL password, TLS key password) are never held: the settings name where each is read
(``Secret``: a file named in the options, else the file named by ``NEWSBEAM_KAFKA_SASL_PASSWORD_FILE``,
else ``NEWSBEAM_KAFKA_SASL_PASSWORD``; likewise ``NEWSBEAM_KAFKA_SSL_PASSWORD``), and whoever builds a
client reads it there and then: the launcher for its admin client and consumers, each Beam worker in its
DoFn's ``setup()``. So the settings travel inside the job graph (to Prism, Flink or Dataflow) and into
logs without the secret; the workers need the variable or the file in their own environment.
``from_env`` builds the settings of a command and checks at once that the secrets it needs can be read.

``new_producer``/``new_consumer``/``new_admin`` build the clients and translate kafka-python's bare
"Unable to bootstrap" timeout into ``KafkaUnreachable`` (or ``KafkaAuthenticationFailed``,
``KafkaTlsFailed``) whose message says what went wrong and what to change.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka import errors as kafka_errors

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
COMPRESSION_TYPES = (None, "gzip", "lz4", "zstd")  # snappy needs python-snappy, which we do not ship
SASL_PASSWORD_ENV = "NEWSBEAM_KAFKA_SASL_PASSWORD"
SSL_PASSWORD_ENV = "NEWSBEAM_KAFKA_SSL_PASSWORD"


class KafkaSettingsError(ValueError):
    """The Kafka settings are incomplete or contradictory, or a secret cannot be read; says what to change."""


@dataclass(frozen=True, slots=True)
class Secret:
    """Where one secret is read on the machine that builds a client: the file ``file``, else the file named
    by the environment variable ``<env>_FILE``, else the variable ``env`` itself. Names only, never the
    value: these settings are pickled into job graphs and shown in logs."""

    env: str
    file: str | None = None

    def read(self) -> str | None:
        """The secret here and now, or None when none of its places holds one; ``KafkaSettingsError`` when a
        file it names cannot be read."""
        named_by = "--sasl-password-file" if self.file else f"{self.env}_FILE"
        path = self.file or os.environ.get(f"{self.env}_FILE")
        if path:
            try:
                return Path(path).read_text(encoding="utf-8").strip()
            except OSError as error:
                raise KafkaSettingsError(
                    f"cannot read the password file {path} (named by {named_by}): {error.strerror or error}"
                ) from error
            except UnicodeDecodeError as error:
                raise KafkaSettingsError(
                    f"the password file {path} (named by {named_by}) is not UTF-8 text"
                ) from error
        return os.environ.get(self.env)

    def places(self) -> str:
        """Where the secret is looked for, for messages."""
        return f"the file {self.file}" if self.file else f"{self.env} or {self.env}_FILE"


@dataclass(frozen=True, kw_only=True, slots=True)
class KafkaSettings:
    """Connection and producer settings; the clients are built from these on each worker."""

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "newsbeam"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: Secret = field(default_factory=lambda: Secret(SASL_PASSWORD_ENV))
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password: Secret = field(default_factory=lambda: Secret(SSL_PASSWORD_ENV))  # the key's, if encrypted
    ssl_check_hostname: bool = True
    # Producer: idempotent, acknowledged by all in-sync replicas. The linger fills batches: each produce
    # request costs kafka-python's sender thread some of the GIL, and with a short linger nearly every
    # article goes alone; 250 ms keeps what it adds to the feed-to-Kafka latency small. zstd stores articles
    # about as small as gzip at many times its speed, far faster than extraction produces them
    # (tests/bench/bench_kafka.py compares the codecs).
    acks: str = "all"
    compression_type: str | None = "zstd"
    linger_ms: int = 250
    batch_size: int = 256 * 1024
    max_request_size: int = 4 * 1024 * 1024
    request_timeout_ms: int = 30_000
    bootstrap_timeout_ms: int = 30_000  # how long a new client tries to reach the cluster before giving up
    session_timeout_ms: int = 6_000  # consumers: joining a group costs about half of this, so it is short
    delivery_timeout_ms: int = 120_000
    max_block_ms: int = 60_000  # how long send() may wait for metadata of a topic it has not seen yet
    # kafka-python backs off up to 30 s between reconnects by default: a restarted broker would sit
    # unnoticed for that long
    reconnect_backoff_max_ms: int = 5_000
    # Publishing (PublishToKafka): kafka-python 3 has no bounded send buffer, so the publisher bounds it:
    # at most this many unacknowledged messages per worker; beyond that it waits for the broker.
    max_unacknowledged: int = 2_000
    # how long a bundle waits for a missing broker (logging while it waits) before failing
    outage_timeout_ms: int = 600_000

    def __post_init__(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise KafkaSettingsError(
                f"the security protocol must be one of {', '.join(SECURITY_PROTOCOLS)}, "
                f"not {self.security_protocol!r}"
            )
        if self.security_protocol.startswith("SASL"):
            if self.sasl_mechanism not in SASL_MECHANISMS:
                raise KafkaSettingsError(
                    f"{self.security_protocol} needs a SASL mechanism (--sasl-mechanism): "
                    f"{', '.join(SASL_MECHANISMS)}"
                )
            if not self.sasl_username:
                raise KafkaSettingsError(f"{self.security_protocol} needs a user name (--sasl-username)")
        if self.compression_type not in COMPRESSION_TYPES:
            raise KafkaSettingsError(
                f"compression_type must be one of {COMPRESSION_TYPES}, not {self.compression_type!r}"
            )
        if self.acks not in ("0", "1", "all"):
            raise KafkaSettingsError(f"acks must be '0', '1' or 'all', not {self.acks!r}")
        if self.linger_ms < 0:
            raise KafkaSettingsError(f"linger_ms must be 0 or more, not {self.linger_ms}")
        if self.max_unacknowledged < 1:
            raise KafkaSettingsError("max_unacknowledged must be at least 1")
        if self.outage_timeout_ms <= 0:
            raise KafkaSettingsError(
                f"the outage wait (--kafka-outage-timeout) must be positive, not {self.outage_timeout_ms / 1000:g} s"
            )

    @classmethod
    def from_env(
        cls,
        bootstrap_servers: str,
        *,
        sasl_password_file: str | None = None,
        ssl_password_file: str | None = None,
        **overrides: Any,
    ) -> KafkaSettings:
        """A command's settings: ``overrides`` that are not None (unset command-line options keep the
        defaults), the password files named in the options, and a check that every secret the settings
        need can be read here now (``KafkaSettingsError`` says where it was looked for)."""
        values: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers,
            "sasl_password": Secret(SASL_PASSWORD_ENV, sasl_password_file),
            "ssl_password": Secret(SSL_PASSWORD_ENV, ssl_password_file),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values.get("compression_type") == "none":  # the command line's spelling of "no compression"
            values["compression_type"] = None
        settings = cls(**values)
        settings.secrets()
        return settings

    def secrets(self) -> tuple[str | None, str | None]:
        """The SASL password (when SASL is used) and the TLS key password, read from their places now;
        ``KafkaSettingsError`` when SASL is used and no password is found."""
        sasl = None
        if self.security_protocol.startswith("SASL"):
            sasl = self.sasl_password.read()
            if sasl is None:
                raise KafkaSettingsError(
                    f"{self.security_protocol} needs the password of {self.sasl_username!r}; none was found "
                    f"in {self.sasl_password.places()} (--sasl-password-file names a file)"
                )
        key = self.ssl_password.read() if self.security_protocol.endswith("SSL") else None
        _hide_secrets(sasl, key)
        return sasl, key

    def _common(self) -> dict[str, Any]:
        sasl_password, ssl_password = self.secrets()  # here, on the machine that builds the client
        config: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers.split(","),
            "client_id": self.client_id,
            "security_protocol": self.security_protocol,
            "request_timeout_ms": self.request_timeout_ms,
            "bootstrap_timeout_ms": self.bootstrap_timeout_ms,
            "reconnect_backoff_max_ms": self.reconnect_backoff_max_ms,
        }
        if self.security_protocol.startswith("SASL"):
            config.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=sasl_password,
            )
        if self.security_protocol.endswith("SSL"):
            config.update(
                ssl_cafile=self.ssl_cafile,
                ssl_certfile=self.ssl_certfile,
                ssl_keyfile=self.ssl_keyfile,
                ssl_password=ssl_password,
                ssl_check_hostname=self.ssl_check_hostname,
            )
        return config

    def producer_config(self) -> dict[str, Any]:
        """Keyword arguments for ``kafka.KafkaProducer``."""
        return {
            **self._common(),
            "acks": self.acks if self.acks == "all" else int(self.acks),  # kafka-python wants 0/1 as ints
            "enable_idempotence": self.acks == "all",
            "compression_type": self.compression_type,
            "linger_ms": self.linger_ms,
            "batch_size": self.batch_size,
            "max_request_size": self.max_request_size,
            "delivery_timeout_ms": self.delivery_timeout_ms,
            # a send that waits for metadata waits for the broker: never longer than the outage wait
            "max_block_ms": min(self.max_block_ms, self.outage_timeout_ms),
            "allow_auto_create_topics": False,
        }

    def consumer_config(self, *, group_id: str | None, **extra: Any) -> dict[str, Any]:
        """Keyword arguments for ``kafka.KafkaConsumer``; short session timeouts join groups fast."""
        return {
            **self._common(),
            "group_id": group_id,
            "enable_auto_commit": False,
            "session_timeout_ms": self.session_timeout_ms,
            "heartbeat_interval_ms": max(100, self.session_timeout_ms // 3),
            **extra,
        }

    def admin_config(self) -> dict[str, Any]:
        """Keyword arguments for ``kafka.KafkaAdminClient``."""
        return self._common()


class _HideSecrets(logging.Filter):
    """Replaces known secrets in kafka-python's log records with ``[hidden]``.

    kafka-python logs at DEBUG the admin client's whole configuration and every request, including the
    SASL PLAIN authentication bytes; enabling DEBUG to chase a problem must not print the password.
    """

    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if any(secret in message for secret in self.secrets):
            for secret in sorted(self.secrets, key=len, reverse=True):
                message = message.replace(secret, "[hidden]")
            record.msg, record.args = message, None
        return True


_HIDE_SECRETS = _HideSecrets()


def _hide_secrets(*secrets: str | None) -> None:
    """Register ``secrets`` and filter every kafka-python logger (they exist once imported)."""
    for secret in secrets:
        if secret:
            _HIDE_SECRETS.secrets.update({secret, repr(secret.encode("utf-8"))[2:-1]})
    if not _HIDE_SECRETS.secrets:
        return
    names = [
        name for name in logging.Logger.manager.loggerDict if name == "kafka" or name.startswith("kafka.")
    ]
    for name in names:
        logger = logging.getLogger(name)
        if _HIDE_SECRETS not in logger.filters:
            logger.addFilter(_HIDE_SECRETS)


class KafkaUnreachable(RuntimeError):
    """No broker of the bootstrap servers could be reached and used with these settings."""


class KafkaAuthenticationFailed(KafkaUnreachable):
    """The broker refused the SASL credentials (or the mechanism)."""


class KafkaTlsFailed(KafkaUnreachable):
    """The TLS handshake failed: usually a broker certificate that the CA file does not vouch for."""


class _BootstrapFailures(logging.Handler):
    """Keeps the reasons kafka-python logs for failed connections (it raises only a timeout).

    Attached to the ``kafka`` logger, so it sees the records of all its children (manager, transport).
    An authentication or TLS failure is kept whenever it shows up; other reasons only the latest, and the
    first connection the broker closed on us (``disconnected``).
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.decisive: str | None = None
        self.last: str | None = None
        self.disconnected: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.disconnected is None and "socket disconnected" in message:
            self.disconnected = message
        if self.decisive is None and any(mark in message for mark in _DECISIVE):
            self.decisive = message
        elif ("failed" in message or "Abort" in message) and not message.startswith("Bootstrap failed"):
            self.last = message  # "Bootstrap failed: ...Timeout" is the summary, not a reason

    @property
    def reasons(self) -> list[str]:
        return [reason for reason in (self.decisive, self.last) if reason is not None]


_DECISIVE = (
    "SaslAuthenticationFailed",
    "UnsupportedSaslMechanism",
    "CERTIFICATE_VERIFY_FAILED",
    "Handshake failed",
)


def _explain(
    settings: KafkaSettings, reasons: list[str], disconnected: str | None = None
) -> KafkaUnreachable:
    where = f"Kafka at {settings.bootstrap_servers} ({settings.security_protocol})"
    seconds = settings.bootstrap_timeout_ms / 1000
    for reason in reasons:
        if "SaslAuthenticationFailed" in reason or "UnsupportedSaslMechanism" in reason:
            return KafkaAuthenticationFailed(
                f"{where} refused user {settings.sasl_username!r} with {settings.sasl_mechanism}: check the "
                f"user name, the mechanism and the password ({settings.sasl_password.places()}). "
                f"The broker said: {reason}"
            )
        if "CERTIFICATE_VERIFY_FAILED" in reason or "Handshake failed" in reason:
            return KafkaTlsFailed(
                f"TLS with {where} failed: {reason}. Pass the CA that signed the broker's certificate "
                "(--ssl-cafile), and a client certificate and key when the broker requires one."
            )
    if settings.security_protocol.startswith("SASL") and disconnected is not None:
        # The broker answers a failed SASL login by closing the connection; when the client reads the close
        # before the error response, all it logs is a disconnect after a successful connect (and TLS). The
        # last attempt may then end on the bootstrap deadline instead, hence any disconnect, not the last.
        return KafkaAuthenticationFailed(
            f"{where} accepted connections and then closed them during authentication: it most likely refused "
            f"user {settings.sasl_username!r} with {settings.sasl_mechanism}: check the user name, the mechanism "
            f"and the password ({settings.sasl_password.places()}). Last error: "
            f"{reasons[-1]}"
        )
    last = f"; last error: {reasons[-1]}" if reasons else ""
    return KafkaUnreachable(
        f"could not reach {where} within {seconds:.0f} s{last}. Is the broker running, and is this "
        "the listener for that security protocol?"
    )


@contextmanager
def explained_connection_errors(settings: KafkaSettings) -> Iterator[None]:
    """Turn a client's bootstrap timeout into a ``KafkaUnreachable`` that says why (secrets kept out of logs)."""
    failures = _BootstrapFailures()
    kafka_log = logging.getLogger("kafka")
    kafka_log.addHandler(failures)
    try:
        yield
    except kafka_errors.KafkaTimeoutError as error:
        raise _explain(settings, failures.reasons, failures.disconnected) from error
    finally:
        kafka_log.removeHandler(failures)


def new_producer(settings: KafkaSettings) -> KafkaProducer:
    """A producer for ``settings``; ``KafkaUnreachable`` when the cluster cannot be used."""
    with explained_connection_errors(settings):
        return KafkaProducer(**settings.producer_config())


def new_consumer(settings: KafkaSettings, *, group_id: str | None, **extra: Any) -> KafkaConsumer:
    """A consumer for ``settings`` (see ``consumer_config``); ``KafkaUnreachable`` as above."""
    with explained_connection_errors(settings):
        return KafkaConsumer(**settings.consumer_config(group_id=group_id, **extra))


def new_admin(settings: KafkaSettings) -> KafkaAdminClient:
    """An admin client for ``settings``; ``KafkaUnreachable`` as above."""
    with explained_connection_errors(settings):
        return KafkaAdminClient(**settings.admin_config())
