"""One pass of Aho-Corasick over an article finds every lexicon term: signals, places, organisations, people,
scope topics.

One automaton per language is built once per process, lazily, over lower-cased keys, from the tables of the
lexicon modules (``taxonomy``, ``places``, ``entities``), which read the data files in ``lexicon/``; the keys
and rules of every language are precompiled at install (``PRECOMPILED``), so a process usually builds only the
Rust automaton.
Case-sensitive terms (``=SEC``, ``=Meta``, ``=EUA``) share that automaton: their hits are kept only when the
original text spells them exactly, so the article is walked once, not twice. Each key maps to every lexicon
entry that spells it, so one scan serves all of them.

The walk itself runs in Rust (``ahocorasick_rs``), which hands back plain ``(pattern, start, end)`` integers;
everything a hit needs afterwards (its kind, edge rule, payload, the longer terms that may cover it) is looked
up in tables prepared when the automaton is built, so the per-hit Python work is a few comparisons and one
append into the list of its kind.

Word boundaries are checked after the automaton reports a match, per script: Latin and Cyrillic terms must start
and (unless written ``term*``) end at a word edge; Chinese, Japanese and Korean terms need no edges; Arabic terms
need only a right edge because clitics attach on the left. Where a longer hit of the same kind covers a shorter
one ("projeto de lei" over "lei", "インドネシア" over "インド"), only the longer one is kept.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Any, Final

from transforms.regulation import entities, places, taxonomy

__all__ = [
    "CONCEPTS",
    "PRECOMPILED",
    "Entry",
    "Kind",
    "Scan",
    "lower_preserving_length",
    "precompile",
    "scan",
    "sentence_ends",
    "warm_up",
]


class Kind(IntEnum):
    """What a lexicon entry is evidence of; the value indexes ``Scan.by_kind``."""

    SIGNAL = 0  # a regulation signal: payload = (concept id, weight)
    AUTHORITY = 1  # an unnamed authority ("regulators", "autoridades"): payload = ()
    NEGATIVE = 2  # a hard-negative topic cue: payload = (topic, weight)
    PLACE = 3  # a jurisdiction: payload = (code,)
    ORG = 4  # a named organisation: payload = (canonical, is_regulator, code or None)
    PERSON = 5  # a known person: payload = (canonical,)
    ROLE = 6  # a role word that introduces a person's name: payload = ()
    SCOPE = 7  # what the story is about: payload = (topic, in_scope); collected, not scored by the lexicon


class _Edge(IntEnum):
    NONE = 0  # CJK: substrings are fine
    BOTH = 1  # whole word
    LEFT = 2  # word start, any continuation ("term*")
    RIGHT = 3  # Arabic whole term: clitics may precede it
    NO_EDGE_ARABIC = 4  # Arabic "term*"
    MIXED = 5  # not a term's rule: the entries behind one key disagree ("law" and "law*"), check each


# Plain ints for the hot loop (an IntEnum attribute lookup per hit costs more than the comparison itself).
_NONE, _BOTH, _LEFT, _RIGHT, _MIXED = (
    int(_Edge.NONE),
    int(_Edge.BOTH),
    int(_Edge.LEFT),
    int(_Edge.RIGHT),
    int(_Edge.MIXED),
)
_KINDS = len(Kind)


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry behind an automaton key."""

    kind: Kind
    language: str | None  # None: matches in every language (names, acronyms)
    edge: _Edge
    payload: tuple[Any, ...]
    surface: str | None = None  # case-sensitive entries: the exact spelling the text must have


# A signal concept is (category, label): "legislation/bill", "enforcement/penalty". Concepts are numbered once so
# the flagger keys its per-sentence tables by small ints; CONCEPTS[id] gives the pair back.
CONCEPTS: list[tuple[str, str]] = []
_CONCEPT_IDS: dict[tuple[str, str], int] = {}


def _concept_id(category: str, label: str) -> int:
    key = (category, label)
    found = _CONCEPT_IDS.get(key)
    if found is None:
        found = _CONCEPT_IDS[key] = len(CONCEPTS)
        CONCEPTS.append(key)
    return found


# Sentence-end candidates: a full stop, "!", "?" or "؟", one optional closing quote or bracket, then whitespace;
# CJK full stops with or without a closer; line breaks. They have an automaton of their own, searched
# leftmost-longest without overlaps ("。」" rather than "。", one match for ".\n\n"): its few first characters
# let the library skip through the text at memchr speed, where a Python loop over ``str.find`` results or a
# regular expression cost several times more. ``flagger`` drops the periods of abbreviations ("Mr.", "U.S.").
_CLOSERS = "\"'”’»)]」』"
_SPACES = (" ", "\t", "\u00a0", "\u3000", "\n", "\n\n", "\r\n")
SENTENCE_ENDS: tuple[str, ...] = (
    tuple(mark + closer + space for mark in ".!?؟" for closer in ("", *_CLOSERS) for space in _SPACES)
    + tuple(mark + closer for mark in "。！？" for closer in ("", *_CLOSERS))
    + ("\n", "\n\n", "\r\n")
)


# Scripts written without spaces between words (kana, CJK ideographs, Hangul, full-width forms), and Arabic:
# their terms match without word edges, or with Arabic's. One regular expression each: the lexicon holds tens
# of thousands of terms, and a Python test per character cost every process ~0.4 s to collect them.
_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u1100-\u11ff\uf900-\ufaff\uff00-\uffef]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")


def lower_preserving_length(text: str) -> str:
    """``str.lower`` without changing any offset (Turkish "İ" lowers to two code points otherwise)."""
    if "İ" in text:
        text = text.replace("İ", "i")  # the only character whose lower case is longer (i + combining dot)
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


# A "*" inside a term ("цифров* рубл*", "gesetzliche* vertreter*") lets that word inflect: Aho-Corasick has
# no wildcards, so the term is spelled out with the endings the language's inflection uses.
_INNER_ENDINGS: dict[str, tuple[str, ...]] = {
    "cyrillic": (
        "",
        "а",
        "я",
        "о",
        "е",
        "у",
        "ю",
        "ы",
        "и",
        "ь",
        "й",
        "ий",
        "ый",
        "ой",
        "ая",
        "яя",
        "ое",
        "ее",
        "ые",
        "ие",
        "ого",
        "его",
        "ому",
        "ему",
        "ым",
        "им",
        "ом",
        "ем",
        "ую",
        "юю",
        "ых",
        "их",
        "ыми",
        "ими",
        "ей",
        "ью",
        "ов",
        "ев",
        "ам",
        "ям",
        "ах",
        "ях",
        "ами",
        "ями",
        "ия",
        "ию",
        "ии",
    ),
    "latin": ("", "e", "en", "er", "es", "em", "n", "r", "s"),
}


def _spell_out(term: str) -> list[str]:
    """Every spelling of a term whose inner words end in "*" (a trailing "*" is the matcher's own business)."""
    body, trailing = (term[:-1], "*") if term.endswith("*") else (term, "")
    if "*" not in body:
        return [term]
    endings = _INNER_ENDINGS["cyrillic" if any("\u0400" <= ch <= "\u04ff" for ch in body) else "latin"]
    spellings = [""]
    pieces = body.split("*")
    for piece in pieces[:-1]:
        spellings = [done + piece + ending for done in spellings for ending in endings]
    return [done + pieces[-1] + trailing for done in spellings]


def _parse(term: str) -> tuple[str, str | None, _Edge] | None:
    """Split a lexicon term (syntax: see ``taxonomy``) into (automaton key, exact spelling or None, edge rule)."""
    term = unicodedata.normalize("NFC", term.strip())
    case_sensitive = term.startswith("=")
    if case_sensitive:
        term = term[1:]
    open_end = term.endswith("*")
    if open_end:
        term = term[:-1]
    if not term:
        return None
    if _CJK.search(term):
        edge = _Edge.NONE
    elif _ARABIC.search(term):
        edge = _Edge.NO_EDGE_ARABIC if open_end else _Edge.RIGHT
    else:
        edge = _Edge.LEFT if open_end else _Edge.BOTH
    key = lower_preserving_length(term)
    if case_sensitive and key == term:
        case_sensitive = False  # "=ЦБ" lower-cases to itself only when it has no case: nothing to check
    return key, (term if case_sensitive else None), edge


class _Lexicon:
    """Every lexicon entry by automaton key; collected once per process by ``_automaton()``."""

    def __init__(self) -> None:
        self.entries: dict[str, list[Entry]] = {}
        self.languages: set[str] = set()
        self._load()

    def _add(self, term: str, kind: Kind, language: str | None, payload: tuple[Any, ...]) -> None:
        for spelling in _spell_out(term.strip()):
            parsed = _parse(spelling)
            if parsed is None:
                continue
            key, surface, edge = parsed
            entries = self.entries.setdefault(key, [])
            entry = Entry(kind, language, edge, payload, surface)
            if entry not in entries:
                entries.append(entry)
        if language is not None:
            self.languages.add(language)

    def _add_all(
        self, terms: Iterable[str], kind: Kind, language: str | None, payload: tuple[Any, ...]
    ) -> None:
        for term in terms:
            self._add(term, kind, language, payload)

    def _load(self) -> None:
        for category, weight, label, by_language in taxonomy.SIGNALS:
            payload = (_concept_id(category, label), weight)
            for language, terms in by_language.items():
                self._add_all(terms, Kind.SIGNAL, language, payload)
        for language, terms in taxonomy.AUTHORITY_TERMS.items():
            self._add_all(terms, Kind.AUTHORITY, language, ())
        for topic, weight, by_language in taxonomy.NEGATIVE_CUES:
            for language, terms in by_language.items():
                self._add_all(terms, Kind.NEGATIVE, language, (topic, weight))
        for language, term, place_code in places.place_terms():
            self._add(term, Kind.PLACE, language, (place_code,))
        for specs, is_regulator in ((entities.REGULATORS, True), (entities.COMPANIES, False)):
            for canonical, code, aliases in specs:
                # The canonical spelling matches only as written ("MAS" and "Meta" are words in Portuguese:
                # "mas" = but, "meta" = goal); case-insensitive forms are listed among the aliases.
                self._add(f"={canonical}", Kind.ORG, None, (canonical, is_regulator, code))
                self._add_all(aliases, Kind.ORG, None, (canonical, is_regulator, code))
        for alias, canonical in entities.people_terms():
            self._add(alias, Kind.PERSON, None, (canonical,))
        for language, terms in entities.ROLE_WORDS.items():
            self._add_all(terms, Kind.ROLE, language, ())
        # Last, so the keys of every other kind keep their pattern ids (and their hits their order).
        for topic, in_scope, by_language in taxonomy.SCOPE:
            for language, terms in by_language.items():
                self._add_all(terms, Kind.SCOPE, language, (topic, in_scope))


_CYRILLIC_LANGUAGES = frozenset({"ru"})


def _applies(entry: Entry, language: str | None) -> bool:
    """Whether an entry belongs in the automaton of ``language`` (None: the all-languages automaton)."""
    if language is None or entry.language is None or entry.language == language:
        return True
    # English country names travel into other languages' articles; other languages' names do not.
    return entry.kind == Kind.PLACE and entry.language == "en"


# What the hot loop needs of one entry: (kind, edge, exact spelling or None, payload, may be covered, covers);
# ``edge`` is the entry's own rule only behind a MIXED key, else NONE (the key's shared rule is checked first).
# ``may be covered``: a longer key of the same kind contains this key; ``covers`` lists (pattern id, offset) of
# the shorter keys of the same kind inside this one, which a hit of this entry covers at start + offset.
_Target = tuple[int, int, str | None, tuple[Any, ...], bool, tuple[tuple[int, int], ...]]
# Per pattern id: (edge shared by its entries or MIXED, kind, payload, None) when one plain entry stands behind
# the key (the common case, taken without a loop), else (edge, -1, (), every target).
_Rule = tuple[int, int, tuple[Any, ...], tuple[_Target, ...] | None]


class _Automaton:
    """The automaton of one language and, per pattern id, the entries behind it (``rules``)."""

    def __init__(self, keys: list[str], rules: list[_Rule] | None = None) -> None:
        import ahocorasick_rs

        self.keys = keys
        # ContiguousNFA: the fastest of the library's implementations on our articles (measured against the DFA
        # and the non-contiguous NFA), and a tenth of the DFA's build time.
        self.search: Any = ahocorasick_rs.AhoCorasick(
            keys, implementation=ahocorasick_rs.Implementation.ContiguousNFA
        )
        self.rules: list[_Rule] = rules if rules is not None else []

    @classmethod
    def build(cls, lexicon: _Lexicon, language: str | None, scope: bool = False) -> _Automaton:
        """The automaton of ``language`` (None: every language) over the scope terms or over all the others."""
        chosen: list[tuple[str, tuple[Entry, ...]]] = []
        for key, entries in lexicon.entries.items():
            if (
                language is not None
                and language not in _CYRILLIC_LANGUAGES
                and "\u0400" <= key[0] <= "\u04ff"
            ):
                # Cyrillic names (and their spelled-out inflections) cannot occur in text in other scripts.
                continue
            mine = tuple(
                entry
                for entry in entries
                if _applies(entry, language) and (entry.kind == Kind.SCOPE) == scope
            )
            if mine:
                chosen.append((key, mine))
        automaton = cls([key for key, _entries in chosen])
        keys = automaton.keys
        kinds = [{entry.kind for entry in entries} for _key, entries in chosen]
        # Same-kind containment between keys, found by running the automaton over its own keys.
        covers: dict[tuple[int, int], list[tuple[int, int]]] = {}
        covered: set[tuple[int, int]] = set()
        for outer, key in enumerate(keys):
            for inner, start, end in automaton.search.find_matches_as_indexes(key, overlapping=True):
                if inner == outer or end - start == len(key):
                    continue
                for kind in kinds[outer] & kinds[inner]:
                    covers.setdefault((outer, kind), []).append((inner, start))
                    covered.add((inner, kind))
        for pattern, (_key, behind) in enumerate(chosen):
            edges = {int(entry.edge) for entry in behind}
            edge = edges.pop() if len(edges) == 1 else _MIXED
            targets = tuple(
                (
                    int(entry.kind),
                    # The key's one edge rule is checked before its entries are: only a MIXED key's entries
                    # check their own.
                    int(entry.edge) if edge == _MIXED else _NONE,
                    entry.surface,
                    entry.payload,
                    (pattern, entry.kind) in covered,
                    tuple(covers.get((pattern, entry.kind), ())),
                )
                for entry in behind
            )
            first_kind, _edge, surface, payload, may_be_covered, covers_others = targets[0]
            if len(targets) == 1 and surface is None and not may_be_covered and not covers_others:
                automaton.rules.append((edge, first_kind, payload, None))
            else:
                automaton.rules.append((edge, -1, (), targets))
        return automaton


class Scan:
    """The hits of one article, by kind: ``by_kind[Kind.X]`` lists ``(start, end, payload)`` in end order."""

    __slots__ = ("by_kind", "lowered")

    def __init__(self, lowered: str, by_kind: list[list[tuple[int, int, tuple[Any, ...]]]]) -> None:
        self.lowered = lowered  # the scanned text, lower-cased with every offset preserved
        self.by_kind = by_kind


@functools.cache
def _lexicon() -> _Lexicon:
    """Every lexicon entry, collected once per process (two threads that ask at once may both build it)."""
    return _Lexicon()


# The automata's tables, built ahead by ``python -m transforms.regulation.lexicon`` (``make install``): a
# process then unpickles one language's keys and rules (~10 ms) and builds only the Rust automaton from the
# keys, instead of collecting the whole lexicon and the language's rules (10 languages: 0.5 s instead of 3 s).
# The file is a cache: read only when its key says it was built from these very lexicon files, this code and
# these releases of the libraries that supply place names; otherwise everything is built as without it.
PRECOMPILED: Final = Path(__file__).resolve().parent / "lexicon" / "automata.pickle"
_SOURCES: Final = ("matcher.py", "taxonomy.py", "places.py", "entities.py", "lexicon/__init__.py")


def _precompiled_key() -> str:
    """What the tables depend on: the lexicon's files, the modules that read them, babel's and pycountry's data."""
    from importlib.metadata import version

    from transforms.regulation import lexicon

    digest = hashlib.sha256(lexicon.fingerprint().encode())  # the format is this module's
    folder = Path(__file__).resolve().parent
    for name in _SOURCES:
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    for package in ("babel", "pycountry", "ahocorasick_rs"):
        digest.update(f"{package} {version(package)}".encode())
    return digest.hexdigest()


def precompile(target: Path = PRECOMPILED) -> Path:
    """Write every language's automaton tables (keys and rules, scope and not) to ``target``."""
    lexicon = _lexicon()
    tables = {
        (language, scope): pickle.dumps((automaton.keys, automaton.rules), protocol=pickle.HIGHEST_PROTOCOL)
        for language in (None, *sorted(lexicon.languages))
        for scope in (False, True)
        for automaton in (_Automaton.build(lexicon, language, scope),)
    }
    document = {
        "key": _precompiled_key(),
        "concepts": list(CONCEPTS),
        "languages": sorted(lexicon.languages),
        "tables": tables,
    }
    partial = target.with_suffix(".part")
    partial.write_bytes(pickle.dumps(document, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(target)  # whole or absent for a process reading it meanwhile
    return target


@functools.cache
def _precompiled() -> dict[str, Any] | None:
    """The precompiled tables when they fit this process, else None (and everything is built here)."""
    try:
        with PRECOMPILED.open("rb") as handle:
            # written by ``precompile`` at install, never fetched
            document: dict[str, Any] = pickle.load(handle)
        if document.get("key") != _precompiled_key():
            return None
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None
    # Concept ids index ``CONCEPTS``: adopt the file's numbering, or give the file up if this process already
    # numbered them (a lexicon collected here) differently.
    if not CONCEPTS:
        for concept in document["concepts"]:
            _concept_id(*concept)
    if document["concepts"] != CONCEPTS:
        return None
    return document


@functools.cache
def _languages() -> frozenset[str]:
    """The languages that have terms of their own (each gets an automaton)."""
    document = _precompiled()
    if document is not None:
        return frozenset(document["languages"])
    return frozenset(_lexicon().languages)


@functools.cache
def _built(language: str | None, scope: bool) -> _Automaton:
    document = _precompiled()
    if document is not None:
        keys, rules = pickle.loads(document["tables"][(language, scope)])
        return _Automaton(keys, rules)
    return _Automaton.build(_lexicon(), language, scope)


def _automaton(language: str | None, scope: bool = False) -> _Automaton:
    """The automaton for ``language``, built on first use: one per language keeps foreign terms out of the scan.

    A language without terms of its own shares the all-languages automaton. Scope terms have automata of their
    own (``scope=True``): the flagger reads the scope of a story's title and lead only, so they need not be
    looked for in the rest of the text.
    """
    return _built(language if language in _languages() else None, scope)


@functools.cache
def _sentence_end_automaton() -> Any:
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(SENTENCE_ENDS, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)


def sentence_ends(text: str) -> list[tuple[int, int, int]]:
    """``(pattern, start, end)`` of every sentence-end candidate in ``text`` (see ``SENTENCE_ENDS``), in order."""
    found: list[tuple[int, int, int]] = _sentence_end_automaton().find_matches_as_indexes(text)
    return found


def warm_up(languages: tuple[str | None, ...] = (None,)) -> None:
    """Build the automata now (workers call this in ``setup()`` so the first article is not slow)."""
    for language in languages:
        _automaton(language)
        _automaton(language, scope=True)


def scan(text: str, language: str | None, *, scope: bool = False) -> Scan:
    """Every lexicon hit in ``text``, by kind; ``language`` (ISO 639-1) limits language-specific terms.

    ``scope=True`` looks for the scope topics only (``Kind.SCOPE``); otherwise every other kind is looked for.
    """
    automaton = _automaton(language, scope)
    rules = automaton.rules
    lowered = lower_preserving_length(text)
    size = len(text)
    by_kind: list[list[tuple[int, int, tuple[Any, ...]]]] = [[] for _ in range(_KINDS)]
    covered: set[tuple[int, int, int]] = set()  # (pattern, start, kind) of the spans that longer hits cover
    maybe_covered: list[tuple[int, int, int, int, tuple[Any, ...]]] = []
    # This loop runs for every match of every article (hundreds per article): the rules are inlined, each
    # boundary is looked at only when the edge rule needs it, and a plain entry is appended without a loop.
    for pattern, start, end in automaton.search.find_matches_as_indexes(lowered, overlapping=True):
        edge, kind, payload, targets = rules[pattern]
        if edge == _BOTH:
            if (start and lowered[start - 1].isalnum()) or (end != size and lowered[end].isalnum()):
                continue
        elif edge == _LEFT:
            if start and lowered[start - 1].isalnum():
                continue
        elif edge == _RIGHT and end != size and lowered[end].isalnum():
            continue
        if targets is None:
            by_kind[kind].append((start, end, payload))
            continue
        for kind, target_edge, surface, payload, may_be_covered, covers in targets:
            if target_edge:  # only the entries of a MIXED key keep an edge rule of their own
                if target_edge == _BOTH:
                    if (start and lowered[start - 1].isalnum()) or (end != size and lowered[end].isalnum()):
                        continue
                elif target_edge == _LEFT:
                    if start and lowered[start - 1].isalnum():
                        continue
                elif target_edge == _RIGHT and end != size and lowered[end].isalnum():
                    continue
            if surface is not None and text[start:end] != surface:
                continue
            for inner, offset in covers:
                covered.add((inner, start + offset, kind))
            if may_be_covered:
                # A covering hit ends later, so the automaton reports it afterwards: decide at the end.
                maybe_covered.append((pattern, kind, start, end, payload))
            else:
                by_kind[kind].append((start, end, payload))
    for pattern, kind, start, end, payload in maybe_covered:
        if (pattern, start, kind) not in covered:
            by_kind[kind].append((start, end, payload))
    return Scan(lowered, by_kind)
