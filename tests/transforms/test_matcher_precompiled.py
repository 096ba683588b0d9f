"""The automata tables precompiled at install are the tables the lexicon builds, and are read only when current."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest

import transforms.regulation.matcher as matcher

TEXTS = {
    "pt": "O Telegram vai abrir um escritório no Cazaquistão após pedido dos reguladores; Pavel Durov "
    "foi indiciado na França, e a Meta enfrenta multas nos EUA.",
    "en": "The SEC sued the exchange, and lawmakers passed a stablecoin bill in the Senate.",
    "ru": "Центральный банк России ввёл штраф для криптобиржи; закон о цифровом рубле принят.",
    "ja": "金融庁は暗号資産交換業者に業務改善命令を出した。",
    "nl": "De toezichthouder gaf Binance een boete.",  # no terms of its own: the all-languages automaton
}


@pytest.fixture
def fresh_automata() -> Iterator[None]:
    """Automata built inside the test are dropped after it, so later tests get the install's again."""
    matcher._built.cache_clear()
    matcher._precompiled.cache_clear()
    matcher._languages.cache_clear()
    yield
    matcher._built.cache_clear()
    matcher._precompiled.cache_clear()
    matcher._languages.cache_clear()


def _hits(language: str | None, scope: bool) -> list[list[tuple[int, int, tuple[object, ...]]]]:
    return matcher.scan(TEXTS[language or "nl"], language, scope=scope).by_kind


def test_precompiled_tables_are_the_built_ones_and_scan_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_automata: None
) -> None:
    monkeypatch.setattr(matcher, "PRECOMPILED", tmp_path / "absent.pickle")  # built here first
    languages = ("pt", "en", "ru", "ja", "nl")
    built_hits = {
        (language, scope): _hits(language, scope) for language in languages for scope in (False, True)
    }
    assert any(built_hits[("pt", False)]), "the Portuguese text has lexicon hits"

    assert matcher._precompiled() is None
    target = matcher.precompile(tmp_path / "automata.pickle")
    monkeypatch.setattr(matcher, "PRECOMPILED", target)
    matcher._built.cache_clear()
    matcher._precompiled.cache_clear()
    matcher._languages.cache_clear()
    document = matcher._precompiled()
    assert document is not None
    assert set(document["languages"]) >= {"en", "pt", "ru", "ja"} and "nl" not in document["languages"]
    lexicon = matcher._lexicon()
    for language in (None, "pt", "ru"):
        for scope in (False, True):
            keys, rules = pickle.loads(document["tables"][(language, scope)])
            built = matcher._Automaton.build(lexicon, language, scope)
            assert (keys, rules) == (built.keys, built.rules)

    # from the file, without collecting the lexicon: the same hits
    def no_lexicon() -> matcher._Lexicon:
        raise AssertionError("collected the lexicon although its tables are precompiled")

    monkeypatch.setattr(matcher, "_lexicon", no_lexicon)
    for (language, scope), hits in built_hits.items():
        assert _hits(language, scope) == hits


def test_stale_damaged_or_renumbered_tables_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_automata: None
) -> None:
    target = matcher.precompile(tmp_path / "automata.pickle")
    document = pickle.loads(target.read_bytes())
    monkeypatch.setattr(matcher, "PRECOMPILED", target)

    def read(changed: dict[str, object] | bytes) -> dict[str, object] | None:
        target.write_bytes(changed if isinstance(changed, bytes) else pickle.dumps(changed))
        matcher._precompiled.cache_clear()
        return matcher._precompiled()

    assert read(document) is not None
    # built from other lexicon files, code or library releases
    assert read({**document, "key": "0" * 64}) is None
    # cut short while written, or not a pickle at all
    assert read(target.read_bytes()[:1000]) is None
    assert read(b"not a pickle") is None
    # concepts numbered otherwise than this process numbers them (ids index matcher.CONCEPTS)
    assert matcher.CONCEPTS
    assert read({**document, "concepts": list(reversed(document["concepts"]))}) is None
    # absent
    target.unlink()
    matcher._precompiled.cache_clear()
    assert matcher._precompiled() is None
    assert matcher.scan(TEXTS["en"], "en").by_kind[matcher.Kind.SIGNAL], "built here instead"


def test_the_key_follows_the_lexicon_files_and_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    from transforms.regulation import lexicon

    key = matcher._precompiled_key()
    assert key == matcher._precompiled_key()
    monkeypatch.setattr(lexicon, "fingerprint", lambda: "another lexicon")
    assert matcher._precompiled_key() != key
    monkeypatch.undo()
    monkeypatch.setattr(matcher, "_SOURCES", (*matcher._SOURCES[:-1], "flagger.py"))
    assert matcher._precompiled_key() != key
