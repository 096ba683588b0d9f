"""``newsbeam classify`` as a function: JSON Lines in, one JSON line out per input line, errors as data."""

from __future__ import annotations

import io
import json

import pytest

from pipeline.commands.classify import run_classify
from tests.conftest import REPO

SEED = REPO.parent / "shared" / "seed" / "000_1c4dbd0c578fe654.txt"


def _run(lines: list[str]) -> tuple[int, list[dict[str, object]], str]:
    stdin, stdout, stderr = io.BytesIO(("\n".join(lines) + "\n").encode()), io.StringIO(), io.StringIO()
    status = run_classify(stdin, stdout, stderr)
    return status, [json.loads(line) for line in stdout.getvalue().splitlines()], stderr.getvalue()


def test_valid_lines_in_order_exit_zero() -> None:
    status, out, err = _run(
        [
            json.dumps(
                {"id": "a", "title": "SEC fines exchange", "text": "The regulator imposed a $5m penalty."}
            ),
            json.dumps({"id": 2, "title": "Bitcoin climbs", "text": "The price rose 3% as traders bought."}),
            json.dumps(
                {
                    "id": "c",
                    "title": "",
                    "text": "O Banco Central publicou novas regras para corretoras.",
                    "language": "pt",
                    "url": "https://example.test/c",
                }
            ),
        ]
    )
    assert status == 0 and err == ""
    assert [row["id"] for row in out] == ["a", 2, "c"]
    assert out[0]["regulation"]["flagged"] is True  # type: ignore[index]
    assert out[1]["regulation"]["flagged"] is False  # type: ignore[index]
    assert out[2]["language"] == "pt"
    assert set(out[0]) == {"id", "language", "regulation"}


def test_invalid_lines_are_reported_and_the_rest_processed() -> None:
    status, out, err = _run(
        [
            json.dumps({"id": "ok-1", "title": "SEC sues exchange", "text": "It charged the firm."}),
            "{not json",
            json.dumps({"id": "empty", "title": "", "text": "  "}),
            "",
            json.dumps(["a", "list"]),
            json.dumps({"id": "ok-2", "title": "Ether falls", "text": "Prices dropped."}),
        ]
    )
    assert status == 1
    assert [row.get("id") for row in out] == ["ok-1", None, "empty", None, "ok-2"]
    assert out[1] == {"id": None, "line": 2, "error": out[1]["error"]}
    assert out[2]["line"] == 3 and "neither title nor text" in str(out[2]["error"])
    assert out[3]["line"] == 5  # the blank line 4 produced nothing
    assert "regulation" in out[4]
    assert err.count("\n") == 3 and "line 2" in err


def test_blank_input_is_valid() -> None:
    assert _run(["", "   "])[:2] == (0, [])


@pytest.mark.skipif(
    not SEED.exists(), reason=f"the seed story is not in the repository; it is read from {SEED}"
)
def test_seed_through_classify() -> None:
    status, out, _err = _run(
        [json.dumps({"id": "seed", "title": "", "text": SEED.read_text(encoding="utf-8")})]
    )
    assert status == 0
    regulation = out[0]["regulation"]
    assert out[0]["language"] == "pt"
    assert regulation["flagged"] is True  # type: ignore[index]
    assert "KZ" in regulation["jurisdictions"]  # type: ignore[index]
    assert "Telegram" in regulation["entities"]["organizations"]  # type: ignore[index]


def _run_bytes(data: bytes, **options: int) -> tuple[int, list[dict[str, object]]]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = run_classify(io.BytesIO(data), stdout, stderr, **options)
    return status, [json.loads(line) for line in stdout.getvalue().splitlines()]


GOOD = json.dumps({"id": "after", "title": "SEC fines exchange", "text": "The regulator fined it."})


@pytest.mark.parametrize(
    ("bad", "error"),
    [
        (b"[" * 100_000, "invalid JSON: nested deeper than the JSON parser reads"),
        (b'{"id": "\\ud800", "title": "t", "text": "x"}', "the id holds a lone surrogate"),
        (b'{"id": 1, "title": "\\udfff", "text": "x"}', "the record holds a lone surrogate"),
        (b'{"id": NaN, "title": "t", "text": "x"}', "invalid JSON: NaN is not a JSON number"),
        (b'{"id": 1, "title": "t", "text": "x", "n": -Infinity}', "-Infinity is not a JSON number"),
        (b'{"id": 1, "title": "caf\xe9"}', "not UTF-8 text: byte 0xe9 at column 24"),
        (b'{"id": 1, "text": "' + b"x" * 300_000 + b'"}', "line longer than the cap of 200000 bytes"),
    ],
    ids=["deep-brackets", "surrogate-id", "surrogate-title", "nan", "infinity", "not-utf8", "too-long"],
)
def test_a_bad_line_gets_its_error_and_every_other_line_is_answered(bad: bytes, error: str) -> None:
    status, out = _run_bytes(bad + b"\n" + GOOD.encode() + b"\n", max_line_bytes=200_000)
    assert status == 1
    assert out[0]["line"] == 1 and error in str(out[0]["error"])
    assert out[1]["id"] == "after" and "regulation" in out[1]
