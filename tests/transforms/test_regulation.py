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


@pytest.mark.skipif(
    not SEED.exists(), reason=f"the seed story is not in the repository; it is read from {SEED}"
)
def test_seed_story() -> None:
    text = SEED.read_text(encoding="utf-8")
    language = detect_language(text)
    verdict = flag_regulation("", text, language)
    _check(
        verdict,
        language,
        {
            "flagged": True,
            "language": "pt",
            "categories_include": ["licensing_compliance", "content_moderation"],
            "jurisdictions_include": ["KZ", "FR", "US"],
            "organizations_include": ["Telegram", "Meta", "WhatsApp", "TikTok", "Apple"],
            "people_include": ["Pavel Durov"],
        },
    )


def test_score_is_calibrated_at_half() -> None:
    for title, text in [
        ("SEC fines exchange for unregistered offering", "The regulator imposed a penalty."),
        ("Bitcoin price climbs", "Traders cheered."),
    ]:
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
    verdict = flag_regulation(
        "Fed holds rates steady", "The Federal Reserve kept interest rates unchanged.", "en"
    )
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
    verdict = flag_regulation(
        "SEC sues exchange", "The SEC charged the company with securities law violations.", "en"
    )
    data = regulation_to_dict(verdict)
    assert list(data) == ["flagged", "score", "categories", "jurisdictions", "entities", "evidence"]
    assert list(data["entities"]) == ["organizations", "regulators", "companies", "people"]
    assert data["score"] == round(verdict.score, 3)
    assert json.loads(json.dumps(data)) == data
    for evidence in data["evidence"]:
        assert set(evidence) == {"sentence", "start", "end", "signals"}


def test_inner_wildcards_inflect() -> None:
    # "цифров* рубл*" spells out the inflected forms: the genitive "цифрового рубля" must match.
    verdict = flag_regulation(
        "Банк России расширяет пилот цифрового рубля",
        "Центробанк обязал крупнейшие банки подключить клиентов к платформе цифрового рубля.",
        "ru",
    )
    assert verdict.flagged
    assert "central_bank_policy" in verdict.categories


def test_a_platform_cleaning_up_on_its_own_is_not_regulation() -> None:
    # Deleting fake accounts is content moderation only when an authority demands it.
    verdict = flag_regulation(
        "Video app deletes fake accounts in routine cleanup",
        "The company said its own systems removed fake accounts that promoted giveaway scams.",
        "en",
    )
    assert not verdict.flagged


def test_an_authority_ordering_removals_is_content_moderation() -> None:
    verdict = flag_regulation(
        "Regulator orders platforms to take down illegal content",
        "The communications authority told social networks to remove illegal content within a day or face "
        "blocking orders.",
        "en",
    )
    assert verdict.flagged and "content_moderation" in verdict.categories


def test_a_securities_regulator_names_its_field() -> None:
    # The SEC's remit counts toward the categories even where the sentence only says "sued" and "fined".
    verdict = flag_regulation(
        "SEC sues crypto exchange",
        "The SEC sued the exchange and fined its operator, accusing it of misleading investors.",
        "en",
    )
    assert verdict.flagged
    assert "securities_crypto_rules" in verdict.categories and "enforcement" in verdict.categories


def test_passing_registration_does_not_make_a_licensing_story() -> None:
    verdict = flag_regulation(
        "Prosecutors charge exchange founder with fraud",
        "Police arrested the founder, and prosecutors charged him with fraud and money laundering. "
        "The court ordered the seizure of his assets. The exchange was registered with the regulator.",
        "en",
    )
    assert verdict.flagged
    assert "enforcement" in verdict.categories and "licensing_compliance" not in verdict.categories


def test_home_jurisdiction_when_no_place_is_named() -> None:
    verdict = flag_regulation("国会、暗号資産の法案を可決", "改正法は来年施行される。", "ja")
    assert verdict.flagged and verdict.jurisdictions == ("JP",)
    # English has no home: a story that names no place has no jurisdiction.
    english = flag_regulation("Lawmakers pass crypto tax bill", "The bill taxes gains at 20%.", "en")
    assert english.flagged and english.jurisdictions == ()


def test_named_places_win_over_the_home_jurisdiction() -> None:
    verdict = flag_regulation("Alemanha aprova lei sobre criptoativos", "O Bundestag aprovou a lei.", "pt")
    assert verdict.flagged and "DE" in verdict.jurisdictions and "BR" not in verdict.jurisdictions


def test_sentences_do_not_break_after_abbreviations() -> None:
    text = "Mr. Smith said the U.S. Securities and Exchange Commission fined the exchange. It will appeal."
    verdict = flag_regulation("Regulator fines exchange", text, "en")
    sentences = [evidence.sentence for evidence in verdict.evidence]
    assert "Mr. Smith said the U.S. Securities and Exchange Commission fined the exchange." in sentences


def test_long_texts_are_read_up_to_the_bound() -> None:
    from transforms.regulation.flagger import MAX_TEXT_CHARS

    filler = "Bitcoin traders watched the charts all day. " * (MAX_TEXT_CHARS // 40)
    late = "The SEC fined the exchange and regulators banned its token under securities law."
    verdict = flag_regulation("Market wrap", filler + late, "en")
    assert not verdict.flagged  # the regulation sentence lies beyond the bound
    early = flag_regulation("Market wrap", late + " " + filler, "en")
    assert early.flagged
    assert all(evidence.end <= len("Market wrap") + 1 + MAX_TEXT_CHARS for evidence in early.evidence)
