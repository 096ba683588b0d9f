"""One pass of Aho-Corasick over an article finds every lexicon term: signals, places, organisations, people.

Two automata are built once per process, lazily, from the lexicon modules: one over the lower-cased text for
ordinary terms, one over the original text for case-sensitive acronyms (``=SEC``, ``=Meta``, ``=EUA``). Each key
maps to every lexicon entry that spells it, so one scan serves all of them.

Word boundaries are checked after the automaton reports a match, per script: Latin and Cyrillic terms must start
and (unless written ``term*``) end at a word edge; Chinese, Japanese and Korean terms need no edges; Arabic terms
need only a right edge because clitics attach on the left.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from transforms.regulation import entities, places, taxonomy

__all__ = ["Entry", "Hit", "Kind", "scan"]


class Kind(IntEnum):
    """What a lexicon entry is evidence of."""

    SIGNAL = 0  # a regulation signal: payload = (category, weight, label)
    AUTHORITY = 1  # an unnamed authority ("regulators", "autoridades"): payload = ()
    NEGATIVE = 2  # a hard-negative topic cue: payload = (topic, weight)
    PLACE = 3  # a jurisdiction: payload = (code,)
    ORG = 4  # a named organisation: payload = (canonical, is_regulator, code or None)
    PERSON = 5  # a known person: payload = (canonical,)
    ROLE = 6  # a role word that introduces a person's name: payload = ()


class _Edge(IntEnum):
    NONE = 0  # CJK: substrings are fine
    BOTH = 1  # whole word
    LEFT = 2  # word start, any continuation ("term*")
    RIGHT = 3  # Arabic whole term: clitics may precede it
    NO_EDGE_ARABIC = 4  # Arabic "term*"


@dataclass(frozen=True, slots=True)
class Entry:
    """One lexicon entry behind an automaton key."""

    kind: Kind
    language: str | None  # None: matches in every language (names, acronyms)
    edge: _Edge
    payload: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in the text: ``text[start:end]`` matched ``entry``."""

    start: int
    end: int
    entry: Entry


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF  # kana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0x1100 <= code <= 0x11FF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
    )


def _is_arabic(ch: str) -> bool:
    return 0x0600 <= ord(ch) <= 0x06FF or 0x0750 <= ord(ch) <= 0x077F


def lower_preserving_length(text: str) -> str:
    """``str.lower`` without changing any offset (Turkish "İ" lowers to two code points otherwise)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text).replace("İ", "i")


def _parse(term: str) -> tuple[str, bool, _Edge] | None:
    """Split the term syntax of ``taxonomy`` into (key, case_sensitive, edge rule)."""
    term = unicodedata.normalize("NFC", term.strip())
    case_sensitive = term.startswith("=")
    if case_sensitive:
        term = term[1:]
    open_end = term.endswith("*")
    if open_end:
        term = term[:-1]
    if not term:
        return None
    if any(_is_cjk(ch) for ch in term):
        edge = _Edge.NONE
    elif any(_is_arabic(ch) for ch in term):
        edge = _Edge.NO_EDGE_ARABIC if open_end else _Edge.RIGHT
    else:
        edge = _Edge.LEFT if open_end else _Edge.BOTH
    key = term if case_sensitive else lower_preserving_length(term)
    return key, case_sensitive, edge


class _Automata:
    """The two automata and their entries; built once per process by ``_automata()``."""

    def __init__(self) -> None:
        import ahocorasick

        self.folded: Any = ahocorasick.Automaton()
        self.exact: Any = ahocorasick.Automaton()
        self._pending: dict[tuple[str, bool], list[Entry]] = {}
        self._load()
        for (key, case_sensitive), entries in self._pending.items():
            automaton = self.exact if case_sensitive else self.folded
            automaton.add_word(key, (len(key), tuple(entries)))
        self.folded.make_automaton()
        self.exact.make_automaton()
        del self._pending

    def _add(self, term: str, kind: Kind, language: str | None, payload: tuple[Any, ...]) -> None:
        parsed = _parse(term)
        if parsed is None:
            return
        key, case_sensitive, edge = parsed
        entries = self._pending.setdefault((key, case_sensitive), [])
        entry = Entry(kind, language, edge, payload)
        if entry not in entries:
            entries.append(entry)

    def _add_alternatives(self, terms: str, kind: Kind, language: str | None, payload: tuple[Any, ...]) -> None:
        for term in terms.split("|"):
            self._add(term, kind, language, payload)

    def _load(self) -> None:
        for category, weight, label, by_language in taxonomy.SIGNALS:
            for language, terms in by_language.items():
                self._add_alternatives(terms, Kind.SIGNAL, language, (category, weight, label))
        for language, terms in taxonomy.AUTHORITY_TERMS.items():
            self._add_alternatives(terms, Kind.AUTHORITY, language, ())
        for topic, weight, by_language in taxonomy.NEGATIVE_CUES:
            for language, terms in by_language.items():
                self._add_alternatives(terms, Kind.NEGATIVE, language, (topic, weight))
        for language, term, code in places.place_terms():
            self._add(term, Kind.PLACE, language, (code,))
        for specs, is_regulator in ((entities.REGULATORS, True), (entities.COMPANIES, False)):
            for canonical, code, aliases in specs:
                # The canonical spelling matches only as written ("MAS" and "Meta" are words in Portuguese:
                # "mas" = but, "meta" = goal); case-insensitive forms are listed among the aliases.
                self._add(f"={canonical}", Kind.ORG, None, (canonical, is_regulator, code))
                self._add_alternatives(aliases, Kind.ORG, None, (canonical, is_regulator, code))
        for alias, canonical in entities.people_terms():
            self._add(alias, Kind.PERSON, None, (canonical,))
        for language, terms in entities.ROLE_WORDS.items():
            self._add_alternatives(terms, Kind.ROLE, language, ())


_built: _Automata | None = None
_lock = threading.Lock()


def _automata() -> _Automata:
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                _built = _Automata()
    return _built


def warm_up() -> None:
    """Build the automata now (workers call this in ``setup()`` so the first article is not slow)."""
    _automata()


def _accept(entry: Entry, text: str, start: int, end: int, language: str | None) -> bool:
    if language is not None and entry.language is not None and entry.language != language:
        # English place names and acronyms travel: accept them in Latin-script articles too.
        if not (entry.kind == Kind.PLACE and entry.language == "en"):
            return False
    edge = entry.edge
    if edge == _Edge.NONE or edge == _Edge.NO_EDGE_ARABIC:
        return True
    if edge != _Edge.RIGHT and start > 0 and text[start - 1].isalnum():
        return False
    if edge == _Edge.LEFT:
        return True
    return not (end < len(text) and text[end].isalnum())


def scan(text: str, language: str | None) -> list[Hit]:
    """Every lexicon hit in ``text``, in text order; ``language`` (ISO 639-1) limits language-specific terms.

    Where a longer hit of the same kind covers a shorter one ("projeto de lei" over "lei", "インドネシア" over
    "インド"), only the longer one is kept.
    """
    automata = _automata()
    lowered = lower_preserving_length(text)
    raw: list[Hit] = []
    for haystack, automaton in ((lowered, automata.folded), (text, automata.exact)):
        for last, (length, entries) in automaton.iter(haystack):
            end = last + 1
            start = end - length
            for entry in entries:
                if _accept(entry, haystack, start, end, language):
                    raw.append(Hit(start, end, entry))
    if not raw:
        return raw
    raw.sort(key=lambda hit: (hit.start, -hit.end))
    kept: list[Hit] = []
    # Furthest end reached so far by a hit of each kind: a later-starting hit ending before it is covered.
    reach: dict[Kind, int] = {}
    for hit in raw:
        kind = hit.entry.kind
        covered_until = reach.get(kind, -1)
        if hit.end <= covered_until and not _same_span_as_last(kept, hit):
            continue
        reach[kind] = max(covered_until, hit.end)
        kept.append(hit)
    return kept


def _same_span_as_last(kept: list[Hit], hit: Hit) -> bool:
    """Two entries behind one key (or one span) both count: "SEC" is an organisation and a place cue."""
    for previous in reversed(kept[-4:]):
        if previous.entry.kind == hit.entry.kind and previous.start == hit.start and previous.end == hit.end:
            return True
    return False
