"""The monitor's state read once: the topics from ``lookback`` seconds ago to their end, and lag once.

``newsbeam status`` judges health from it; the web service keeps the same state current instead
(``pipeline.monitor.service``).
"""

from __future__ import annotations

import time

from connectors.kafka_settings import KafkaSettings, new_admin, new_consumer
from connectors.kafka_topics import TopicNames
from connectors.ops_events import TopicTail, consumer_lag
from pipeline.monitor.state import HealthRules, MonitorState, followed_topics


def load_state(
    settings: KafkaSettings, topics: TopicNames, *, lookback: float, rules: HealthRules, timeout: float = 30.0
) -> MonitorState:
    """A ``MonitorState`` of everything on the topics since ``lookback`` seconds ago, with lag."""
    state = MonitorState(topics.prefix, rules=rules)
    tail = TopicTail(
        settings,
        followed_topics(topics),
        since=time.time() - lookback,
    )
    try:
        state.apply_all(tail.read_to_end(timeout=timeout))
    finally:
        tail.close()
    admin = new_admin(settings)
    consumer = new_consumer(settings, group_id=None)
    try:
        state.set_lag(consumer_lag(admin, consumer, topics=topics.all()))
    except Exception as error:  # lag is one part of the screen: show the rest
        state.set_lag([], error=f"{type(error).__name__}: {error}")
    finally:
        admin.close()
        consumer.close()
    return state
