"""The graph's wiring, in memory: every branch reaches the sink of its topic, bounded and streaming.

``build_graph`` takes its edges to the world as arguments: here the publishing sink keeps the records in
the pipeline instead of sending them to Kafka, and a streaming run's clock is a ``TestStream``. The feeds
and pages stay real, served by the project's loopback server, and so does every stage between them.
What reaches each topic (articles, regulation, dead letters with their stage, ops polls and heartbeats)
is asserted with ``assert_that``; the broker-backed runs are the integration tests'.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.test_stream import TestStream
from apache_beam.testing.util import BeamAssertException, assert_that, equal_to

from connectors.kafka_settings import KafkaSettings
from connectors.static_server import StaticServer
from connectors.wire import KafkaRecord
from pipeline.config import PipelineConfig
from pipeline.graph import HEARTBEAT_TICKS, POLL_TICKS, build_graph
from pipeline.options import config_from_options
from tests.conftest import free_port
from tests.integration.helpers import SampleOutcome, sample_feed_list, sample_outcome, write_feeds

Summary = tuple[str, ...]


class InMemoryTopics:
    """A ``Publisher`` whose sinks keep every record in the pipeline and acknowledge it at once."""

    def __init__(self) -> None:
        self.sinks: list[beam.PCollection[KafkaRecord]] = []

    def __call__(self, settings: KafkaSettings, *, dead_letter_topic: str | None = None) -> beam.PTransform:
        sinks = self.sinks

        class Keep(beam.PTransform):
            def expand(self, records: Any) -> beam.PCollection[tuple[str, str]]:
                branches = records if isinstance(records, tuple) else (records,)
                kept = branches | "Records" >> beam.Flatten()
                sinks.append(kept)
                return kept | "Acknowledged" >> beam.Map(lambda r: (r.topic, (r.key or b"").decode()))

        return Keep()

    def published(self, pipeline: beam.Pipeline) -> beam.PCollection[Summary]:
        """One summary per record that reached a sink (see ``summary``)."""
        return tuple(self.sinks) | "EverySink" >> beam.Flatten() | "Summaries" >> beam.Map(summary)


def summary(record: KafkaRecord) -> Summary:
    """What a record says, by topic: article id; stage, reason and feed; or the ops event."""
    kind = record.topic.rsplit(".", 1)[-1]
    value = json.loads(record.value)
    if kind in ("articles", "regulation"):
        return kind, value["article_id"]
    if kind == "deadletter":
        return kind, value["stage"], value["reason"], value["feed"]
    if value["event"] == "feed_poll":
        return kind, "feed_poll", value["feed"], value["outcome"]
    return kind, value["event"], value["job"], value["mode"]


def of_kind(kind: str, event: str | None = None) -> Callable[[Summary], bool]:
    return lambda item: item[0] == kind and (event is None or item[1] == event)


def assert_topics(published: beam.PCollection[Summary], want: SampleOutcome) -> None:
    """Each topic's sink holds exactly the sample run's records (the articles once each)."""

    def expect(kind: str, matcher: Any, event: str | None = None) -> None:
        label = f"{kind}-{event}" if event else kind
        chosen = published | f"Only{label}" >> beam.Filter(of_kind(kind, event))
        assert_that(chosen, matcher, label=f"Check{label}")

    expect("articles", equal_to([("articles", key) for key in want.articles]))
    expect("regulation", equal_to([("regulation", key) for key in want.flagged]))
    expect("deadletter", _distinct_equal_to({("deadletter", *letter) for letter in want.dead_letters}))
    polls = [("ops", "feed_poll", feed, outcome) for feed, outcome in want.polls.items()]
    expect("ops", _distinct_equal_to(set(polls)), event="feed_poll")


def _distinct_equal_to(expected: set[Summary]) -> Callable[[Iterable[Summary]], None]:
    """Streaming polls a failing feed again on its backoff: the set of what arrived is what counts."""

    def match(actual: Iterable[Summary]) -> None:
        if set(actual) != expected:
            raise BeamAssertException(f"{sorted(set(actual))} != {sorted(expected)}")

    return match


def _config(server: StaticServer, tmp_path: Path, *argv: str) -> PipelineConfig:
    feeds = sample_feed_list(server, f"http://127.0.0.1:{free_port()}/rss.xml")
    feeds_file = write_feeds(tmp_path / "feeds.yaml", feeds, allow_private_networks=True)
    fixed = ["--feeds", str(feeds_file), "--bootstrap-servers", "kafka.invalid:9092"]
    options = PipelineOptions([*fixed, "--extraction-processes", "0", *argv])
    return config_from_options(options)


@pytest.mark.parametrize("several_workers", [False, True], ids=["one-worker", "routed-by-site"])
def test_a_bounded_run_sends_every_branch_to_its_topic(
    sample_server: StaticServer, tmp_path: Path, several_workers: bool
) -> None:
    config = _config(sample_server, tmp_path, "--once", "--topic-prefix", "wired")
    topics = InMemoryTopics()
    with beam.Pipeline(runner=FnApiRunner()) as pipeline:
        build_graph(pipeline, config, publish=topics, several_workers=several_workers)
        published = topics.published(pipeline)
        assert_topics(published, sample_outcome(sample_server))
        # a bounded run's launcher sends its one heartbeat itself: the graph has no heartbeat branch
        assert_that(
            published | "Heartbeats" >> beam.Filter(of_kind("ops", "heartbeat")),
            equal_to([]),
            label="NoBeats",
        )
    assert len(topics.sinks) == 1


def test_a_streaming_run_on_a_test_clock_publishes_every_branch_and_its_heartbeats(
    sample_server: StaticServer, tmp_path: Path
) -> None:
    config = _config(sample_server, tmp_path, "--topic-prefix", "streamed", "--heartbeat-interval", "30")
    topics = InMemoryTopics()

    def test_clock(*, tick: float, heartbeat_interval: float, duration: float | None) -> TestStream:
        # one poll of every feed, a heartbeat at the start and one after it: each event of a TestStream
        # goes out once the pipeline has taken the one before
        return (
            TestStream()
            .add_elements([0], tag=HEARTBEAT_TICKS)
            .add_elements([0], tag=POLL_TICKS)
            .advance_processing_time(heartbeat_interval)
            .add_elements([1], tag=HEARTBEAT_TICKS)
            .advance_watermark_to_infinity()
        )

    options = PipelineOptions(["--streaming"])
    with beam.Pipeline(runner="BundleBasedDirectRunner", options=options) as pipeline:
        build_graph(pipeline, config, clock=test_clock, publish=topics)
        published = topics.published(pipeline)
        assert_topics(published, sample_outcome(sample_server))

        def two_heartbeats_of_this_job(beats: Iterable[Summary]) -> None:
            if Counter(beats) != Counter({("ops", "heartbeat", config.job, "streaming"): 2}):
                raise BeamAssertException(f"heartbeats: {list(beats)}")

        beats = published | "Heartbeats" >> beam.Filter(of_kind("ops", "heartbeat"))
        assert_that(beats, two_heartbeats_of_this_job, label="CheckHeartbeats")
    assert len(topics.sinks) == 2  # the records' sink and the heartbeats'
