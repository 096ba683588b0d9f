"""The regulation lexicon's data files: each fits ``schema.json``, names only what the others declare, every term
parses with the matcher's term parser, and every language has terms for every concept, negative topic and scope
topic. Bad documents show what each check catches."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml
from jsonschema import Draft202012Validator

from transforms.regulation import lexicon, matcher, places
from transforms.regulation.lexicon import FOLDER, LexiconFiles, problems

SCHEMA: dict[str, Any] = json.loads((FOLDER / "schema.json").read_text(encoding="utf-8"))
FILES = sorted(FOLDER.glob("*.yaml"))
PLACE_CODES = frozenset({country.alpha_2 for country in pycountry.countries} | {"EU", "INTL"})


def _kind(path: Path) -> str:
    return path.stem if path.stem in lexicon.NEUTRAL_FILES else "language"


@cache
def _validator(kind: str) -> Draft202012Validator:
    """The schema's definition of one kind of file (``$defs/<kind>``), with every definition it refers to."""
    return Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{kind}"})


def _schema_errors(kind: str, document: Any) -> list[str]:
    errors = sorted(_validator(kind).iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}" for error in errors]


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _term_lists(kind: str, document: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """``(where, terms)`` for every list of matcher terms in a document of ``kind``."""
    if kind == "language":
        for category, concepts in document["signals"].items():
            for label, terms in concepts.items():
                yield f"signals/{category}/{label}", terms
        yield "authority_terms", document["authority_terms"]
        for topic, terms in document["negative_cues"].items():
            yield f"negative_cues/{topic}", terms
        for topic, terms in document["scope"].items():
            yield f"scope/{topic}", terms
        for code, terms in document["places"].items():
            yield f"places/{code}", terms
        if "role_words" in document:
            yield "role_words", document["role_words"]
    elif kind == "organisations":
        for group in ("regulators", "companies", "people"):
            for entry in document[group]:
                yield f"{group}/{entry['name']}", entry["aliases"]


def _unparsable(terms: list[str]) -> list[str]:
    """The terms the matcher cannot turn into automaton keys, or whose ``=`` or ``*`` it would misread."""
    bad = []
    for term in terms:
        spellings = matcher._spell_out(term.strip())
        if any(matcher._parse(spelling) is None for spelling in spellings):
            bad.append(term)  # nothing left to match ("=", "*")
        elif "=" in term[1:] or any(rest[:1] not in ("", " ") for rest in term.split("*")[1:]):
            bad.append(term)  # "=" only opens a term, "*" only ends a word
    return bad


def _duplicates(terms: list[str]) -> list[str]:
    return [term for term, count in Counter(terms).items() if count > 1]


# ---------------------------------------------------------------------------------------------- the real files


def test_the_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_file_fits_the_schema(path: Path) -> None:
    assert _schema_errors(_kind(path), _read(path)) == []


def test_there_is_one_file_per_flagged_language() -> None:
    languages = {path.stem for path in FILES} - set(lexicon.NEUTRAL_FILES)
    assert languages == set(places.LANGUAGES)
    assert set(lexicon.NEUTRAL_FILES) <= {path.stem for path in FILES}


def test_files_name_only_declared_concepts_topics_categories_and_codes() -> None:
    assert problems(lexicon.load(), PLACE_CODES) == []


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_term_parses_and_none_is_listed_twice(path: Path) -> None:
    document = _read(path)
    unparsable = {
        where: bad for where, terms in _term_lists(_kind(path), document) if (bad := _unparsable(terms))
    }
    duplicates = {
        where: dup for where, terms in _term_lists(_kind(path), document) if (dup := _duplicates(terms))
    }
    assert unparsable == {}
    assert duplicates == {}


@pytest.mark.parametrize("language", lexicon.LANGUAGES)
def test_every_language_has_terms_for_every_concept_and_topic(language: str) -> None:
    files = lexicon.load()
    document = files.languages[language]
    declared = {
        (category, label) for category, labels in files.concepts["concepts"].items() for label in labels
    }
    named = {(category, label) for category, labels in document["signals"].items() for label in labels}
    assert declared - named == set()
    assert set(files.concepts["negative_topics"]) - set(document["negative_cues"]) == set()
    assert set(files.concepts["scope_topics"]) - set(document["scope"]) == set()


@pytest.mark.parametrize("language", lexicon.LANGUAGES)
def test_no_scope_term_names_two_topics(language: str) -> None:
    """A key under two scope topics would report one span as, say, both crypto and sports."""
    topics_by_key: dict[str, set[str]] = {}
    for topic, terms in lexicon.load().languages[language]["scope"].items():
        for term in terms:
            for spelling in matcher._spell_out(term.strip()):
                parsed = matcher._parse(spelling)
                if parsed is not None:
                    topics_by_key.setdefault(parsed[0], set()).add(topic)
    assert {key: topics for key, topics in topics_by_key.items() if len(topics) > 1} == {}


def test_scope_topics_are_in_and_out_of_scope() -> None:
    scope_topics = lexicon.load().concepts["scope_topics"]
    assert set(scope_topics.values()) == {True, False}
    assert scope_topics["crypto"] is True and scope_topics["sports"] is False


def test_scope_hits_carry_their_topic_and_whether_it_is_in_scope() -> None:
    assert max(matcher.Kind) == matcher.Kind.SCOPE  # appended last: the other kinds keep their numbers
    text = "Regulator fines crypto exchange\nThe football club's new stadium in the West Bank"
    found = matcher.scan(text, "en", scope=True)  # scope terms have automata of their own
    hits = {(found.lowered[start:end], payload) for start, end, payload in found.by_kind[matcher.Kind.SCOPE]}
    assert not matcher.scan(text, "en").by_kind[matcher.Kind.SCOPE]
    assert ("crypto exchange", ("crypto", True)) in hits
    assert ("football", ("sports", False)) in hits
    assert ("west bank", ("war_diplomacy", False)) in hits
    # "west bank" covers the "bank" inside it: no banking hit
    assert not any(payload[0] == "banking_payments" for _surface, payload in hits)


def test_words_that_are_never_names_are_lower_case() -> None:
    for language, document in lexicon.load().languages.items():
        words = document.get("not_name_words", ())
        assert [word for word in words if word != word.lower()] == [], language


# ---------------------------------------------------------------------------------------------- bad documents


def _with_language(document: dict[str, Any], language: str = "en") -> LexiconFiles:
    files = lexicon.load()
    return dataclasses.replace(files, languages={**files.languages, language: document})


def test_an_unknown_concept_topic_or_code_is_reported() -> None:
    bad = copy.deepcopy(lexicon.load().languages["en"])
    bad["signals"]["legislation"]["bil"] = ["a bill"]  # a misspelt concept: its terms would be dropped
    bad["signals"]["lawmaking"] = {"bill": ["a bill"]}
    bad["negative_cues"]["weather"] = ["rain"]
    bad["scope"]["gambling"] = ["casino"]  # a scope topic concepts.yaml does not declare
    bad["places"]["XX"] = ["xanadu"]
    assert problems(_with_language(bad), PLACE_CODES) == [
        "en.yaml: signals: unknown concept legislation/bil",
        "en.yaml: signals: unknown concept lawmaking/bill",
        "en.yaml: negative_cues: unknown topic weather",
        "en.yaml: scope: unknown topic gambling",
        "en.yaml: places: unknown place code 'XX'",
    ]


def test_load_refuses_files_that_do_not_fit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for path in FILES:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    concepts = _read(tmp_path / "concepts.yaml")
    concepts["concepts"]["licensing_compliance"].pop("registration")
    (tmp_path / "concepts.yaml").write_text(yaml.safe_dump(concepts, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(lexicon, "FOLDER", tmp_path)
    lexicon.load.cache_clear()
    try:
        with pytest.raises(lexicon.LexiconError, match="unknown concept licensing_compliance/registration"):
            lexicon.load()
    finally:
        lexicon.load.cache_clear()


def test_load_refuses_a_scope_topic_that_concepts_do_not_declare(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for path in FILES:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    concepts = _read(tmp_path / "concepts.yaml")
    concepts["scope_topics"].pop("crypto")
    (tmp_path / "concepts.yaml").write_text(yaml.safe_dump(concepts, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(lexicon, "FOLDER", tmp_path)
    lexicon.load.cache_clear()
    try:
        with pytest.raises(lexicon.LexiconError, match=r"en\.yaml: scope: unknown topic crypto"):
            lexicon.load()
    finally:
        lexicon.load.cache_clear()


def test_the_schema_rejects_malformed_language_files() -> None:
    bad = copy.deepcopy(_read(FOLDER / "en.yaml"))
    bad["authority_terms"] = "justice|authorities"  # the old "a|b" string instead of a list
    bad["signals"]["legislation"]["bill"].append("the bill")  # listed twice
    bad["places"][False] = ["norway"]  # YAML reads an unquoted "NO:" (Norway) as false
    bad["role_words"] = ["ceo", 7]
    bad["keywords"] = ["extra"]
    bad["scope"]["crypto"] = "bitcoin|crypto"
    bad["scope"]["Sports"] = ["football"]  # topics are lower-case identifiers
    errors = "\n".join(_schema_errors("language", bad))
    assert "Additional properties are not allowed ('keywords' was unexpected)" in errors
    assert "authority_terms: 'justice|authorities' is not of type 'array'" in errors
    assert "signals/legislation/bill: [" in errors and "has non-unique elements" in errors
    assert "False is not of type 'string'" in errors
    assert "role_words/1: 7 is not of type 'string'" in errors
    assert "scope/crypto: 'bitcoin|crypto' is not of type 'array'" in errors
    assert "'Sports' does not match" in errors
    del bad["scope"]
    assert "'scope' is a required property" in "\n".join(_schema_errors("language", bad))


def test_the_schema_rejects_an_unknown_weight_tier() -> None:
    concepts = copy.deepcopy(_read(FOLDER / "concepts.yaml"))
    concepts["concepts"]["legislation"]["bill"] = "VERY STRONG"
    assert _schema_errors("concepts", concepts) == [
        "concepts/legislation/bill: 'VERY STRONG' is not one of ['STRONG', 'MEDIUM', 'WEAK']"
    ]


def test_the_schema_rejects_a_scope_topic_without_a_yes_or_no() -> None:
    concepts = copy.deepcopy(_read(FOLDER / "concepts.yaml"))
    concepts["scope_topics"]["crypto"] = "in"
    assert _schema_errors("concepts", concepts) == ["scope_topics/crypto: 'in' is not of type 'boolean'"]


def test_unparsable_and_duplicate_terms_are_caught() -> None:
    assert _unparsable(["=", "*", "law*", "gesetzliche* vertreter*", "=SEC", "a=b", "ab*c"]) == [
        "=",
        "*",
        "a=b",
        "ab*c",
    ]
    assert _duplicates(["law", "laws", "law"]) == ["law"]


def test_the_compiled_documents_are_read_only_when_they_match_the_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for path in FILES:
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(lexicon, "FOLDER", tmp_path)
    lexicon.load.cache_clear()
    try:
        parsed = lexicon.load()  # nothing compiled yet: the YAML
        compiled = lexicon.compile_documents()
        assert json.loads(compiled.read_text(encoding="utf-8"))["documents"]["en"] == _read(
            tmp_path / "en.yaml"
        )

        # compiled and current: read without parsing any YAML
        def no_yaml(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("parsed YAML although the compiled documents are current")

        with monkeypatch.context() as patched:
            patched.setattr(yaml, "load", no_yaml)
            lexicon.load.cache_clear()
            assert lexicon.load() == parsed

        # an edited file makes the compiled documents stale: the YAML is read again
        english = _read(tmp_path / "en.yaml")
        english["not_name_words"] = [*english["not_name_words"], "Zzyzx"]
        (tmp_path / "en.yaml").write_text(yaml.safe_dump(english, allow_unicode=True), encoding="utf-8")
        lexicon.load.cache_clear()
        assert lexicon.load().languages["en"] == english

        # a damaged compiled file is not read either
        compiled.write_text('{"fingerprint": ', encoding="utf-8")
        lexicon.load.cache_clear()
        assert lexicon.load().languages["en"] == english
    finally:
        lexicon.load.cache_clear()
