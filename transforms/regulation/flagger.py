"""The regulation flagger: ``flag_regulation(title, text, language) -> Regulation``, a pure function.

Contract: any title and text (either may be empty) and the article's ISO 639-1 language (None when unknown,
which lets terms of every language count) give a ``records.Regulation``; nothing is raised for odd input.

How the verdict is reached, so that it can explain itself:

1. One Aho-Corasick scan (``matcher``) finds signal terms, unnamed authorities, hard-negative cues, places,
   organisations, people and role words in ``title + "\\n" + text``.
2. The text is cut into sentences (the title is the first). A sentence scores the weights of the distinct
   signal concepts it holds; weak concepts ("rules", "investigation", "ban") count only half unless an
   authority (a named regulator or a word such as "autoridades") stands in the same sentence, and a sentence
   with both signals and an authority earns a bonus. The title counts 1.5 times.
3. The article's raw score adds its sentence scores with decreasing weights (1, 0.8, 0.6, ...), so one passing
   mention cannot flag an 800-word price report, while a regulation story with many deciding sentences is sure.
4. Hard-negative topic cues (price moves, hacks, private lawsuits, interest-rate decisions, biology and sports)
   subtract a penalty.
5. ``score = sigmoid(SLOPE * (raw - penalty - THRESHOLD))``: 0.5 exactly at the decision threshold, and
   ``flagged = score >= 0.5``.

Categories come from the strong and medium signals; jurisdictions from named regulators and from the places
mentioned in the title or in sentences that carry signals or authorities. Both are reported only for flagged
articles ("the authorities involved" of a story that is not about regulation are none). Entities are always
reported. Evidence lists the deciding sentences with their signals and offsets into ``title + "\\n" + text``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter

from transforms.records import Entities, Evidence, Regulation
from transforms.regulation import entities as entity_lexicon
from transforms.regulation.matcher import Hit, Kind, scan
from transforms.regulation.taxonomy import CATEGORIES, WEAK

__all__ = ["THRESHOLD", "flag_regulation"]

THRESHOLD = 1.6  # raw score where the calibrated score is 0.5
SLOPE = 1.6  # how fast the score saturates around the threshold
TITLE_WEIGHT = 1.5
AUTHORITY_BONUS = 0.4
SENTENCE_CAP = 2.6  # one very dense sentence must not decide a whole article alone
DECAY = (1.0, 0.8, 0.6, 0.45, 0.35, 0.3, 0.25, 0.2)
PENALTY_PER_CUE = 0.4
PENALTY_CAP = 3.0
CUES_PER_TOPIC = 4  # a price report repeats "price"; more cues of one topic say nothing new
CATEGORY_MIN = 0.6
CATEGORY_SHARE = 0.4  # of the strongest category's weight
MAX_EVIDENCE = 5

# Sentence ends: Latin/Cyrillic/Arabic punctuation followed by space, CJK full stops anywhere, line breaks.
_SENTENCE_END = re.compile(r"[.!?؟]+[\"'”’»)\]]*(?=\s)|[。！？]+[」』”]*|\n+")
# "U.S. Securities", "Mr. Durov", "No. 5": a period after a short token is not a sentence end.
_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Sr|Sra|St|No|Nr|Inc|Ltd|Co|vs|Jr|Gov|Sen|Rep))$")


def _sentence_starts(text: str, title_end: int) -> list[int]:
    """Start offsets of the sentences of ``text``; the title (``text[:title_end]``) is always the first."""
    starts = [0]
    if title_end > 0:
        starts.append(title_end + 1)
    for match in _SENTENCE_END.finditer(text, title_end + 1 if title_end > 0 else 0):
        if match.group(0)[0] == "." and _ABBREVIATION.search(text, max(0, match.start() - 6), match.start() + 1):
            continue
        end = match.end()
        while end < len(text) and text[end].isspace():
            end += 1
        if end < len(text) and end != starts[-1]:
            starts.append(end)
    return starts


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-value))


class _Sentence:
    """What one sentence holds; filled from the hits that fall inside it."""

    __slots__ = ("authorities", "concepts", "places", "regulators", "signals")

    def __init__(self) -> None:
        self.concepts: dict[tuple[str, str], float] = {}  # (category, label) -> weight
        self.signals: list[str] = []  # "category:surface" in text order, for the evidence
        self.authorities: list[str] = []
        self.places: list[str] = []
        self.regulators: list[str] = []

    def score(self) -> float:
        """Signal weight of the sentence (weak concepts halved without an authority beside them)."""
        if not self.concepts:
            return 0.0
        has_authority = bool(self.authorities or self.regulators)
        total = 0.0
        for weight in self.concepts.values():
            total += weight if (weight > WEAK or has_authority) else weight * 0.5
        if has_authority:
            total += AUTHORITY_BONUS
        return min(total, SENTENCE_CAP)


def flag_regulation(title: str, text: str, language: str | None) -> Regulation:
    """Decide whether an article is about regulation, and explain why (see the module docstring)."""
    title = title or ""
    text = text or ""
    full = f"{title}\n{text}"
    title_end = len(title)
    hits = scan(full, language)
    starts = _sentence_starts(full, title_end)
    sentences: dict[int, _Sentence] = {}
    negative_cues: dict[str, set[str]] = {}
    negative_weight: dict[str, float] = {}
    org_order: list[tuple[str, bool, str | None]] = []
    people: list[str] = []
    role_hits: list[Hit] = []

    for hit in hits:
        entry = hit.entry
        kind = entry.kind
        surface = full[hit.start : hit.end]
        if kind == Kind.NEGATIVE:
            topic, weight = entry.payload
            cues = negative_cues.setdefault(topic, set())
            cues.add(surface.lower())
            if hit.start < title_end:
                cues.add("title:" + surface.lower())  # a cue in the title counts twice
            negative_weight[topic] = weight
            continue
        if kind == Kind.PERSON:
            if entry.payload[0] not in people:
                people.append(entry.payload[0])
            continue
        if kind == Kind.ROLE:
            role_hits.append(hit)
            continue
        index = bisect_right(starts, hit.start) - 1
        sentence = sentences.get(index)
        if sentence is None:
            sentence = sentences[index] = _Sentence()
        if kind == Kind.SIGNAL:
            category, weight, label = entry.payload
            key = (category, label)
            if weight > sentence.concepts.get(key, 0.0):
                sentence.concepts[key] = weight
            sentence.signals.append(f"{category}:{surface}")
        elif kind == Kind.AUTHORITY:
            sentence.authorities.append(surface)
        elif kind == Kind.PLACE:
            sentence.places.append(entry.payload[0])
        elif kind == Kind.ORG:
            org = entry.payload
            if all(org[0] != seen[0] for seen in org_order):
                org_order.append(org)
            if org[1]:
                sentence.regulators.append(org[0])
                if org[2]:
                    sentence.places.append(org[2])

    # ---- score
    contributions: list[tuple[float, int]] = []
    category_strength: Counter[str] = Counter()
    weak_strength: Counter[str] = Counter()
    for index, sentence in sentences.items():
        factor = TITLE_WEIGHT if index == 0 and title_end > 0 else 1.0
        value = sentence.score() * factor
        if value > 0:
            contributions.append((value, index))
        has_authority = bool(sentence.authorities or sentence.regulators)
        for (category, _label), weight in sentence.concepts.items():
            if weight > WEAK:
                category_strength[category] += weight * factor
            elif has_authority:
                weak_strength[category] += weight * factor
    ranked = sorted(contributions, reverse=True)
    raw = sum(value * DECAY[min(rank, len(DECAY) - 1)] for rank, (value, _index) in enumerate(ranked))
    cue_count = sum(
        negative_weight[topic] * min(len(cues), CUES_PER_TOPIC) for topic, cues in negative_cues.items()
    )
    penalty = min(cue_count * PENALTY_PER_CUE, PENALTY_CAP)
    score = _sigmoid(SLOPE * (raw - penalty - THRESHOLD))
    flagged = score >= 0.5

    # ---- explanation
    categories: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    if flagged:
        strength = category_strength if category_strength else weak_strength
        # A category must hold its own next to the main one: a passing "compliance" in an enforcement story
        # does not make it a licensing story.
        floor = max(CATEGORY_MIN, CATEGORY_SHARE * strength.most_common(1)[0][1])
        chosen = [c for c, s in strength.most_common() if s >= floor]
        categories = tuple(sorted(chosen, key=CATEGORIES.index))
        jurisdictions = _jurisdictions(sentences, title_end)

    regulators = tuple(name for name, is_regulator, _code in org_order if is_regulator)
    companies = tuple(name for name, is_regulator, _code in org_order if not is_regulator)
    people.extend(_role_people(full, role_hits, org_order, people))
    evidence = _evidence(full, starts, sentences, ranked)
    return Regulation(
        flagged=flagged,
        score=score,
        categories=categories,
        jurisdictions=jurisdictions,
        entities=Entities(regulators=regulators, companies=companies, people=tuple(people)),
        evidence=evidence,
    )


def _jurisdictions(sentences: dict[int, _Sentence], title_end: int) -> tuple[str, ...]:
    """Codes of the places that appear where regulation happens (title, signal or authority sentences)."""
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    for index in sorted(sentences):
        sentence = sentences[index]
        relevant = (index == 0 and title_end > 0) or sentence.concepts or sentence.authorities or sentence.regulators
        if not relevant:
            continue
        for code in sentence.places:
            counts[code] += 1
            first_seen.setdefault(code, index)
    return tuple(sorted(counts, key=lambda code: (-counts[code], first_seen[code])))


def _role_people(
    full: str, role_hits: list[Hit], orgs: list[tuple[str, bool, str | None]], known: list[str]
) -> list[str]:
    """Names standing next to a role word, minus organisations and people already found."""
    if not role_hits:
        return []
    rejected = frozenset(name.lower() for name, _is_regulator, _code in orgs)
    found: list[str] = []
    surnames = {name.split()[-1]: name for name in known}
    for hit in role_hits:
        name = entity_lexicon.find_role_names(full, hit.start, hit.end, rejected)
        if name is None:
            continue
        canonical = surnames.get(name.split()[-1], name)
        if canonical not in known and canonical not in found:
            found.append(canonical)
    return found


def _evidence(
    full: str, starts: list[int], sentences: dict[int, _Sentence], ranked: list[tuple[float, int]]
) -> tuple[Evidence, ...]:
    """The deciding sentences (highest contributions first, then in text order), with offsets and signals."""
    chosen = sorted(index for _value, index in ranked[:MAX_EVIDENCE])
    evidence: list[Evidence] = []
    for index in chosen:
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(full)
        while end > start and full[end - 1].isspace():
            end -= 1
        sentence = sentences[index]
        signals = list(dict.fromkeys(sentence.signals))
        signals += [f"regulator:{name}" for name in dict.fromkeys(sentence.regulators)]
        signals += [f"authority:{word}" for word in dict.fromkeys(sentence.authorities)]
        evidence.append(Evidence(sentence=full[start:end], start=start, end=end, signals=tuple(signals)))
    return tuple(evidence)
