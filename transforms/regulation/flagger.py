"""The regulation flagger: ``flag_regulation(title, text, language) -> Regulation``, a pure function.

Contract: any title and text (either may be empty) and the article's ISO 639-1 language (None when unknown,
which lets terms of every language count) give a ``records.Regulation``; nothing is raised for odd input.

How the verdict is reached, so that it can explain itself:

1. One Aho-Corasick scan (``matcher``) finds signal terms, unnamed authorities, hard-negative cues, places,
   organisations, people and role words in ``title + "\\n" + text``. Only the first ``MAX_TEXT_CHARS``
   characters of the text are read (cut at a space): a design choice that bounds the cost of very long pages
   (news puts what a story is about first); an 800-word article is about 5,000 characters.
2. The text is cut into sentences (the title is the first; a second small automaton finds the sentence ends,
   and a period after a known abbreviation or a single capital does not end one). A sentence scores the
   weights of the distinct signal concepts it holds; weak concepts ("rules", "investigation", "ban") count only
   half unless an authority (a named regulator or a word such as "autoridades") stands in the same sentence,
   and a sentence with both signals and an authority earns a bonus. The title counts 1.5 times.
3. The article's raw score adds its sentence scores with decreasing weights (1, 0.8, 0.6, ...), so one passing
   mention cannot flag an 800-word price report, while a regulation story with many deciding sentences is sure.
4. Hard-negative topic cues (price moves, hacks, private lawsuits, interest-rate decisions, biology and sports)
   subtract a penalty.
5. ``score = sigmoid(SLOPE * (raw - penalty - THRESHOLD))``: 0.5 exactly at the decision threshold, and
   ``flagged = score >= 0.5``.

Categories come from the strong and medium signals, plus the remit of single-field regulators standing in
signal sentences (an SEC complaint is securities law, a FinCEN order is AML: ``entities.REMITS``); a category
must reach ``CATEGORY_MIN`` and ``CATEGORY_SHARE`` of the strongest one. Jurisdictions come from named
regulators and from the places mentioned in the title or in sentences that carry signals or authorities; when
none is named, the home market of the article's language (``places.HOME_JURISDICTIONS``) is assumed. Both are
reported only for flagged articles ("the authorities involved" of a story that is not about regulation are
none). Entities are always reported. Evidence lists the deciding sentences with their signals and offsets into
``title + "\\n" + text``; signals are rendered only for those few sentences.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from typing import Any

from transforms.records import Entities, Evidence, Regulation
from transforms.regulation import entities as entity_lexicon
from transforms.regulation.matcher import CONCEPTS, Kind, scan, sentence_ends
from transforms.regulation.places import HOME_JURISDICTIONS
from transforms.regulation.taxonomy import CATEGORIES, CATEGORY_WEIGHTS, SIGNALS, WEAK

Hit = tuple[int, int, tuple[Any, ...]]  # (start, end, payload) as ``matcher.scan`` lists them

__all__ = ["THRESHOLD", "flag_regulation"]

THRESHOLD = 1.6  # raw score where the calibrated score is 0.5
SLOPE = 1.6  # how fast the score saturates around the threshold
TITLE_WEIGHT = 1.5
AUTHORITY_BONUS = 0.4
SENTENCE_CAP = 2.6  # one very dense sentence must not decide a whole article alone
DECAY = (1.0, 0.8, 0.6, 0.45, 0.35, 0.3, 0.25, 0.2)
_DECAY_FOREVER = (*DECAY, *(DECAY[-1],) * 10_000)  # more sentences than a bounded text can hold
PENALTY_PER_CUE = 0.4
PENALTY_CAP = 3.0
CUES_PER_TOPIC = 4  # a price report repeats "price"; more cues of one topic say nothing new
CATEGORY_MIN = 0.6
CATEGORY_SHARE = 0.4  # of the strongest category's weight
REMIT_WEIGHT = 0.6  # a single-field regulator in a signal sentence counts like a medium signal of its field
MAX_EVIDENCE = 5
MAX_TEXT_CHARS = 12_000  # about 2,000 words; see the module docstring (a bounded read of very long texts)

# "U.S. Securities", "Mr. Durov", "No. 5": a period after these does not end a sentence.
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "sr",
        "sra",
        "st",
        "no",
        "nr",
        "co",
        "vs",
        "jr",
        "inc",
        "ltd",
        "gov",
        "sen",
        "rep",
        "ee",
    }
)  # "ee": the first half of "EE. UU."


def _sentence_starts(text: str, title_end: int) -> list[int]:
    """Start offsets of the sentences of ``text``; the title (``text[:title_end]``) is always the first."""
    body_start = title_end + 1 if title_end > 0 else 0
    starts = [0]
    if body_start:
        starts.append(body_start)
    size = len(text)
    for _pattern, position, end in sentence_ends(text):
        if position < body_start or end >= size:
            continue  # inside the title, or the very end
        if text[position] == "." and position and text[position - 1].isalpha():
            # The word before the period: the longest abbreviation we know has three letters, so four letters
            # before it settle the common case at once.
            if position >= 4 and text[position - 4 : position].isalpha():
                starts.append(end)
                continue
            word = text[max(0, position - 4) : position].rsplit(None, 1)[-1].rsplit(".", 1)[-1]
            if (len(word) == 1 and word.isupper()) or word.lower() in _ABBREVIATIONS:
                continue
        starts.append(end)
    return starts


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


# Per (concept mask, has authority): the sentence's score and what it adds to each category, strong concepts
# and weak ones apart. A sentence holds a set of concepts (there are a dozen), so each set is worked out once.
_SentenceValue = tuple[float, tuple[tuple[str, float], ...], tuple[tuple[str, float], ...]]
_SENTENCE_VALUES: dict[tuple[int, bool], _SentenceValue] = {}


def _sentence_value(mask: int, has_authority: bool) -> _SentenceValue:
    """Score of a sentence holding the concepts of ``mask`` (weak ones count half without an authority)."""
    key = (mask, has_authority)
    value = _SENTENCE_VALUES.get(key)
    if value is None:
        weights = {(category, label): weight for category, weight, label, _terms in SIGNALS}
        total = 0.0
        strong: list[tuple[str, float]] = []
        weak: list[tuple[str, float]] = []
        for concept in range(mask.bit_length()):
            if not mask >> concept & 1:
                continue
            category = CONCEPTS[concept][0]
            weight = weights[CONCEPTS[concept]]
            total += weight if (weight > WEAK or has_authority) else weight * 0.5
            if weight > WEAK:
                strong.append((category, CATEGORY_WEIGHTS.get(CONCEPTS[concept], weight)))
            elif has_authority:
                weak.append((category, weight))
        if has_authority:
            total += AUTHORITY_BONUS
        value = _SENTENCE_VALUES[key] = (min(total, SENTENCE_CAP), tuple(strong), tuple(weak))
    return value


def _truncate(text: str) -> str:
    """The first ``MAX_TEXT_CHARS`` characters of ``text``, cut at a space so no word is halved."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text.rfind(" ", MAX_TEXT_CHARS - 200, MAX_TEXT_CHARS)
    return text[: cut if cut > 0 else MAX_TEXT_CHARS]


def flag_regulation(title: str, text: str, language: str | None) -> Regulation:
    """Decide whether an article is about regulation, and explain why (see the module docstring)."""
    title = title or ""
    text = _truncate(text or "")
    full = f"{title}\n{text}"
    title_end = len(title)
    found = scan(full, language)
    by_kind = found.by_kind
    starts = _sentence_starts(full, title_end)

    # ---- what each sentence holds: a bit per signal concept, and whether an authority stands in it
    signals = by_kind[Kind.SIGNAL]
    authorities = by_kind[Kind.AUTHORITY]
    orgs = sorted(by_kind[Kind.ORG])
    regulators = [hit for hit in orgs if hit[2][1]]
    # The sentence of each hit, kept beside the hits so the evidence needs no second search.
    signal_sentences = [bisect_right(starts, hit[0]) - 1 for hit in signals]
    authority_sentences = [bisect_right(starts, hit[0]) - 1 for hit in authorities]
    regulator_sentences = [bisect_right(starts, hit[0]) - 1 for hit in regulators]
    masks: dict[int, int] = {}
    for index, (_start, _end, (concept, _weight)) in zip(signal_sentences, signals, strict=True):
        masks[index] = masks.get(index, 0) | (1 << concept)
    authorised = set(authority_sentences)
    authorised.update(regulator_sentences)

    # ---- score
    contributions: list[tuple[float, int]] = []
    category_strength: dict[str, float] = {}
    weak_strength: dict[str, float] = {}
    for index, mask in masks.items():
        factor = TITLE_WEIGHT if index == 0 and title_end > 0 else 1.0
        value, strong, weak = _sentence_value(mask, index in authorised)
        contributions.append((value * factor, index))
        for category, weight in strong:
            category_strength[category] = category_strength.get(category, 0.0) + weight * factor
        for category, weight in weak:
            weak_strength[category] = weak_strength.get(category, 0.0) + weight * factor
    for index, (_start, _end, (name, _is_regulator, _code)) in zip(
        regulator_sentences, regulators, strict=True
    ):
        remit = entity_lexicon.REMITS.get(name)
        if remit is not None and index in masks:
            factor = TITLE_WEIGHT if index == 0 and title_end > 0 else 1.0
            category_strength[remit] = category_strength.get(remit, 0.0) + REMIT_WEIGHT * factor
    ranked = sorted(contributions, reverse=True)
    raw = 0.0
    for (value, _index), weight in zip(ranked, _DECAY_FOREVER, strict=False):  # as long as the ranking
        raw += value * weight
    penalty = min(
        _negative_cues(found.lowered, by_kind[Kind.NEGATIVE], title_end) * PENALTY_PER_CUE, PENALTY_CAP
    )
    score = _sigmoid(SLOPE * (raw - penalty - THRESHOLD))
    flagged = score >= 0.5

    # ---- explanation
    categories: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    if flagged:
        categories = _categories(category_strength or weak_strength)
        jurisdictions = _jurisdictions(starts, by_kind[Kind.PLACE], orgs, masks, authorised, title_end)
        if not jurisdictions and language in HOME_JURISDICTIONS:
            jurisdictions = (HOME_JURISDICTIONS[language],)

    org_order: dict[str, tuple[bool, str | None]] = {}
    for _start, _end, (name, is_regulator, code) in orgs:
        org_order.setdefault(name, (is_regulator, code))
    people = list(dict.fromkeys(name for _start, _end, (name,) in sorted(by_kind[Kind.PERSON])))
    people.extend(_role_people(full, by_kind[Kind.ROLE], org_order, people))
    chosen = {index for _value, index in ranked[:MAX_EVIDENCE]}
    evidence = _evidence(
        full,
        starts,
        chosen,
        _in_sentences(chosen, signal_sentences, signals),
        _in_sentences(chosen, regulator_sentences, regulators),
        _in_sentences(chosen, authority_sentences, authorities),
    )
    return Regulation(
        flagged=flagged,
        score=score,
        categories=categories,
        jurisdictions=jurisdictions,
        entities=Entities(
            regulators=tuple(name for name, (is_regulator, _code) in org_order.items() if is_regulator),
            companies=tuple(name for name, (is_regulator, _code) in org_order.items() if not is_regulator),
            people=tuple(people),
        ),
        evidence=evidence,
    )


def _negative_cues(lowered: str, hits: list[Hit], title_end: int) -> float:
    """Weighted count of the distinct hard-negative cues, at most ``CUES_PER_TOPIC`` per topic."""
    cues: dict[str, set[str]] = {}
    weights: dict[str, float] = {}
    for start, end, (topic, weight) in hits:
        surface = lowered[start:end]
        held = cues.get(topic)
        if held is None:
            held = cues[topic] = set()
            weights[topic] = weight
        held.add(surface)
        if start < title_end:
            held.add("title:" + surface)  # a cue in the title counts twice
    return sum(weights[topic] * min(len(held), CUES_PER_TOPIC) for topic, held in cues.items())


def _categories(strength: dict[str, float]) -> tuple[str, ...]:
    """The categories that hold their own next to the strongest one."""
    if not strength:
        return ()
    # A passing "compliance" in an enforcement story does not make it a licensing story.
    floor = max(CATEGORY_MIN, CATEGORY_SHARE * max(strength.values()))
    chosen = [c for c, s in strength.items() if s >= floor] or [max(strength, key=strength.__getitem__)]
    return tuple(sorted(chosen, key=CATEGORIES.index))


def _jurisdictions(
    starts: list[int],
    places: list[Hit],
    orgs: list[Hit],
    masks: dict[int, int],
    authorised: set[int],
    title_end: int,
) -> tuple[str, ...]:
    """Codes of the places (and regulators' countries) named where regulation happens.

    "Where regulation happens" is the title and every sentence with a signal or an authority in it.
    """
    located = [(start, code) for start, _end, (code,) in places]
    located += [(start, code) for start, _end, (_name, is_regulator, code) in orgs if is_regulator and code]
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for start, code in sorted(located):
        index = bisect_right(starts, start) - 1
        if (index == 0 and title_end > 0) or index in masks or index in authorised:
            counts[code] += 1
            first_seen.setdefault(code, index)
    return tuple(sorted(counts, key=lambda code: (-counts[code], first_seen[code])))


def _role_people(full: str, role_hits: list[Hit], orgs: dict[str, Any], known: list[str]) -> list[str]:
    """Names standing next to a role word, minus organisations and people already found."""
    if not role_hits:
        return []
    rejected = frozenset(name.lower() for name in orgs)
    found: list[str] = []
    surnames = {name.split()[-1]: name for name in known}
    for start, end, _payload in sorted(role_hits):
        name = entity_lexicon.find_role_names(full, start, end, rejected)
        if name is None:
            continue
        canonical = surnames.get(name.split()[-1], name)
        if canonical not in known and canonical not in found:
            found.append(canonical)
    return found


def _in_sentences(chosen: set[int], sentences: list[int], hits: list[Hit]) -> dict[int, list[Hit]]:
    """The hits that stand in the ``chosen`` sentences, by sentence, in text order."""
    grouped: dict[int, list[Hit]] = {}
    if chosen:
        for index, hit in zip(sentences, hits, strict=True):
            if index in chosen:
                grouped.setdefault(index, []).append(hit)
    for held in grouped.values():
        held.sort()
    return grouped


def _evidence(
    full: str,
    starts: list[int],
    chosen: set[int],
    signals: dict[int, list[Hit]],
    regulators: dict[int, list[Hit]],
    authorities: dict[int, list[Hit]],
) -> tuple[Evidence, ...]:
    """The deciding sentences in text order, with their offsets and signals (rendered only for these few)."""
    evidence: list[Evidence] = []
    for index in sorted(chosen):
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(full)
        while end > start and full[end - 1].isspace():
            end -= 1
        while start < end and full[start].isspace():
            start += 1
        rendered = [f"{CONCEPTS[concept][0]}:{full[a:b]}" for a, b, (concept, _w) in signals.get(index, ())]
        rendered += [f"regulator:{name}" for _a, _b, (name, _is_regulator, _c) in regulators.get(index, ())]
        rendered += [f"authority:{full[a:b]}" for a, b, _payload in authorities.get(index, ())]
        evidence.append(
            Evidence(sentence=full[start:end], start=start, end=end, signals=tuple(dict.fromkeys(rendered)))
        )
    return tuple(evidence)
