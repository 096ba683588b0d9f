"""The regulation flagger on fixtures that carry their own expectation, on the seed story, and on its contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from transforms.language import detect_language
from transforms.records import Regulation
from transforms.regulation import flag_regulation, regulation_to_dict

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "regulation"
SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "000_1c4dbd0c578fe654.txt"


def _fixture_names() -> list[str]:
    return sorted(path.name.removesuffix(".expected.json") for path in FIXTURES.glob("*.expected.json"))


def _check(verdict: Regulation, language: str | None, expected: dict[str, Any]) -> None:
    assert verdict.flagged is expected["flagged"], verdict
    if "language" in expected:
        assert language == expected["language"]
    assert set(expected.get("categories_include", ())) <= set(verdict.categories)
    assert set(expected.get("jurisdictions_include", ())) <= set(verdict.jurisdictions)
    assert set(expected.get("organizations_include", ())) <= set(verdict.entities.organizations)
    assert set(expected.get("people_include", ())) <= set(verdict.entities.people)


@pytest.mark.parametrize("name", _fixture_names())
def test_fixture(name: str) -> None:
    article = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    expected = json.loads((FIXTURES / f"{name}.expected.json").read_text(encoding="utf-8"))
    language = detect_language(f"{article['title']}\n{article['text']}", article.get("language"))
    _check(flag_regulation(article["title"], article["text"], language), language, expected)


@pytest.mark.skipif(not SEED.exists(), reason=f"the seed story is not in the repository; it is read from {SEED}")
def test_seed_story() -> None:
    text = SEED.read_text(encoding="utf-8")
    language = detect_language(text)
    verdict = flag_regulation("", text, language)
    _check(verdict, language, {
        "flagged": True,
        "language": "pt",
        "categories_include": ["licensing_compliance", "content_moderation"],
        "jurisdictions_include": ["KZ", "FR", "US"],
        "organizations_include": ["Telegram", "Meta", "WhatsApp", "TikTok", "Apple"],
        "people_include": ["Pavel Durov"],
    })


def test_score_is_calibrated_at_half() -> None:
    for title, text in [("SEC fines exchange for unregistered offering", "The regulator imposed a penalty."),
                        ("Bitcoin price climbs", "Traders cheered.")]:
        verdict = flag_regulation(title, text, "en")
        assert 0.0 <= verdict.score <= 1.0
        assert verdict.flagged == (verdict.score >= 0.5)


def test_evidence_offsets_point_into_title_newline_text() -> None:
    title = "Lawmakers pass crypto tax bill"
    text = "The parliament approved the bill on Monday. It taxes gains on digital assets at 20%."
    verdict = flag_regulation(title, text, "en")
    full = f"{title}\n{text}"
    assert verdict.flagged and verdict.evidence
    for evidence in verdict.evidence:
        assert full[evidence.start : evidence.end] == evidence.sentence
        assert evidence.signals


def test_unflagged_articles_report_no_categories_or_jurisdictions() -> None:
    verdict = flag_regulation("Fed holds rates steady", "The Federal Reserve kept interest rates unchanged.", "en")
    assert not verdict.flagged
    assert verdict.categories == () and verdict.jurisdictions == ()
    assert "Federal Reserve" in verdict.entities.regulators


def test_empty_input_is_not_an_error() -> None:
    verdict = flag_regulation("", "", None)
    assert not verdict.flagged and verdict.evidence == ()


def test_word_boundaries_in_latin_script_but_not_in_cjk() -> None:
    # "lawn" must not match "law"; "法案" inside a Japanese sentence must match without spaces.
    assert not flag_regulation("Lawn care tips", "Lawnmowers and taxonomies.", "en").flagged
    assert flag_regulation("国会で暗号資産の法案が成立", "金融庁が規制を強化する。", "ja").flagged


def test_case_sensitive_acronyms() -> None:
    # Portuguese "mas" (but) and "meta" (goal) are not the MAS regulator or Meta the company.
    verdict = flag_regulation("A meta do time", "Mas o técnico discordou.", "pt")
    assert "MAS" not in verdict.entities.organizations and "Meta" not in verdict.entities.organizations


def test_regulation_to_dict_shape() -> None:
    verdict = flag_regulation("SEC sues exchange", "The SEC charged the company with securities law violations.", "en")
    data = regulation_to_dict(verdict)
    assert list(data) == ["flagged", "score", "categories", "jurisdictions", "entities", "evidence"]
    assert list(data["entities"]) == ["organizations", "regulators", "companies", "people"]
    assert data["score"] == round(verdict.score, 3)
    assert json.loads(json.dumps(data)) == data
    for evidence in data["evidence"]:
        assert set(evidence) == {"sentence", "start", "end", "signals"}
