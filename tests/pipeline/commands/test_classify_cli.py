"""``newsbeam classify`` as a user runs it: the real command in a subprocess, JSON Lines in and out."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests.conftest import REPO

SEED = REPO.parent / "shared" / "seed" / "000_1c4dbd0c578fe654.txt"


def _classify(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "classify"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        timeout=120,
        check=False,
    )


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines()]


def _messages(stderr: str) -> list[str]:
    # The command's own messages; libraries imported at start-up may log their own warnings beside them.
    return [line for line in stderr.splitlines() if line.startswith("newsbeam classify:")]


@pytest.mark.skipif(
    not SEED.exists(),
    reason=f"the seed story is not part of the repository; it is read from {SEED} when present",
)
def test_seed_story_through_the_command() -> None:
    record = {"id": "seed-000", "title": "", "text": SEED.read_text(encoding="utf-8")}
    done = _classify(json.dumps(record, ensure_ascii=False) + "\n")
    assert done.returncode == 0, done.stderr
    assert _messages(done.stderr) == []
    [row] = _lines(done.stdout)
    assert set(row) == {"id", "language", "regulation"}
    assert row["id"] == "seed-000" and row["language"] == "pt"
    regulation = row["regulation"]
    assert regulation["flagged"] is True and regulation["score"] >= 0.5
    assert {"licensing_compliance", "content_moderation"} <= set(regulation["categories"])
    assert {"KZ", "FR", "US"} <= set(regulation["jurisdictions"])
    assert {"Telegram", "Meta", "WhatsApp", "TikTok", "Apple"} <= set(regulation["entities"]["organizations"])
    assert "Pavel Durov" in regulation["entities"]["people"]
    assert regulation["evidence"], "a flagged story explains itself"
    for evidence in regulation["evidence"]:
        assert (
            record["text"][evidence["start"] - 1 : evidence["end"] - 1] == evidence["sentence"]
        )  # after "\n"


def test_invalid_lines_are_reported_in_order_and_fail_the_exit_status() -> None:
    lines = [
        json.dumps({"id": "good", "title": "SEC fines exchange", "text": "The regulator imposed a penalty."}),
        '{"id": "broken", "title": ',  # not JSON
        json.dumps({"id": "empty", "title": "", "text": "   "}),  # neither title nor text
        json.dumps(
            {"id": "price", "title": "Bitcoin climbs", "text": "Traders bought as the price rose 3%."}
        ),
    ]
    done = _classify("\n".join(lines) + "\n")
    assert done.returncode == 1
    rows = _lines(done.stdout)
    assert [row["id"] for row in rows] == ["good", None, "empty", "price"]
    assert rows[0]["regulation"]["flagged"] is True
    assert rows[3]["regulation"]["flagged"] is False
    assert set(rows[1]) == {"id", "line", "error"} and rows[1]["line"] == 2
    assert rows[1]["error"].startswith("invalid JSON")
    assert set(rows[2]) == {"id", "line", "error"} and rows[2]["line"] == 3
    assert "neither title nor text" in rows[2]["error"]
    assert _messages(done.stderr) == [
        f"newsbeam classify: line 2: {rows[1]['error']}",
        f"newsbeam classify: line 3: {rows[2]['error']}",
    ]


def test_all_valid_input_exits_zero() -> None:
    done = _classify(
        json.dumps({"id": 7, "title": "Ether falls", "text": "Prices dropped overnight."}) + "\n"
    )
    assert done.returncode == 0 and _messages(done.stderr) == []
    assert [row["id"] for row in _lines(done.stdout)] == [7]
