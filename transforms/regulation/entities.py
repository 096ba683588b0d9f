"""Named entities: a curated multilingual gazetteer of organisations, well-known people, and a name heuristic.

Organisations are split the way ``records.Entities`` wants them: ``REGULATORS`` (authorities, ministries,
courts, central banks, regional and international bodies; each with the jurisdiction it implies) and
``COMPANIES`` (companies, platforms, projects, business associations). Aliases use the term syntax of
``taxonomy`` (``=`` for case-sensitive acronyms such as ``=SEC`` or ``=Meta``, which are words in some
languages: "meta" is Portuguese for "goal").

The gazetteer is data: organisations, their remits and the known people are in ``lexicon/organisations.yaml``;
the role words and the words that are never names are in each language's file (``lexicon/en.yaml`` ...).

People come from two honest sources: ``KNOWN_PEOPLE`` (figures the crypto and tech press names constantly,
with their spellings in our scripts) and ``find_role_names``, which takes the capitalised name next to a role
word ("CEO", "fundador", "Ministro", "министр"...). Nothing is inferred from capitalisation alone.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from transforms.regulation import lexicon

_FILES = lexicon.load()


class OrgSpec(NamedTuple):
    """A named organisation: canonical name, the jurisdiction it implies (None for companies), aliases."""

    name: str
    jurisdiction: str | None
    aliases: tuple[str, ...]


class PersonSpec(NamedTuple):
    """A known person: canonical name and aliases."""

    name: str
    aliases: tuple[str, ...]


REGULATORS: Final[tuple[OrgSpec, ...]] = tuple(
    OrgSpec(regulator["name"], regulator["jurisdiction"], tuple(regulator["aliases"]))
    for regulator in _FILES.organisations["regulators"]
)

# The remit of regulators whose field is one category of the taxonomy. When such a regulator stands in a sentence
# that carries regulation signals, its field counts toward the article's categories: an SEC complaint is about
# securities law even when the sentence only says "sued", a FinCEN order is about money laundering.
REMITS: Final[dict[str, str]] = {
    regulator["name"]: regulator["remit"]
    for regulator in _FILES.organisations["regulators"]
    if "remit" in regulator
}

COMPANIES: Final[tuple[OrgSpec, ...]] = tuple(
    OrgSpec(company["name"], None, tuple(company["aliases"])) for company in _FILES.organisations["companies"]
)

KNOWN_PEOPLE: Final[tuple[PersonSpec, ...]] = tuple(
    PersonSpec(person["name"], tuple(person["aliases"])) for person in _FILES.organisations["people"]
)

# Role words that introduce a person's name nearby (before or after). Lower-case, matched as whole words.
ROLE_WORDS: Final[dict[str, tuple[str, ...]]] = {
    language: tuple(document["role_words"])
    for language, document in _FILES.languages.items()
    if "role_words" in document
}

_NAME_WORD = r"[A-ZÀ-ÖØ-ÞĀ-ſА-ЯЁ][a-zà-öø-ÿā-ſа-яё'’\-]+"
_PARTICLE = r"(?:de|da|do|dos|das|del|von|van|der|di|la|le|bin|al)"
_NAME = re.compile(rf"{_NAME_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_NAME_WORD}){{1,2}}")

# Capitalised words that start sentences or name things, never people; a candidate containing one is dropped.
# Every language's words apply to every article: the name finder does not know the article's language.
_NOT_NAME_WORDS: Final[frozenset[str]] = frozenset(
    word for document in _FILES.languages.values() for word in document.get("not_name_words", ())
)


def people_terms() -> tuple[tuple[str, str], ...]:
    """``(term, canonical name)`` for every alias of every known person."""
    return tuple((alias, name) for name, aliases in KNOWN_PEOPLE for alias in aliases)


def find_role_names(text: str, role_start: int, role_end: int, rejected: frozenset[str]) -> str | None:
    """Return the person named right after (or right before) the role word at ``text[role_start:role_end]``.

    "CEO do Telegram, Pavel Durov" and "Pavel Durov, fundador" both give "Pavel Durov"; ``rejected`` holds
    lower-cased organisation and place names that must not be mistaken for people.
    """
    after = text[role_end : role_end + 60]
    before = text[max(0, role_start - 40) : role_start]
    for window, pick_last in ((after, False), (before, True)):
        matches = list(_NAME.finditer(window))
        if not matches:
            continue
        ordered = reversed(matches) if pick_last else iter(matches)
        for match in ordered:
            candidate = match.group(0)
            words = candidate.split()
            if any(word.lower().strip("'’-") in _NOT_NAME_WORDS for word in words):
                continue
            if candidate.lower() in rejected or any(word.lower() in rejected for word in words):
                continue
            # A name sits next to its role: after the role only a short "of Telegram," may come between.
            gap = window[: match.start()] if not pick_last else window[match.end() :]
            if len(gap) > 30 or any(mark in gap for mark in ".;:!?"):
                continue
            return candidate
    return None
