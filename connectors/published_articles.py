"""What earlier runs published: the compacted ``articles`` topic read back into the de-duplication map.

Restart safety rests on the broker, which every runner and worker can reach: the ``articles`` topic is
compacted (the latest version of each article id survives), and each message carries the article's
``feed``, ``version`` and the entry ``fingerprint``. At start-up the launcher reads the topic from the
beginning up to the end offsets it found when it started, and hands
``{article_id: (feed, fingerprint, version)}`` to ``DropDuplicates``. Only acknowledged messages are on
the topic, so an article counts as published only after the broker acknowledged it.
"""

from __future__ import annotations

import json
import logging
import time

from kafka import TopicPartition

from connectors.kafka_settings import KafkaSettings, new_consumer
from transforms.dead_letters import RunStopped

log = logging.getLogger(__name__)

RESTART_READ_TIMEOUT = 60.0  # seconds the launcher may spend reading the topic back (--restart-read-timeout)


class RestartReadTooSlow(RunStopped):
    """Reading back what earlier runs published took longer than its limit: nothing was started."""


def read_published(
    settings: KafkaSettings, topic: str, *, timeout: float = RESTART_READ_TIMEOUT
) -> dict[str, tuple[str, str, int]]:
    """``{article_id: (feed, fingerprint, version)}`` of the highest version of each article on ``topic``.

    Reads to the end offsets taken at the start (not to an idle timeout, so an empty topic costs
    nothing and a large one is read whole); ``timeout`` bounds the whole read (``RestartReadTooSlow``).
    A missing topic is an empty map. Messages that are not article JSON are skipped.
    """
    deadline = time.monotonic() + timeout
    # it never creates the topic it reads: the launcher creates it, compacted, at the same time
    consumer = new_consumer(
        settings, group_id=None, auto_offset_reset="earliest", allow_auto_create_topics=False
    )
    published: dict[str, tuple[str, str, int]] = {}
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        if not partitions:
            return published
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        ends = consumer.end_offsets(assigned)
        pending = {tp for tp in assigned if ends[tp] > consumer.position(tp)}
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                left = sum(ends[tp] - consumer.position(tp) for tp in pending)
                raise RestartReadTooSlow(
                    f"reading {topic} back (what earlier runs published, so that they are not published "
                    f"again) took more than {timeout:g} s: {len(published)} articles read, {left} messages "
                    "left; nothing was started. Raise --restart-read-timeout, or check the broker"
                )
            for records in consumer.poll(timeout_ms=int(min(0.5, left) * 1000)).values():
                for record in records:
                    _remember(published, record.key, record.value)
            pending = {tp for tp in pending if consumer.position(tp) < ends[tp]}
    finally:
        consumer.close()
    log.info("%d article(s) already published on %s", len(published), topic)
    return published


def _remember(published: dict[str, tuple[str, str, int]], key: bytes | None, value: bytes | None) -> None:
    try:
        message = json.loads(value) if value else None
    except (ValueError, UnicodeDecodeError):
        return
    if not isinstance(message, dict) or not isinstance(message.get("article_id"), str):
        return
    version = message.get("version")
    if not isinstance(version, int):
        return
    article = message["article_id"]
    if article in published:
        _feed, _fingerprint, newest = published[article]
        if newest > version:
            return  # an older version read after a newer one (compaction has not run yet): keep the newer
    published[article] = (str(message.get("feed") or ""), str(message.get("fingerprint") or ""), version)
