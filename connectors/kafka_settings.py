"""How to reach a Kafka cluster: one frozen, picklable settings object for producer, consumer and admin.

Secrets (SASL password, TLS key password) are held out of ``repr`` so that no log line, Beam display
data or pickled-graph dump carries them; ``from_env`` reads them from the environment or from files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECURITY_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


@dataclass(frozen=True, kw_only=True, slots=True)
class KafkaSettings:
    """Connection and producer settings; the clients are built from these on each worker."""

    bootstrap_servers: str = "127.0.0.1:9092"
    client_id: str = "newsbeam"
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password: str | None = field(default=None, repr=False)
    ssl_check_hostname: bool = True
    # Producer: idempotent, acknowledged by all in-sync replicas; zstd shrank 10 KB articles most
    # (FACTS.md); a short linger fills batches without holding a bundle's flush for long.
    acks: str = "all"
    compression_type: str | None = "zstd"
    linger_ms: int = 20
    batch_size: int = 256 * 1024
    max_request_size: int = 4 * 1024 * 1024
    request_timeout_ms: int = 30_000
    delivery_timeout_ms: int = 120_000
    max_block_ms: int = 60_000  # how long send() may wait for buffer space: the back-pressure bound

    def __post_init__(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ValueError(
                f"security_protocol must be one of {SECURITY_PROTOCOLS}, not {self.security_protocol!r}"
            )
        if self.security_protocol.startswith("SASL"):
            if self.sasl_mechanism not in SASL_MECHANISMS:
                raise ValueError(f"SASL needs sasl_mechanism in {SASL_MECHANISMS}")
            if not self.sasl_username or self.sasl_password is None:
                raise ValueError("SASL needs a username and a password")

    @classmethod
    def from_env(cls, bootstrap_servers: str, **overrides: Any) -> KafkaSettings:
        """Settings with secrets from ``NEWSBEAM_KAFKA_SASL_PASSWORD`` (or ``..._FILE``) and the like."""

        def secret(name: str) -> str | None:
            if os.environ.get(f"{name}_FILE"):
                return Path(os.environ[f"{name}_FILE"]).read_text(encoding="utf-8").strip()
            return os.environ.get(name)

        values: dict[str, Any] = {"bootstrap_servers": bootstrap_servers}
        if (password := secret("NEWSBEAM_KAFKA_SASL_PASSWORD")) is not None:
            values["sasl_password"] = password
        if (key_password := secret("NEWSBEAM_KAFKA_SSL_PASSWORD")) is not None:
            values["ssl_password"] = key_password
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def _common(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers.split(","),
            "client_id": self.client_id,
            "security_protocol": self.security_protocol,
            "request_timeout_ms": self.request_timeout_ms,
        }
        if self.security_protocol.startswith("SASL"):
            config.update(
                sasl_mechanism=self.sasl_mechanism,
                sasl_plain_username=self.sasl_username,
                sasl_plain_password=self.sasl_password,
            )
        if self.security_protocol.endswith("SSL"):
            config.update(
                ssl_cafile=self.ssl_cafile,
                ssl_certfile=self.ssl_certfile,
                ssl_keyfile=self.ssl_keyfile,
                ssl_password=self.ssl_password,
                ssl_check_hostname=self.ssl_check_hostname,
            )
        return config

    def producer_config(self) -> dict[str, Any]:
        """Keyword arguments for ``kafka.KafkaProducer``."""
        return {
            **self._common(),
            "acks": self.acks,
            "enable_idempotence": self.acks == "all",
            "compression_type": self.compression_type,
            "linger_ms": self.linger_ms,
            "batch_size": self.batch_size,
            "max_request_size": self.max_request_size,
            "delivery_timeout_ms": self.delivery_timeout_ms,
            "max_block_ms": self.max_block_ms,
            "allow_auto_create_topics": False,
        }

    def consumer_config(self, *, group_id: str | None, **extra: Any) -> dict[str, Any]:
        """Keyword arguments for ``kafka.KafkaConsumer``; short session timeouts join groups fast."""
        return {
            **self._common(),
            "group_id": group_id,
            "enable_auto_commit": False,
            "session_timeout_ms": 6_000,
            "heartbeat_interval_ms": 2_000,
            **extra,
        }

    def admin_config(self) -> dict[str, Any]:
        """Keyword arguments for ``kafka.KafkaAdminClient``."""
        return self._common()
