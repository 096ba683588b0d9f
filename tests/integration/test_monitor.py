"""`newsbeam monitor` against a real run: sample feeds (plus one unreachable feed) over real HTTP →
`newsbeam run --once` on Beam → real Apache Kafka → the monitor's dashboard in headless Chromium,
its /metrics, /healthz and /api, `newsbeam status`, and deploy/monitoring's rules and dashboard held to
the names a real scrape exports."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from kafka import KafkaAdminClient
from prometheus_client.parser import text_string_to_metric_families

from connectors.kafka_consume import read_messages
from connectors.kafka_settings import KafkaSettings
from connectors.kafka_topics import TopicNames
from connectors.static_server import StaticServer
from tests.conftest import SAMPLES, free_port
from tests.integration.helpers import assert_valid, newsbeam, topic_messages, write_feeds
from tests.integration.monitor_helpers import (
    ARTIFACTS,
    REPO,
    chromium_page,
    get_json,
    http_get,
    http_request,
    running_monitor,
)
from tests.waiting import wait_for

pytestmark = pytest.mark.integration

SAMPLE_FEEDS = ["sample-en", "sample-en-policy", "sample-pt", "sample-es"]
READER_GROUP = "monitor-test-readers"
MONITORING = REPO / "deploy" / "monitoring"


@dataclass
class SampleRun:
    """What the module's one pipeline run left on Kafka."""

    prefix: str
    settings: KafkaSettings
    feeds: list[str]
    articles: int
    flagged: int
    dead: list[dict[str, Any]]
    ops: list[dict[str, Any]]
    stderr: str
    monitor: str  # base URL of the monitor that watches the run


@pytest.fixture(scope="module")
def sample_run(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleRun]:
    settings = KafkaSettings(bootstrap_servers=kafka_bootstrap)
    prefix = f"test-monitor-{uuid.uuid4().hex[:10]}"
    folder = tmp_path_factory.mktemp("monitor-run")
    with StaticServer(SAMPLES) as server:
        feeds = [
            {"name": "sample-en", "url": server.url("en/rss.xml"), "language": "en"},
            {"name": "sample-en-policy", "url": server.url("en/policy.atom"), "language": "en"},
            {"name": "sample-pt", "url": server.url("pt/rss.xml"), "language": "pt-BR"},
            {"name": "sample-es", "url": server.url("es/atom.xml"), "language": "es"},
            {"name": "unreachable", "url": f"http://127.0.0.1:{free_port()}/rss.xml"},
        ]
        feeds_file = write_feeds(folder / "feeds.yaml", feeds, allow_private_networks=True)
        result = newsbeam(
            "run", "--feeds", str(feeds_file), "--bootstrap-servers", kafka_bootstrap,
            "--topic-prefix", prefix, "--once",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    topics = TopicNames(prefix)
    ops = topic_messages(settings, topics.ops)
    assert_valid(topics.ops, ops)
    # a downstream consumer group that has read 3 articles and committed them: lag to show
    consumed = list(
        read_messages(settings, topics.articles, group_id=READER_GROUP, from_beginning=True, max_messages=3)
    )
    assert len(consumed) == 3
    try:
        with running_monitor(kafka_bootstrap, prefix, folder / "monitor.log") as base:
            yield SampleRun(
                prefix=prefix,
                settings=settings,
                feeds=[feed["name"] for feed in feeds],
                articles=len(topic_messages(settings, topics.articles)),
                flagged=len(topic_messages(settings, topics.regulation)),
                dead=[m.value for m in topic_messages(settings, topics.deadletter) if m.value],
                ops=[m.value for m in ops if m.value],
                stderr=result.stderr,
                monitor=base,
            )
    finally:
        admin = KafkaAdminClient(**settings.admin_config())
        try:
            admin.delete_topics([t for t in admin.list_topics() if t.startswith(prefix + ".")])
            admin.delete_groups([READER_GROUP])
        finally:
            admin.close()


def _caught_up(run: SampleRun) -> dict[str, Any] | None:
    """The summary once the monitor has read every message of the run and a lag reading."""
    _, summary = get_json(run.monitor + "/api/summary")
    consumed = summary["totals"]["consumed"]
    _, lag = get_json(run.monitor + "/api/lag")
    done = (
        consumed.get("articles", 0) == run.articles
        and consumed.get("regulation", 0) == run.flagged
        and consumed.get("ops", 0) == len(run.ops)
        and consumed.get("deadletter", 0) == len(run.dead)
        and any(row["group"] == READER_GROUP for row in lag["groups"])
    )
    return summary if done else None


def scrape(run: SampleRun) -> list[Any]:
    """The metric families of one real /metrics scrape."""
    wait_for(lambda: _caught_up(run), timeout=60, what="the monitor to read the whole run")
    status, content_type, body = http_get(run.monitor + "/metrics")
    assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
    return list(text_string_to_metric_families(body))


def samples_of(families: list[Any]) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in families
        for sample in family.samples
    }


def test_the_run_sent_its_heartbeat_and_the_progress_summary(sample_run: SampleRun) -> None:
    heartbeats = [value for value in sample_run.ops if value["event"] == "heartbeat"]
    assert len(heartbeats) == 1
    beat = heartbeats[0]
    assert (beat["mode"], beat["final"], beat["sequence"]) == ("once", True, 1)
    assert beat["counters"]["FlagRegulation.flagged"] == sample_run.flagged
    assert beat["counters"]["DeadLetters.dead_lettered"] == len(sample_run.dead)
    assert beat["counters"]["PollFeeds.feeds_polled"] == 4  # the unreachable feed gave no response
    # not a terminal: no bar, a plain summary line from what the topics received
    assert (
        f"this run published {sample_run.articles} articles, {sample_run.flagged} flagged, "
        f"{len(sample_run.dead)} dead letters; 5/5 feeds polled, failing: unreachable"
    ) in sample_run.stderr


def test_dashboard_in_headless_chromium_shows_the_feeds_of_the_run(sample_run: SampleRun) -> None:
    wait_for(lambda: _caught_up(sample_run), timeout=60, what="the monitor to read the whole run")
    with chromium_page() as (page, errors):
        page.goto(sample_run.monitor + "/")
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)
        rows = page.locator("#feeds tbody tr")
        shown = {rows.nth(i).get_attribute("data-feed"): rows.nth(i) for i in range(rows.count())}
        assert set(shown) == set(sample_run.feeds)
        for name in SAMPLE_FEEDS:
            assert shown[name].locator(".status").inner_text() == "ok"
        broken = shown["unreachable"]
        assert broken.locator(".status").inner_text() == "failing"
        assert "connection" in broken.locator("td.error").inner_text().lower()
        # the charts, flagged stories with evidence, dead letters and lag are drawn from the same run
        assert page.locator("#throughput-chart rect.articles").count() >= 1
        assert page.locator("#flagged-chart rect.flagged").count() >= 1
        stories = page.locator("#flagged > li")
        assert stories.count() == min(10, sample_run.flagged)
        assert stories.first.locator("blockquote").count() >= 1
        dead_rows = page.locator("#deadletters tbody").inner_text()
        assert "connection_failed" in dead_rows and "no_text" in dead_rows
        assert READER_GROUP in page.locator("#lag tbody").inner_text()
        assert page.locator("#health").inner_text() == "healthy"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "monitor.png"), full_page=True)
    assert errors == [], errors
    assert (ARTIFACTS / "monitor.png").stat().st_size > 10_000


def test_metrics_describe_the_real_run(sample_run: SampleRun) -> None:
    samples = samples_of(scrape(sample_run))
    for name in SAMPLE_FEEDS:
        assert samples[("newsbeam_feed_up", (("feed", name),))] == 1
        assert samples[("newsbeam_feed_polls_total", (("feed", name), ("outcome", "ok")))] == 1
    assert samples[("newsbeam_feed_up", (("feed", "unreachable"),))] == 0
    assert samples[("newsbeam_feed_consecutive_failures", (("feed", "unreachable"),))] == 1
    assert samples[("newsbeam_feed_status", (("feed", "unreachable"), ("status", "failing")))] == 1
    articles = sum(v for (name, _), v in samples.items() if name == "newsbeam_articles_total")
    flagged = sum(v for (name, _), v in samples.items() if name == "newsbeam_flagged_total")
    assert (articles, flagged) == (sample_run.articles, sample_run.flagged)
    reasons = {
        (labels, value) for (name, labels), value in samples.items() if name == "newsbeam_dead_letters_total"
    }
    assert reasons == {
        ((("reason", "connection_failed"), ("stage", "PollFeeds")), 1),
        ((("reason", "no_text"), ("stage", "ExtractArticles")), 1),
    }
    lag = samples[
        (
            "newsbeam_consumer_lag_messages",
            (("group", READER_GROUP), ("topic", f"{sample_run.prefix}.articles")),
        )
    ]
    assert lag == sample_run.articles - 3
    seen_count = samples[("newsbeam_feed_to_kafka_latency_seconds_count", (("since", "seen"),))]
    assert seen_count == sample_run.articles
    # every article reached Kafka within a minute of its feed poll
    within_minute = samples[
        ("newsbeam_feed_to_kafka_latency_seconds_bucket", (("le", "60.0"), ("since", "seen")))
    ]
    assert within_minute == sample_run.articles
    assert samples[("newsbeam_healthy", ())] == 1
    assert 0 <= samples[("newsbeam_heartbeat_age_seconds", ())] < 120


def test_healthz_is_ok_for_a_fresh_run_and_names_the_failing_feed(sample_run: SampleRun) -> None:
    wait_for(lambda: _caught_up(sample_run), timeout=60, what="the monitor to read the whole run")
    status, body = get_json(sample_run.monitor + "/healthz")
    assert status == 200 and body["healthy"] is True and body["problems"] == []
    details = [check["detail"] for check in body["checks"]]
    assert any("(once)" in d and "final: the run finished" in d for d in details)
    assert "5 feed(s), none broken; failing but not broken yet: unreachable" in details


def test_healthz_503_when_a_failing_feed_counts_as_broken_and_heartbeats_are_stale(
    sample_run: SampleRun, tmp_path: Path
) -> None:
    # the same real run, judged by stricter rules: broken after 1 failed poll, heartbeats older than 0 s stale
    with running_monitor(
        sample_run.settings.bootstrap_servers, sample_run.prefix, tmp_path / "strict.log",
        "--broken-polls", "1", "--heartbeat-max-age", "0",
    ) as base:  # fmt: skip
        body = wait_for(
            lambda: (
                lambda answer: answer[1] if answer[0] == 503 and len(answer[1]["problems"]) == 2 else None
            )(get_json(base + "/healthz")),
            timeout=60,
            what="/healthz to report the broken feed and the stale heartbeat",
        )
        problems = body["problems"]
        assert problems[0].startswith(f"last heartbeat of {sample_run.prefix}-")
        assert problems[1].startswith("feed unreachable broken: 1 failed poll(s) in a row")
        assert "Connection refused" in problems[1] or "connection" in problems[1].lower()
        families = {f.name: f for f in text_string_to_metric_families(http_get(base + "/metrics")[2])}
        assert [s.value for s in families["newsbeam_healthy"].samples] == [0]


def test_status_prints_the_same_health_on_one_screen(sample_run: SampleRun) -> None:
    result = newsbeam(
        "status",
        "--bootstrap-servers",
        sample_run.settings.bootstrap_servers,
        "--topic-prefix",
        sample_run.prefix,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "HEALTHY" in out and "UNHEALTHY" not in out
    for name in sample_run.feeds:
        assert name in out
    assert "failing" in out and "connection" in out.lower()
    assert READER_GROUP in out and "no_text" in out
    strict = newsbeam(
        "status", "--bootstrap-servers", sample_run.settings.bootstrap_servers, "--topic-prefix", sample_run.prefix,
        "--broken-polls", "1",
    )  # fmt: skip
    assert strict.returncode == 1 and "UNHEALTHY" in strict.stdout and "broken" in strict.stdout


def _promql_metric_names(expression: str) -> set[str]:
    """The metric names an expression selects (identifiers that start with our prefix)."""
    return set(re.findall(r"\b(newsbeam_[a-zA-Z0-9_]+)", expression))


def test_alert_rules_and_grafana_dashboard_use_only_exported_metric_names(sample_run: SampleRun) -> None:
    families = scrape(sample_run)
    exported = {family.name for family in families} | {
        sample.name for family in families for sample in family.samples
    }
    # counters and histograms are queried by their sample names (_total, _bucket, _sum, _count)
    for family in families:
        if family.type == "counter":
            exported.add(family.name + "_total")
        if family.type == "histogram":
            exported |= {family.name + suffix for suffix in ("_bucket", "_sum", "_count")}
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text(encoding="utf-8"))
    used_by_rules = {
        name
        for group in rules["groups"]
        for rule in group["rules"]
        for name in _promql_metric_names(rule["expr"])
    }
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8"))
    used_by_dashboard = {
        name
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
        for name in _promql_metric_names(target["expr"])
    }
    assert used_by_rules and used_by_dashboard
    assert used_by_rules - exported == set()
    assert used_by_dashboard - exported == set()


def test_the_monitor_wants_its_token_and_keeps_the_page_to_its_own_code(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    token = "monitor-token-" + uuid.uuid4().hex
    token_file = tmp_path / "token"
    token_file.write_text(token + "\n", encoding="utf-8")
    prefix = f"test-token-{uuid.uuid4().hex[:8]}"
    with running_monitor(
        kafka_bootstrap, prefix, tmp_path / "monitor.log", "--token-file", str(token_file)
    ) as base:
        answers = {path: http_request(base + path) for path in ("/", "/api/summary", "/metrics", "/healthz")}
        assert {path: status for path, (status, _, _) in answers.items()} == dict.fromkeys(answers, 401)
        status, headers, body = answers["/"]
        assert headers["WWW-Authenticate"].startswith("Bearer") and "Authorization: Bearer" in body
        assert http_request(base + "/api/summary", headers={"Authorization": "Bearer wrong"})[0] == 401
        assert http_request(base + "/api/summary", headers={"Authorization": f"Bearer {token}"})[0] == 200
        # a browser: the token in the address once, then the cookie it set
        status, headers, _ = http_request(f"{base}/?token={token}")
        assert (status, headers["Location"]) == (303, "/")
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
        with_cookie = http_request(base + "/", headers={"Cookie": cookie})
        assert with_cookie[0] == 200 and "<title>newsbeam monitor</title>" in with_cookie[2]
        for _, sent, _ in (*answers.values(), with_cookie):
            assert "script-src 'self'" in sent["Content-Security-Policy"]
            assert "'unsafe-inline'" not in sent["Content-Security-Policy"]
            assert sent["X-Content-Type-Options"] == "nosniff"
