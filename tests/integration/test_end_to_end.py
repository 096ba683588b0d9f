"""Sample feeds over real HTTP → `newsbeam run --once` on Beam → real Apache Kafka → topics read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from connectors.kafka_settings import KafkaSettings
from connectors.static_server import StaticServer
from tests.conftest import free_port
from tests.integration.helpers import assert_sample_outcome, newsbeam, sample_feed_list, write_feeds

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "runner_args",
    [
        pytest.param([], id="one-process"),
        # two Beam workers: entries are routed by site (RouteEntriesBySite) and the stages spread out
        pytest.param(
            ["--direct_num_workers", "2", "--direct_running_mode", "multi_processing"], id="two-workers"
        ),
    ],
)
def test_sample_feeds_end_to_end(
    sample_server: StaticServer,
    kafka_settings: KafkaSettings,
    topic_prefix: str,
    tmp_path: Path,
    runner_args: list[str],
) -> None:
    feeds = sample_feed_list(sample_server, f"http://127.0.0.1:{free_port()}/rss.xml")
    feeds_file = write_feeds(tmp_path / "feeds.yaml", feeds, allow_private_networks=True)

    result = newsbeam(
        "run",
        "--feeds",
        str(feeds_file),
        "--bootstrap-servers",
        kafka_settings.bootstrap_servers,
        "--topic-prefix",
        topic_prefix,
        "--once",
        *runner_args,
    )
    assert result.returncode == 0, result.stderr[-4000:]

    # the expectations live in helpers.py because the FlinkRunner test holds Flink to the same ones
    counts = assert_sample_outcome(kafka_settings, topic_prefix, sample_server)
    print(
        f"\nend to end: {counts['articles']} articles, {counts['flagged']} flagged, "
        f"{counts['dead']} dead letters, {counts['ops']} ops messages"
    )
