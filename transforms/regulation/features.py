"""What the learned decision sees of an article: named features, built the same way for training and flagging.

Two families, both keyed by a short string so a model is a plain ``{feature: weight}`` table:

* **Words** of the title and of the lead (the first ``LEAD_CHARS`` characters of the text), in separate
  namespaces so that the title, which says what the story is about, gets weights of its own. A title word also
  gives its first ``STEM_CHARS`` letters (a crude stem that joins inflected forms: "regulamentação",
  "regulierung" and "регулирование" share "regul"), and the title gives its word pairs. Scripts written without spaces (Chinese,
  Japanese, Thai) give character pairs instead of words. Digits collapse to one token.
* **Lexicon readings** (``LexiconReading``): which signal concepts, authorities, regulators and hard-negative
  topics the lexicon found in the title and in the body, how many body sentences carry signals, and the
  lexicon's own margin. They are the same in every language, which is what carries the decision into languages
  with few labelled stories.

Every feature is binary (1.0) except the few numeric readings, which are kept small (``log1p`` of counts,
margins clipped to ``±MARGIN_CLIP``) so that no single one dominates a linear model.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

__all__ = [
    "LEAD_CHARS",
    "LexiconReading",
    "article_features",
    "binary_features",
    "numeric_features",
    "text_kind",
]

LEAD_CHARS = 500  # the summary, or a page's first paragraph or two: what the story is about
MAX_TOKENS = 120  # of the lead: about its length in words; a lead in Chinese would give ~500 character pairs
STEM_CHARS = 5
MARGIN_CLIP = 4.0
SUMMARY_MAX_CHARS = 1_200  # a text up to this long is a feed summary rather than a page's body

# Chinese, Japanese (kana and kanji) and Thai: scripts written without spaces between words.
_NO_SPACE = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff"
_WORD = re.compile(rf"[^\W{_NO_SPACE}]+")
_NO_SPACE_RUN = re.compile(rf"[{_NO_SPACE}]+")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class LexiconReading:
    """What the lexicon found in one article, summarised for the decision (see ``flagger``)."""

    title_concepts: frozenset[str] = frozenset()  # signal labels in the title ("bill", "penalty")
    body_concepts: frozenset[str] = frozenset()
    title_authority: bool = False  # an unnamed authority or a named regulator in the title
    title_strong: bool = False  # a strong signal in the title: regulation on its own ("fined", "bill")
    body_strong: bool = False
    title_regulator: bool = False
    body_signal_sentences: int = 0  # body sentences holding at least one signal
    body_authority_sentences: int = 0  # body sentences naming an authority or a regulator
    title_negatives: frozenset[str] = frozenset()  # hard-negative topics cued in the title ("price", "hack")
    body_negatives: frozenset[str] = frozenset()
    margin: float = 0.0  # the lexicon score's distance from its own threshold (raw - penalty - threshold)
    categories: frozenset[str] = field(default_factory=frozenset)  # categories the lexicon's signals point to
    title_scope: frozenset[str] = frozenset()  # scope topics named in the title ("crypto", "health")
    lead_scope: frozenset[str] = frozenset()  # ... and in the lead
    title_in_scope: bool = False  # an in-scope topic (business, markets, platforms ...) in the title
    title_out_of_scope: bool = False  # an out-of-scope one (health, sport, violent crime ...)
    lead_in_scope: bool = False
    lead_out_of_scope: bool = False


def text_kind(text: str) -> str:
    """``headline`` (no text), ``summary`` (a feed summary's length) or ``full`` (a page's body)."""
    stripped = len(text.strip())
    if stripped == 0:
        return "headline"
    return "summary" if stripped <= SUMMARY_MAX_CHARS else "full"


def _tokens(lowered: str) -> list[str]:
    """Words of an already lower-cased text; runs in space-less scripts become overlapping character pairs."""
    lowered = _DIGITS.sub("0", lowered)
    tokens: list[str] = _WORD.findall(lowered)
    if not lowered.isascii():
        for run in _NO_SPACE_RUN.findall(lowered):
            tokens.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
            if len(tokens) >= MAX_TOKENS:
                break
    return tokens[:MAX_TOKENS]


def _words(prefix: str, tokens: list[str]) -> set[str]:
    """Each token and the stem of each long one, under ``prefix``."""
    stem = prefix + "~"
    keys = {prefix + token for token in tokens}
    keys.update(stem + token[:STEM_CHARS] for token in tokens if len(token) > STEM_CHARS + 1)
    return keys


def binary_features(
    lowered_title: str, lowered_text: str, language: str | None, reading: LexiconReading
) -> set[str]:
    """The names of the article's binary features (each worth 1.0)."""
    title_tokens = _tokens(lowered_title)
    keys = _words("T:", title_tokens)
    keys.update(f"T:{first}_{second}" for first, second in itertools.pairwise(title_tokens))
    keys.update(["L:" + token for token in _tokens(lowered_text[:LEAD_CHARS])])
    keys.add("kind:" + text_kind(lowered_text))
    keys.add(f"lang:{language or 'und'}")
    keys.update("x:T:" + concept for concept in reading.title_concepts)
    keys.update("x:B:" + concept for concept in reading.body_concepts)
    keys.update("x:T:neg:" + topic for topic in reading.title_negatives)
    keys.update("x:B:neg:" + topic for topic in reading.body_negatives)
    keys.update("x:cat:" + category for category in reading.categories)
    if reading.title_authority:
        keys.add("x:T:authority")
    if reading.title_regulator:
        keys.add("x:T:regulator")
    keys.update("x:T:scope:" + topic for topic in reading.title_scope)
    keys.update("x:L:scope:" + topic for topic in reading.lead_scope)
    keys.update(_conjunctions(reading))
    return keys


def _conjunctions(reading: LexiconReading) -> list[str]:
    """What a linear model cannot combine by itself: an authority acting, and on what.

    "An authority acts" is a strong signal or an authority in the title (for the second set: anywhere in the
    article); weaker signals ("rules", "removed posts") are what companies do too;
    the subject is the scope topics of the title (for the second set: of the title and the lead): in scope, out
    of scope, both, or none named. A regulator acting on a crypto exchange and a court
    sentencing a murderer both act; only the first is this product's subject.
    """
    names: list[str] = []
    acts_in_title = reading.title_strong or reading.title_authority
    acts = acts_in_title or reading.body_strong or reading.body_authority_sentences > 0
    for where, acting, in_scope, out_of_scope in (
        ("T", acts_in_title, reading.title_in_scope, reading.title_out_of_scope),
        (
            "TL",
            acts,
            reading.title_in_scope or reading.lead_in_scope,
            reading.title_out_of_scope or reading.lead_out_of_scope,
        ),
    ):
        subject = (
            "in"
            if in_scope and not out_of_scope
            else "out"
            if out_of_scope and not in_scope
            else "mixed"
            if in_scope
            else "none"
        )
        names.append(f"x:{where}:{'act' if acting else 'still'}&{subject}")
    return names


def numeric_features(reading: LexiconReading) -> dict[str, float]:
    """The article's few numeric features."""
    numeric = {"x:margin": max(-MARGIN_CLIP, min(MARGIN_CLIP, reading.margin))}
    if reading.body_signal_sentences:
        numeric["x:B:signal_sentences"] = math.log1p(reading.body_signal_sentences)
    if reading.body_authority_sentences:
        numeric["x:B:authority_sentences"] = math.log1p(reading.body_authority_sentences)
    return numeric


def article_features(
    lowered_title: str, lowered_text: str, language: str | None, reading: LexiconReading
) -> dict[str, float]:
    """Every feature of one article with its value (title and text already lower-cased, as the scan has them)."""
    features = dict.fromkeys(binary_features(lowered_title, lowered_text, language, reading), 1.0)
    features.update(numeric_features(reading))
    return features
