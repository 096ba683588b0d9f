"""Topic creation: min.insync.replicas follows the replication factor; existing topics are checked."""

from __future__ import annotations

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import (
    TopicConflict,
    TopicNames,
    TopicSpec,
    default_specs,
    ensure_topics,
    min_insync_replicas,
)


def test_min_insync_replicas_is_a_majority_of_the_replicas() -> None:
    assert [min_insync_replicas(n) for n in (1, 2, 3, 5)] == [1, 2, 2, 3]
    for replication in (1, 3):
        specs = default_specs(TopicNames("x"), replication_factor=replication)
        assert {spec.replication_factor for spec in specs.values()} == {replication}
        assert {spec.configs["min.insync.replicas"] for spec in specs.values()} == {
            str(min_insync_replicas(replication))
        }


def _min_insync(settings: KafkaSettings, topic: str) -> str:
    admin = KafkaAdminClient(**settings.admin_config())
    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        return str(described["topic"][topic]["min.insync.replicas"]["value"])
    finally:
        admin.close()


@pytest.mark.integration
def test_topics_get_min_insync_replicas_and_weaker_ones_conflict(
    kafka_settings: KafkaSettings, topic_prefix: str
) -> None:
    topics = TopicNames(topic_prefix)
    created = ensure_topics(kafka_settings, default_specs(topics, partitions=1))
    assert created == sorted(topics.all())
    assert _min_insync(kafka_settings, topics.articles) == "1"
    # a single broker cannot hold 3 replicas, but the setting alone can be asked for
    stricter = {topics.ops: TopicSpec(partitions=1, configs={"min.insync.replicas": "2"})}
    with pytest.raises(TopicConflict, match=r"min.insync.replicas=1, 2 was asked for"):
        ensure_topics(kafka_settings, stricter)
    # a topic that asks more in-sync replicas than a run wants is stricter, not a conflict
    name = f"{topic_prefix}.strict"
    ensure_topics(kafka_settings, {name: TopicSpec(partitions=1, configs={"min.insync.replicas": "2"})})
    assert _min_insync(kafka_settings, name) == "2"
    assert (
        ensure_topics(kafka_settings, {name: TopicSpec(partitions=1, configs={"min.insync.replicas": "1"})})
        == []
    )
