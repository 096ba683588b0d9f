"""The regulation lexicon's data files, read once per process: ``load() -> LexiconFiles``.

The folder holds one YAML file per flagged language (``en.yaml`` ... ``cs.yaml``: signal terms by concept,
authority terms, hard-negative cues by topic, scope terms by topic, hand-added place forms by country code,
role words, words that are never names) and three language-neutral files: ``concepts.yaml`` (categories,
concepts and their weight tiers, category-weight overrides, negative topics and their weights, scope topics and
whether each is in the product's scope), ``places.yaml`` (home jurisdictions, CLDR regional codes, ambiguous
place names) and ``organisations.yaml`` (regulators, companies, known people).
``schema.json`` describes each kind; ``tests/transforms/test_lexicon_files.py`` validates every file against it.

``taxonomy``, ``entities`` and ``places`` turn the documents into the tables ``matcher`` and ``flagger`` read.
``load`` refuses files that name what the others do not declare (``problems``): a signal of an unknown concept
or a scope term of an unknown topic would otherwise be dropped without a word.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

__all__ = [
    "COMPILED",
    "FOLDER",
    "LANGUAGES",
    "NEUTRAL_FILES",
    "LexiconError",
    "LexiconFiles",
    "compile_documents",
    "fingerprint",
    "load",
    "problems",
]

FOLDER: Final = Path(__file__).resolve().parent

# The languages we flag, in the order their terms are read (one file each).
LANGUAGES: Final[tuple[str, ...]] = (
    "en",
    "pt",
    "es",
    "fr",
    "de",
    "it",
    "ru",
    "tr",
    "ja",
    "zh",
    "ko",
    "ar",
    "sk",
    "cs",
)
NEUTRAL_FILES: Final[tuple[str, ...]] = ("concepts", "places", "organisations")

# the YAML files' documents, compiled by ``compile_documents`` (not in the repository: ``make install`` writes it)
COMPILED: Final = "compiled.json"

# libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LexiconError(ValueError):
    """The lexicon files do not fit together (``problems`` lists what is wrong)."""


@dataclass(frozen=True, slots=True)
class LexiconFiles:
    """The parsed documents, as plain data: read them, never change them."""

    concepts: dict[str, Any]
    places: dict[str, Any]
    organisations: dict[str, Any]
    languages: dict[str, dict[str, Any]]  # by language code, in ``LANGUAGES`` order


def _texts() -> dict[str, bytes]:
    return {name: (FOLDER / f"{name}.yaml").read_bytes() for name in (*NEUTRAL_FILES, *LANGUAGES)}


def _fingerprint(texts: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name, text in texts.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(text).digest())
    return digest.hexdigest()


@cache
def fingerprint() -> str:
    """The SHA-256 of every lexicon file, by name: what anything compiled from them is keyed by."""
    return _fingerprint(_texts())


def _documents() -> dict[str, dict[str, Any]]:
    """Every file's document by name: from ``compiled.json`` when it was compiled from these very files
    (JSON reads ~30 times faster than the YAML parses: ~5 ms instead of ~0.15 s of every process's start),
    else parsed from the YAML."""
    texts = _texts()
    try:
        compiled = json.loads((FOLDER / COMPILED).read_bytes())
        if compiled.get("fingerprint") == _fingerprint(texts):
            documents: dict[str, dict[str, Any]] = compiled["documents"]
            return documents
    except (OSError, ValueError, AttributeError, KeyError):
        pass
    return {name: yaml.load(text, Loader=_Loader) for name, text in texts.items()}


def compile_documents() -> Path:
    """Write ``compiled.json``, the YAML files' documents as JSON under their fingerprint (``make install``
    runs it; a stale or missing file is never read, only slower to do without)."""
    texts = _texts()
    documents = {name: yaml.load(text, Loader=_Loader) for name, text in texts.items()}
    target = FOLDER / COMPILED
    partial = target.with_suffix(".part")
    partial.write_text(
        json.dumps({"fingerprint": _fingerprint(texts), "documents": documents}, ensure_ascii=False),
        encoding="utf-8",
    )
    partial.replace(target)  # whole or absent for a process reading it meanwhile
    return target


@cache
def load() -> LexiconFiles:
    """Every lexicon file, parsed on the first call; raises ``LexiconError`` when the files do not fit together."""
    documents = _documents()
    files = LexiconFiles(
        concepts=documents["concepts"],
        places=documents["places"],
        organisations=documents["organisations"],
        languages={language: documents[language] for language in LANGUAGES},
    )
    found = problems(files)
    if found:
        raise LexiconError("the regulation lexicon does not fit together:\n" + "\n".join(found))
    return files


def problems(files: LexiconFiles, place_codes: Collection[str] | None = None) -> list[str]:
    """What one file names that another does not declare, one line per problem (empty: the files fit).

    Checks concepts, negative and scope topics, categories and languages; with ``place_codes`` (every valid code,
    which needs pycountry) also the country codes of places, regulators and home jurisdictions.
    """
    concepts: Mapping[str, Mapping[str, str]] = files.concepts["concepts"]
    topics = files.concepts["negative_topics"]
    scope_topics = files.concepts["scope_topics"]
    found: list[str] = []

    def check_code(where: str, code: str) -> None:
        if place_codes is not None and code not in place_codes:
            found.append(f"{where}: unknown place code {code!r}")

    for category, labels in files.concepts["category_weights"].items():
        found.extend(
            f"concepts.yaml: category_weights: unknown concept {category}/{label}"
            for label in labels
            if label not in concepts.get(category, {})
        )
    for language, document in files.languages.items():
        for category, labels in document["signals"].items():
            found.extend(
                f"{language}.yaml: signals: unknown concept {category}/{label}"
                for label in labels
                if label not in concepts.get(category, {})
            )
        found.extend(
            f"{language}.yaml: negative_cues: unknown topic {topic}"
            for topic in document["negative_cues"]
            if topic not in topics
        )
        found.extend(
            f"{language}.yaml: scope: unknown topic {topic}"
            for topic in document["scope"]
            if topic not in scope_topics
        )
        for code in document["places"]:
            check_code(f"{language}.yaml: places", code)
    for language, code in files.places["home_jurisdictions"].items():
        if language not in files.languages:
            found.append(f"places.yaml: home_jurisdictions: unknown language {language}")
        check_code("places.yaml: home_jurisdictions", code)
    for territory, code in files.places["regional_codes"].items():
        check_code(f"places.yaml: regional_codes: {territory}", code)
    for regulator in files.organisations["regulators"]:
        remit = regulator.get("remit")
        if remit is not None and remit not in concepts:
            found.append(f"organisations.yaml: {regulator['name']}: unknown remit {remit}")
        check_code(f"organisations.yaml: {regulator['name']}", regulator["jurisdiction"])
    return found
