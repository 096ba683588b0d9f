"""``/metrics``: the monitor's state in the Prometheus text format, rendered by prometheus-client.

The exported families are one table, ``FAMILIES``: name, help, kind, labels, and the function that reads
the family's samples from one scrape of the state. A custom collector walks the table at scrape time, so
every scrape sees the latest messages. Every family is always exported (possibly without samples), so
alert rules and dashboards can rely on the names; the tests hold deploy/monitoring's alert rules and
Grafana dashboard to a real scrape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from pipeline.monitor.state import MonitorState

FEED_STATUSES = ("ok", "degraded", "failing", "broken", "overdue", "unknown")


@dataclass(frozen=True, slots=True)
class Scrape:
    """The views of a ``MonitorState`` that one scrape reads, each taken once."""

    feeds: list[dict[str, Any]]
    totals: dict[str, Any]
    healthy: bool
    heartbeat: dict[str, Any] | None
    lag_groups: list[dict[str, Any]]
    now: float

    @classmethod
    def of(cls, state: MonitorState) -> Scrape:
        return cls(
            feeds=state.feeds(),
            totals=state.totals(),
            healthy=bool(state.health()["healthy"]),
            heartbeat=state.heartbeat(),
            lag_groups=state.lag()["groups"],
            now=state.clock(),
        )


# a sample: its label values, and its value (a histogram's: its cumulative buckets and their sum)
Sample = tuple[tuple[str, ...], Any]
Samples = Callable[[Scrape], Iterable[Sample]]
MetricKind = type[GaugeMetricFamily] | type[CounterMetricFamily] | type[HistogramMetricFamily]


@dataclass(frozen=True, slots=True)
class Family:
    """One exported metric family."""

    name: str
    help: str
    kind: MetricKind
    labels: tuple[str, ...]
    samples: Samples


def per_feed(value: Callable[[dict[str, Any]], float | None]) -> Samples:
    """A sample per feed row, labelled with the feed; rows whose ``value`` is None have none."""

    def samples(scrape: Scrape) -> Iterator[Sample]:
        for row in scrape.feeds:
            if (found := value(row)) is not None:
                yield (row["feed"],), found

    return samples


def counted(total: str) -> Samples:
    """A sample per key of ``totals[total]`` (a label value, or a tuple of them), in key order."""

    def samples(scrape: Scrape) -> Iterator[Sample]:
        for key, count in sorted(scrape.totals[total].items()):
            yield (key if isinstance(key, tuple) else (key,)), count

    return samples


def single(value: Callable[[Scrape], float | None]) -> Samples:
    """One unlabelled sample, or none when ``value`` is None."""

    def samples(scrape: Scrape) -> Iterator[Sample]:
        if (found := value(scrape)) is not None:
            yield (), found

    return samples


def per_lag_group(column: str) -> Samples:
    """A sample per consumer group and topic the lag reading covers."""

    def samples(scrape: Scrape) -> Iterator[Sample]:
        for row in scrape.lag_groups:
            yield (row["group"], row["topic"]), row[column]

    return samples


def _feed_statuses(scrape: Scrape) -> Iterator[Sample]:
    for row in scrape.feeds:
        for status in FEED_STATUSES:
            yield (row["feed"], status), 1.0 if row["status"] == status else 0.0


def _feed_polls(scrape: Scrape) -> Iterator[Sample]:
    for row in scrape.feeds:
        for outcome, count in sorted(row["polls"].items()):
            yield (row["feed"], outcome), count


def _latency(scrape: Scrape) -> Iterator[Sample]:
    for since, (buckets, total, _count) in sorted(scrape.totals["latency"].items()):
        yield (since,), (buckets, total)


def _pipeline_events(scrape: Scrape) -> Iterator[Sample]:
    beat = scrape.heartbeat or {}
    for full, value in sorted((beat.get("counters") or {}).items()):
        stage, _, counter = str(full).partition(".")
        yield (str(beat.get("job")), stage, counter), value


def _heartbeat(field: str) -> Callable[[Scrape], float | None]:
    """The heartbeat's age, or when it was sent (``at``), or None without a heartbeat."""

    def value(scrape: Scrape) -> float | None:
        if scrape.heartbeat is None:
            return None
        age = float(scrape.heartbeat["age"])
        return age if field == "age" else scrape.now - age

    return value


GAUGE, COUNTER, HISTOGRAM = GaugeMetricFamily, CounterMetricFamily, HistogramMetricFamily
FEED = ("feed",)
GROUP_TOPIC = ("group", "topic")

FAMILIES = (
    # per feed: is every feed being polled, and is anything failing
    Family(
        "newsbeam_feed_up",
        "1 when the feed's last poll succeeded",
        GAUGE,
        FEED,
        per_feed(lambda row: 1.0 if row["consecutive_failures"] == 0 and row["last_poll"] else 0.0),
    ),
    Family(
        "newsbeam_feed_status",
        "1 for the feed's current status (ok, degraded, failing, broken, ...)",
        GAUGE,
        ("feed", "status"),
        _feed_statuses,
    ),
    Family(
        "newsbeam_feed_consecutive_failures",
        "failed polls in a row",
        GAUGE,
        FEED,
        per_feed(lambda row: row["consecutive_failures"]),
    ),
    Family(
        "newsbeam_feed_last_poll_timestamp_seconds",
        "when the feed was last polled",
        GAUGE,
        FEED,
        per_feed(lambda row: row["last_poll"]),
    ),
    Family(
        "newsbeam_feed_last_success_timestamp_seconds",
        "when a poll of the feed last succeeded",
        GAUGE,
        FEED,
        per_feed(lambda row: row["last_success"]),
    ),
    Family(
        "newsbeam_feed_next_poll_timestamp_seconds",
        "when the pipeline will poll the feed next",
        GAUGE,
        FEED,
        per_feed(lambda row: row["next_poll"]),
    ),
    Family(
        "newsbeam_feed_poll_duration_seconds",
        "how long the feed's last poll took",
        GAUGE,
        FEED,
        per_feed(lambda row: row["duration"]),
    ),
    Family(
        "newsbeam_feed_entries",
        "entries in the feed at its last successful poll",
        GAUGE,
        FEED,
        per_feed(lambda row: row["entries"]),
    ),
    Family(
        "newsbeam_feed_new_articles_last_hour",
        "new articles published from the feed in the last hour",
        GAUGE,
        FEED,
        per_feed(lambda row: row["new_articles_last_hour"]),
    ),
    Family(
        "newsbeam_feed_polls",
        "feed polls seen on the ops topic, by outcome",
        COUNTER,
        ("feed", "outcome"),
        _feed_polls,
    ),
    # what reached the topics
    Family(
        "newsbeam_articles",
        "messages on the articles topic, by feed",
        COUNTER,
        FEED,
        counted("articles_by_feed"),
    ),
    Family(
        "newsbeam_flagged",
        "messages on the regulation topic, by feed",
        COUNTER,
        FEED,
        counted("flagged_by_feed"),
    ),
    Family(
        "newsbeam_dead_letters",
        "messages on the dead-letter topic, by stage and reason",
        COUNTER,
        ("stage", "reason"),
        counted("dead_letters"),
    ),
    Family(
        "newsbeam_last_article_timestamp_seconds",
        "when the last article reached the articles topic",
        GAUGE,
        (),
        single(lambda scrape: scrape.totals["last_article"]),
    ),
    Family(
        "newsbeam_feed_to_kafka_latency_seconds",
        "from the entry's first sighting (since=seen) or publication (since=published) to its message on Kafka",
        HISTOGRAM,
        ("since",),
        _latency,
    ),
    # the pipeline's own word: its last heartbeat
    Family(
        "newsbeam_heartbeat_timestamp_seconds",
        "when the pipeline's last heartbeat was sent",
        GAUGE,
        (),
        single(_heartbeat("at")),
    ),
    Family(
        "newsbeam_heartbeat_age_seconds",
        "seconds since the pipeline's last heartbeat",
        GAUGE,
        (),
        single(_heartbeat("age")),
    ),
    Family(
        "newsbeam_pipeline_events",
        "the pipeline's own counters from its last heartbeat (Beam metric names), per run",
        COUNTER,
        ("job", "stage", "counter"),
        _pipeline_events,
    ),
    # are consumers keeping up
    Family(
        "newsbeam_consumer_lag_messages",
        "messages a consumer group has not committed yet, per topic",
        GAUGE,
        GROUP_TOPIC,
        per_lag_group("lag"),
    ),
    Family(
        "newsbeam_consumer_end_offset",
        "end offset (summed over partitions) of a topic a group reads",
        GAUGE,
        GROUP_TOPIC,
        per_lag_group("end"),
    ),
    # the monitor itself
    Family(
        "newsbeam_healthy",
        "1 when /healthz answers 200",
        GAUGE,
        (),
        single(lambda scrape: 1.0 if scrape.healthy else 0.0),
    ),
    Family(
        "newsbeam_monitor_messages",
        "messages the monitor consumed, by topic kind",
        COUNTER,
        ("topic",),
        counted("consumed"),
    ),
    Family(
        "newsbeam_monitor_undecodable_messages",
        "messages that were not JSON objects",
        COUNTER,
        ("topic",),
        counted("undecodable"),
    ),
)


class MonitorCollector(Collector):
    """Every family of ``FAMILIES``, read from one ``MonitorState`` at each scrape."""

    def __init__(self, state: MonitorState) -> None:
        self._state = state

    def collect(self) -> Iterator[Metric]:
        scrape = Scrape.of(self._state)
        for family in FAMILIES:
            metric = family.kind(family.name, family.help, labels=list(family.labels))
            for labels, value in family.samples(scrape):
                if isinstance(metric, HistogramMetricFamily):
                    buckets, total = value
                    metric.add_metric(list(labels), buckets, total)
                else:
                    metric.add_metric(list(labels), value)
            yield metric


def render(state: MonitorState) -> bytes:
    """The exposition text of ``state``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitorCollector(state))
    return generate_latest(registry)
