"""A feed that keeps failing, seen live: the streaming pipeline on Prism polls a feed that always answers
HTTP 500 (with exponential backoff) beside a good one, sends heartbeats, and `newsbeam monitor` turns
it red on the dashboard, names it in /healthz (503) and in /metrics while the heartbeats stay fresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from connectors.kafka_settings import KafkaSettings
from connectors.static_server import StaticServer, reply
from pipeline.runner_choice import locate_prism
from tests.integration.helpers import start_newsbeam, stop_process, write_feeds
from tests.integration.monitor_helpers import (
    ARTIFACTS,
    chromium_page,
    get_json,
    http_get,
    running_monitor,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.integration


def test_a_feed_that_keeps_failing_turns_the_monitor_unhealthy(
    sample_server: StaticServer, kafka_settings: KafkaSettings, topic_prefix: str, tmp_path: Path
) -> None:
    locate_prism()  # `make test` builds Prism; without it this fails with the command that builds it
    sample_server.routes["/down.xml"] = reply(500, b"upstream exploded", Content_Type="text/plain")
    feeds_file = write_feeds(
        tmp_path / "feeds.yaml",
        [
            {
                "name": "sample-en",
                "url": sample_server.url("en/rss.xml"),
                "language": "en",
                "poll_interval": 30,
            },
            {"name": "flaky-upstream", "url": sample_server.url("down.xml"), "poll_interval": 1},
        ],
        allow_private_networks=True,
    )
    log_path = tmp_path / "pipeline.log"
    pipeline = start_newsbeam(
        log_path, "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_settings.bootstrap_servers,
        "--topic-prefix", topic_prefix, "--tick", "1", "--duration", "240", "--heartbeat-interval", "2",
    )  # fmt: skip
    try:
        with running_monitor(
            kafka_settings.bootstrap_servers, topic_prefix, tmp_path / "monitor.log",
            "--broken-polls", "3", "--heartbeat-max-age", "30",
        ) as base:  # fmt: skip

            def broken() -> dict | None:
                assert pipeline.poll() is None, f"the pipeline stopped:\n{log_path.read_text()[-3000:]}"
                status, body = get_json(base + "/healthz")
                # before the first heartbeat it is 503 too: wait for a live pipeline with one broken feed
                checks = {check["check"]: check["ok"] for check in body["checks"]}
                return (
                    body
                    if status == 503 and checks == {"heartbeat": True, "feed:flaky-upstream": False}
                    else None
                )

            body = wait_for(broken, timeout=180, what="/healthz: fresh heartbeats, the failing feed broken")
            checks = {check["check"]: check for check in body["checks"]}
            assert checks["heartbeat"]["ok"], checks["heartbeat"]  # the pipeline itself is alive...
            assert "(streaming)" in checks["heartbeat"]["detail"]
            problem = checks["feed:flaky-upstream"]  # ...one feed is not
            assert not problem["ok"]
            assert problem["detail"].startswith("feed flaky-upstream broken: ")
            assert "HTTP 500" in problem["detail"]
            assert body["problems"] == [problem["detail"]]

            _, feeds = get_json(base + "/api/feeds")
            by_name = {row["feed"]: row for row in feeds}
            assert by_name["flaky-upstream"]["status"] == "broken"
            assert by_name["flaky-upstream"]["consecutive_failures"] >= 3
            assert by_name["sample-en"]["status"] == "ok"

            families = {f.name: f for f in text_string_to_metric_families(http_get(base + "/metrics")[2])}
            failures = {
                s.labels["feed"]: s.value for s in families["newsbeam_feed_consecutive_failures"].samples
            }
            assert failures["flaky-upstream"] >= 3 and failures["sample-en"] == 0
            statuses = {
                (s.labels["feed"], s.labels["status"]): s.value
                for s in families["newsbeam_feed_status"].samples
            }
            assert statuses[("flaky-upstream", "broken")] == 1
            counters = {
                (s.labels["stage"], s.labels["counter"]): s.value
                for s in families["newsbeam_pipeline_events"].samples
            }
            # the streaming heartbeat's own count of the failed polls
            assert counters[("PollFeeds", "poll_failures")] >= 1
            assert [s.value for s in families["newsbeam_healthy"].samples] == [0]

            with chromium_page() as (page, errors):
                page.goto(base + "/")
                page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
                row = page.locator('#feeds tbody tr[data-feed="flaky-upstream"]')
                assert row.locator(".status").inner_text() == "broken"
                assert "HTTP 500" in row.locator("td.error").inner_text()
                assert page.locator("#health").inner_text() == "unhealthy"
                assert "flaky-upstream" in page.locator("#problems").inner_text()
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "monitor-broken-feed.png"), full_page=True)
            assert errors == [], errors
    finally:
        stop_process(pipeline)
