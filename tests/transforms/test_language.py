"""Language identification: offline, ISO 639-1 codes, the hint only as a hint."""

from __future__ import annotations

import socket

import pytest

from transforms.language import detect_language, normalise_language_code

SAMPLES = {
    "en": "The regulator fined the exchange for failing to verify its customers.",
    "pt": "O regulador multou a corretora por não verificar a identidade dos clientes.",
    "es": "El regulador multó a la plataforma por no verificar la identidad de sus clientes.",
    "fr": "Le régulateur a infligé une amende à la plateforme pour défaut de vérification.",
    "de": "Die Aufsicht verhängte ein Bußgeld gegen die Börse wegen mangelnder Kundenprüfung.",
    "it": "L'autorità ha multato la piattaforma per non aver verificato l'identità dei clienti.",
    "ru": "Регулятор оштрафовал биржу за то, что она не проверяла личность клиентов.",
    "tr": "Düzenleyici kurum, müşterilerin kimliğini doğrulamayan borsaya para cezası verdi.",
    "ja": "規制当局は顧客の本人確認を怠った取引所に罰金を科した。",
    "zh": "监管机构对未核实客户身份的交易所处以罚款。",
    "ko": "규제 당국은 고객 신원을 확인하지 않은 거래소에 벌금을 부과했다.",
    "ar": "فرضت الجهة التنظيمية غرامة على المنصة لعدم التحقق من هوية العملاء.",
}


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if anything tries to open a connection (the bundled model must be enough)."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("language detection tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_detects_each_language_offline(language: str, no_network: None) -> None:
    assert detect_language(SAMPLES[language]) == language


def test_confident_text_beats_a_wrong_hint() -> None:
    assert detect_language(SAMPLES["pt"], hint="en") == "pt"


def test_hint_decides_when_text_is_too_short() -> None:
    assert detect_language("SEC", hint="pt-BR") == "pt"
    assert detect_language("", hint="es") == "es"
    assert detect_language("   ") is None


def test_normalises_codes() -> None:
    assert normalise_language_code("pt_BR") == "pt"
    assert normalise_language_code("__label__arz") == "ar"
    assert normalise_language_code("xyz") is None
    assert normalise_language_code(None) is None


def test_shouted_latin_text_is_not_mistaken_for_another_language() -> None:
    # On upper-case text the bundled model answers "fr" for Spanish and Italian and "sv" for Turkish (measured);
    # lower-casing shouted text first gives the right answers.
    for language in ("es", "it", "tr"):
        assert detect_language(SAMPLES[language].upper()) == language
