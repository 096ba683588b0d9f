"""``/metrics``: the monitor's state in the Prometheus text format, rendered by prometheus-client.

A custom collector reads the state at scrape time, so every scrape sees the latest messages. Every
family is always exported (possibly without samples), so alert rules and dashboards can rely on the
names; the tests hold deploy/monitoring's alert rules and Grafana dashboard to a real scrape.
"""

from __future__ import annotations

from collections.abc import Iterator

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


class MonitorCollector(Collector):
    """Per-feed, pipeline and lag metrics from one ``MonitorState``."""

    def __init__(self, state: MonitorState) -> None:
        self._state = state

    def collect(self) -> Iterator[Metric]:
        state = self._state
        feeds = state.feeds()
        totals = state.totals()
        health = state.health()
        beat = state.heartbeat()

        up = GaugeMetricFamily("newsbeam_feed_up", "1 when the feed's last poll succeeded", labels=["feed"])
        status = GaugeMetricFamily(
            "newsbeam_feed_status",
            "1 for the feed's current status (ok, degraded, failing, broken, ...)",
            labels=["feed", "status"],
        )
        failures = GaugeMetricFamily(
            "newsbeam_feed_consecutive_failures", "failed polls in a row", labels=["feed"]
        )
        last_poll = GaugeMetricFamily(
            "newsbeam_feed_last_poll_timestamp_seconds", "when the feed was last polled", labels=["feed"]
        )
        last_success = GaugeMetricFamily(
            "newsbeam_feed_last_success_timestamp_seconds",
            "when a poll of the feed last succeeded",
            labels=["feed"],
        )
        next_poll = GaugeMetricFamily(
            "newsbeam_feed_next_poll_timestamp_seconds",
            "when the pipeline will poll the feed next",
            labels=["feed"],
        )
        duration = GaugeMetricFamily(
            "newsbeam_feed_poll_duration_seconds", "how long the feed's last poll took", labels=["feed"]
        )
        entries = GaugeMetricFamily(
            "newsbeam_feed_entries", "entries in the feed at its last successful poll", labels=["feed"]
        )
        new_hour = GaugeMetricFamily(
            "newsbeam_feed_new_articles_last_hour",
            "new articles published from the feed in the last hour",
            labels=["feed"],
        )
        polls = CounterMetricFamily(
            "newsbeam_feed_polls", "feed polls seen on the ops topic, by outcome", labels=["feed", "outcome"]
        )
        for row in feeds:
            name = row["feed"]
            up.add_metric([name], 1.0 if row["consecutive_failures"] == 0 and row["last_poll"] else 0.0)
            for each in FEED_STATUSES:
                status.add_metric([name, each], 1.0 if row["status"] == each else 0.0)
            failures.add_metric([name], row["consecutive_failures"])
            if row["last_poll"] is not None:
                last_poll.add_metric([name], row["last_poll"])
            if row["last_success"] is not None:
                last_success.add_metric([name], row["last_success"])
            if row["next_poll"] is not None:
                next_poll.add_metric([name], row["next_poll"])
            duration.add_metric([name], row["duration"])
            entries.add_metric([name], row["entries"])
            new_hour.add_metric([name], row["new_articles_last_hour"])
            for outcome, count in sorted(row["polls"].items()):
                polls.add_metric([name, outcome], count)
        yield from (
            up,
            status,
            failures,
            last_poll,
            last_success,
            next_poll,
            duration,
            entries,
            new_hour,
            polls,
        )

        articles = CounterMetricFamily(
            "newsbeam_articles", "messages on the articles topic, by feed", labels=["feed"]
        )
        for name, count in sorted(totals["articles_by_feed"].items()):
            articles.add_metric([name], count)
        flagged = CounterMetricFamily(
            "newsbeam_flagged", "messages on the regulation topic, by feed", labels=["feed"]
        )
        for name, count in sorted(totals["flagged_by_feed"].items()):
            flagged.add_metric([name], count)
        dead = CounterMetricFamily(
            "newsbeam_dead_letters",
            "messages on the dead-letter topic, by stage and reason",
            labels=["stage", "reason"],
        )
        for (stage, reason), count in sorted(totals["dead_letters"].items()):
            dead.add_metric([stage, reason], count)
        last_article = GaugeMetricFamily(
            "newsbeam_last_article_timestamp_seconds", "when the last article reached the articles topic"
        )
        if totals["last_article"] is not None:
            last_article.add_metric([], totals["last_article"])
        latency = HistogramMetricFamily(
            "newsbeam_feed_to_kafka_latency_seconds",
            "from the entry's first sighting (since=seen) or publication (since=published) to its message on Kafka",
            labels=["since"],
        )
        for since, (buckets, total, _count) in sorted(totals["latency"].items()):
            latency.add_metric([since], buckets, total)
        yield from (articles, flagged, dead, last_article, latency)

        heartbeat_ts = GaugeMetricFamily(
            "newsbeam_heartbeat_timestamp_seconds", "when the pipeline's last heartbeat was sent"
        )
        heartbeat_age = GaugeMetricFamily(
            "newsbeam_heartbeat_age_seconds", "seconds since the pipeline's last heartbeat"
        )
        pipeline_counters = CounterMetricFamily(
            "newsbeam_pipeline_events",
            "the pipeline's own counters from its last heartbeat (Beam metric names), per run",
            labels=["job", "stage", "counter"],
        )
        if beat is not None:
            heartbeat_ts.add_metric([], state.clock() - beat["age"])
            heartbeat_age.add_metric([], beat["age"])
            for full, value in sorted((beat.get("counters") or {}).items()):
                stage, _, counter = str(full).partition(".")
                pipeline_counters.add_metric([str(beat.get("job")), stage, counter], value)
        yield from (heartbeat_ts, heartbeat_age, pipeline_counters)

        lag = GaugeMetricFamily(
            "newsbeam_consumer_lag_messages",
            "messages a consumer group has not committed yet, per topic",
            labels=["group", "topic"],
        )
        end = GaugeMetricFamily(
            "newsbeam_consumer_end_offset",
            "end offset (summed over partitions) of a topic a group reads",
            labels=["group", "topic"],
        )
        for row in state.lag()["groups"]:
            lag.add_metric([row["group"], row["topic"]], row["lag"])
            end.add_metric([row["group"], row["topic"]], row["end"])
        yield from (lag, end)

        healthy = GaugeMetricFamily("newsbeam_healthy", "1 when /healthz answers 200")
        healthy.add_metric([], 1.0 if health["healthy"] else 0.0)
        consumed = CounterMetricFamily(
            "newsbeam_monitor_messages", "messages the monitor consumed, by topic kind", labels=["topic"]
        )
        for topic, count in sorted(totals["consumed"].items()):
            consumed.add_metric([topic], count)
        undecodable = CounterMetricFamily(
            "newsbeam_monitor_undecodable_messages", "messages that were not JSON objects", labels=["topic"]
        )
        for topic, count in sorted(totals["undecodable"].items()):
            undecodable.add_metric([topic], count)
        yield from (healthy, consumed, undecodable)


def render(state: MonitorState) -> bytes:
    """The exposition text of ``state``."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(MonitorCollector(state))
    return generate_latest(registry)
