"""The topics newsbeam publishes to, created explicitly at start-up and checked when they exist.

Broker auto-creation is never relied on: a typo in a prefix must not create a topic with the broker's
defaults. An existing topic whose partition count or cleanup policy differs from what was asked for, or
that needs fewer in-sync replicas than asked for, is a ``TopicConflict`` with a message that says what
differs.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import TopicAlreadyExistsError

from connectors.kafka_settings import KafkaSettings, new_admin

log = logging.getLogger(__name__)


class TopicConflict(RuntimeError):
    """An existing topic does not match the settings newsbeam was asked to use."""


@dataclass(frozen=True, slots=True)
class TopicNames:
    """The four topics under one prefix."""

    prefix: str = "news"

    @property
    def articles(self) -> str:
        return f"{self.prefix}.articles"

    @property
    def regulation(self) -> str:
        return f"{self.prefix}.regulation"

    @property
    def deadletter(self) -> str:
        return f"{self.prefix}.deadletter"

    @property
    def ops(self) -> str:
        return f"{self.prefix}.ops"

    def all(self) -> tuple[str, ...]:
        return (self.articles, self.regulation, self.deadletter, self.ops)


@dataclass(frozen=True, kw_only=True, slots=True)
class TopicSpec:
    """Partitions, replication and configs of one topic."""

    partitions: int = 3
    replication_factor: int = 1
    configs: dict[str, str] = field(default_factory=dict)


def min_insync_replicas(replication_factor: int) -> int:
    """A majority of the replicas (1 → 1, 2 → 2, 3 → 2, 5 → 3): with acks=all a message is acknowledged
    only once that many hold it, so losing a minority of brokers loses no acknowledged message, and with
    3 replicas one broker may be away without stopping the writes."""
    return replication_factor // 2 + 1


def default_specs(
    names: TopicNames, *, partitions: int = 3, replication_factor: int = 1, retention_ms: int | None = None
) -> dict[str, TopicSpec]:
    """Our topics and their settings: ``articles`` keeps the latest version per key (compaction); every
    topic asks for ``min_insync_replicas`` of its replication factor."""
    common = {"min.insync.replicas": str(min_insync_replicas(replication_factor))}
    if retention_ms is not None:
        common["retention.ms"] = str(retention_ms)
    articles_policy = "compact,delete" if retention_ms is not None else "compact"
    return {
        names.articles: TopicSpec(
            partitions=partitions,
            replication_factor=replication_factor,
            configs={"cleanup.policy": articles_policy, **common},
        ),
        names.regulation: TopicSpec(
            partitions=partitions, replication_factor=replication_factor, configs={**common}
        ),
        names.deadletter: TopicSpec(partitions=1, replication_factor=replication_factor, configs={**common}),
        names.ops: TopicSpec(partitions=1, replication_factor=replication_factor, configs={**common}),
    }


def ensure_topics(settings: KafkaSettings, specs: dict[str, TopicSpec]) -> list[str]:
    """Create the missing topics, check the existing ones; returns the names it created."""
    admin = new_admin(settings)
    try:
        existing = set(admin.list_topics())
        missing = {name: spec for name, spec in specs.items() if name not in existing}
        if missing:
            # another instance may create one between our list and our create
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(
                    {
                        name: {
                            "num_partitions": spec.partitions,
                            "replication_factor": spec.replication_factor,
                            "configs": spec.configs,
                        }
                        for name, spec in missing.items()
                    },
                    wait_for_metadata=True,
                )
            log.info("created topics %s", ", ".join(sorted(missing)))
        present = [name for name in specs if name not in missing]
        if present:
            _check_existing(admin, {name: specs[name] for name in present})
        return sorted(missing)
    finally:
        admin.close()


def _check_existing(admin: KafkaAdminClient, specs: dict[str, TopicSpec]) -> None:
    described = {topic["name"]: topic for topic in admin.describe_topics(list(specs))}
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in specs]
    # {"topic": {name: {config key: {"value": ..., ...}}}}
    configs: dict[str, dict[str, dict[str, Any]]] = admin.describe_configs(
        resources, config_filter="all"
    ).get("topic", {})
    problems: list[str] = []
    for name, spec in specs.items():
        partitions = len(described.get(name, {}).get("partitions") or [])
        if partitions != spec.partitions:
            problems.append(f"{name} has {partitions} partitions, {spec.partitions} were asked for")
        actual = configs.get(name, {})
        for key, wanted in spec.configs.items():
            value = (actual.get(key) or {}).get("value")
            if key == "cleanup.policy":
                same = value is not None and set(str(value).split(",")) == set(wanted.split(","))
            elif key == "min.insync.replicas":
                # more in-sync replicas than asked for is stricter, not a conflict (a run with replication
                # factor 1, such as the demo, may write to a cluster's replicated topics)
                same = value is not None and str(value).isdigit() and int(value) >= int(wanted)
            else:
                same = str(value) == wanted
            if not same:
                problems.append(f"{name} has {key}={value}, {wanted} was asked for")
    if problems:
        raise TopicConflict(
            "existing topics conflict with the settings: "
            + "; ".join(problems)
            + " (use another --topic-prefix, or change the topics with kafka-configs/kafka-topics)"
        )
