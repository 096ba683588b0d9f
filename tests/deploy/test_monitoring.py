"""deploy/monitoring: the Prometheus config, the alert rules and the Grafana dashboard parse and make sense.

promtool (from Debian's prometheus package; `make promtool` unpacks it into the project cache) checks the
config and the rules, runs the rules' unit tests (alerts.test.yml) and parses every dashboard query as
PromQL. The structural checks run without it. That the metric names exist is checked against a real
scrape in tests/integration/test_monitor.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
REQUIRED_ALERTS = {
    "NewsbeamFeedBroken",
    "NewsbeamNoNewArticles",
    "NewsbeamDeadLetterRateHigh",
    "NewsbeamConsumerLagHigh",
    "NewsbeamHeartbeatMissing",
}


def _promtool() -> str | None:
    cache = Path(os.environ.get("NEWSBEAM_CACHE", Path.home() / ".cache" / "newsbeam"))
    for candidate in (
        os.environ.get("NEWSBEAM_PROMTOOL"),
        str(cache / "bin" / "promtool"),
        shutil.which("promtool"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def _rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((MONITORING / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def _dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MONITORING / "grafana-dashboard.json").read_text(encoding="utf-8"))
    return loaded


def _balanced(expression: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack: list[str] = []
    for char in expression:
        if char in "([{":
            stack.append(char)
        elif char in pairs and (not stack or stack.pop() != pairs[char]):
            return False
    return not stack


def test_alert_rules_cover_the_operators_questions() -> None:
    rules = _rules()
    names = {rule["alert"] for rule in rules}
    assert names >= REQUIRED_ALERTS
    for rule in rules:
        assert rule["labels"]["severity"] in ("warning", "critical"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        assert _balanced(rule["expr"]), f"{rule['alert']}: unbalanced brackets in {rule['expr']!r}"


def test_scrape_config_targets_the_monitor_and_loads_the_rules() -> None:
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["rule_files"] == ["alerts.yml"]
    (job,) = config["scrape_configs"]
    assert job["job_name"] == "newsbeam-monitor" and job["metrics_path"] == "/metrics"
    assert any(rule["expr"] == 'up{job="newsbeam-monitor"} == 0' for rule in _rules())


def test_grafana_dashboard_is_well_formed() -> None:
    dashboard = _dashboard()
    panels = dashboard["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    assert dashboard["uid"] and dashboard["title"]
    for panel in panels:
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["expr"].strip() and _balanced(target["expr"]), (panel["title"], target["expr"])
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, panel["title"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=MONITORING, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def promtool() -> str:
    found = _promtool()
    if found is None:
        pytest.skip("promtool not found: `make promtool` unpacks it from Debian's prometheus package")
    return found


def test_promtool_accepts_config_and_rules_and_their_unit_tests_pass(promtool: str) -> None:
    for args in (
        ("check", "config", "prometheus.yml"),
        ("check", "rules", "alerts.yml"),
        ("test", "rules", "alerts.test.yml"),
    ):
        result = _run(promtool, *args)
        assert result.returncode == 0, f"promtool {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    assert "SUCCESS" in _run(promtool, "test", "rules", "alerts.test.yml").stdout


def test_promtool_parses_every_dashboard_query(promtool: str, tmp_path: Path) -> None:
    # each query as a recording rule: `promtool check rules` parses them all as PromQL
    queries = [target["expr"] for panel in _dashboard()["panels"] for target in panel["targets"]]
    rules = {
        "groups": [
            {"name": "dashboard", "rules": [{"record": f"q{i}", "expr": q} for i, q in enumerate(queries)]}
        ]
    }
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules), encoding="utf-8")
    result = _run(promtool, "check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(queries)} rules found" in result.stdout
