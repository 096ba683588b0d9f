"""The regulation flagger: ``flag_regulation(title, text, language) -> Regulation``, a pure function.

Contract: any title and text (either may be empty) and the article's ISO 639-1 language (None when unknown,
which lets terms of every language count) give a ``records.Regulation``; nothing is raised for odd input.
``regulation.flagged`` follows ``docs/regulation-guideline.md``: the story's *main subject* is an authority
governing, licensing, investigating, charging or taxing business, markets, crypto, platforms or online content,
or a firm's compliance response to that.

How the verdict is reached, so that it can explain itself:

1. **Lexicon reading** (``_read``). One Aho-Corasick scan (``matcher``) finds signal terms, unnamed authorities,
   hard-negative cues, places, organisations, people and role words in ``title + "\\n" + text`` (the first
   ``MAX_TEXT_CHARS`` characters of the text: news puts what a story is about first, and this bounds the cost
   of very long pages). The text is cut into sentences (the title is the first). A sentence scores the weights
   of the distinct signal concepts it holds; weak concepts ("rules", "investigation") count only half unless an
   authority stands in the same sentence; the title counts 1.5 times; sentence scores add up with decreasing
   weights, and hard-negative topic cues (prices, hacks, private lawsuits, rate decisions) subtract a penalty.
   This gives the lexicon's *margin* and the deciding sentences.
2. **Decision** (``model``). A calibrated linear model over the words of the title and the lead and over the
   lexicon reading (``features``) gives ``score``, the probability of a regulation story; ``flagged = score >=
   0.5``. The model is trained on real labelled stories (``make train-flagger``), which is what teaches it the
   product's scope (a murder trial or an election is not a regulation story, an SEC lawsuit is) and the
   headline-only items the lexicon alone misses.
3. **Explanation** (lexicon). Categories come from the signals of the deciding sentences and the remit of
   single-field regulators standing in them (``entities.REMITS``); jurisdictions from the regulators and the
   places named in the title or in sentences with signals or authorities, else the home market of the
   article's language (``places.HOME_JURISDICTIONS``). Both are reported only for flagged articles. Entities are
   always reported. Evidence lists the deciding sentences with their signals and offsets into
   ``title + "\\n" + text``.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from operator import mul
from typing import Any

from transforms.records import Entities, Evidence, Regulation
from transforms.regulation import entities as entity_lexicon
from transforms.regulation.features import LEAD_CHARS, LexiconReading, binary_features, numeric_features
from transforms.regulation.features import article_features as article_feature_table
from transforms.regulation.matcher import CONCEPTS, Kind, Scan, scan, sentence_ends
from transforms.regulation.model import load_model
from transforms.regulation.places import HOME_JURISDICTIONS
from transforms.regulation.taxonomy import CATEGORIES, CATEGORY_WEIGHTS, SIGNALS, STRONG, WEAK

Hit = tuple[int, int, tuple[Any, ...]]  # (start, end, payload) as ``matcher.scan`` lists them

__all__ = ["article_features", "flag_regulation", "lexicon_score"]

THRESHOLD = 1.6  # raw lexicon score where the lexicon alone would flag (its margin is 0)
SLOPE = 1.6  # how fast the lexicon's own score saturates around its threshold
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


@dataclass(frozen=True, slots=True)
class _Reading:
    """The lexicon's reading of one article: its hits by sentence and its own score (see the module docstring)."""

    full: str  # title + "\n" + text, which every offset points into
    title_end: int  # 0 when there is no title
    starts: list[int]  # sentence start offsets; sentence 0 is the title
    scan: Scan
    signal_sentences: list[int]  # the sentence of each signal hit, in the order of scan.by_kind[SIGNAL]
    authority_sentences: list[int]
    regulators: list[Hit]
    regulator_sentences: list[int]
    masks: dict[int, int]  # sentence -> bit set of the signal concepts in it
    authorised: set[int]  # sentences naming an authority or a regulator
    ranked: list[tuple[float, int]]  # (sentence score, sentence), best first
    category_strength: dict[str, float]  # from strong and medium signals and regulators' remits
    weak_strength: dict[str, float]  # from weak signals beside an authority
    margin: float  # raw - penalty - THRESHOLD: the lexicon alone flags at margin >= 0


def flag_regulation(title: str, text: str, language: str | None) -> Regulation:
    """Decide whether an article is about regulation, and explain why (see the module docstring)."""
    reading = _read(title or "", text or "", language)
    lexicon, lowered_title, lowered_text = _summary(reading, language)
    score = load_model().probability(
        binary_features(lowered_title, lowered_text, language, lexicon), numeric_features(lexicon)
    )
    flagged = score >= 0.5
    categories: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    if flagged:
        categories = _categories(reading.category_strength or reading.weak_strength)
        jurisdictions = _jurisdictions(reading)
        if not jurisdictions and language in HOME_JURISDICTIONS:
            jurisdictions = (HOME_JURISDICTIONS[language],)
    return Regulation(
        flagged=flagged,
        score=score,
        categories=categories,
        jurisdictions=jurisdictions,
        entities=_entities(reading),
        evidence=_evidence(reading),
    )


def article_features(title: str, text: str, language: str | None) -> dict[str, float]:
    """The model's features of one article: what ``make train-flagger`` learns from."""
    lexicon, lowered_title, lowered_text = _summary(_read(title or "", text or "", language), language)
    return article_feature_table(lowered_title, lowered_text, language, lexicon)


def lexicon_score(title: str, text: str, language: str | None) -> float:
    """The lexicon's own score (0.5 at its threshold), without the learned decision: the eval's baseline."""
    return _sigmoid(SLOPE * _read(title or "", text or "", language).margin)


def _read(title: str, text: str, language: str | None) -> _Reading:
    """Scan the article and score its sentences with the lexicon."""
    text = _truncate(text)
    full = f"{title}\n{text}"
    title_end = len(title)
    found = scan(full, language)
    by_kind = found.by_kind
    starts = _sentence_starts(full, title_end)
    signals = by_kind[Kind.SIGNAL]
    regulators = [hit for hit in sorted(by_kind[Kind.ORG]) if hit[2][1]]
    signal_sentences = [bisect_right(starts, start) - 1 for start, _end, _payload in signals]
    authority_sentences = [
        bisect_right(starts, start) - 1 for start, _end, _payload in by_kind[Kind.AUTHORITY]
    ]
    regulator_sentences = [bisect_right(starts, start) - 1 for start, _end, _payload in regulators]
    masks: dict[int, int] = {}
    for sentence, (_start, _end, (concept, _weight)) in zip(signal_sentences, signals, strict=True):
        masks[sentence] = masks.get(sentence, 0) | (1 << concept)
    authorised = set(authority_sentences)
    authorised.update(regulator_sentences)

    contributions: list[tuple[float, int]] = []
    category_strength: dict[str, float] = {}
    weak_strength: dict[str, float] = {}
    for sentence, mask in masks.items():
        factor = TITLE_WEIGHT if sentence == 0 and title_end > 0 else 1.0
        value, strong, weak = _sentence_value(mask, sentence in authorised)
        contributions.append((value * factor, sentence))
        for category, weight in strong:
            category_strength[category] = category_strength.get(category, 0.0) + weight * factor
        for category, weight in weak:
            weak_strength[category] = weak_strength.get(category, 0.0) + weight * factor
    for sentence, (_start, _end, (name, _is_regulator, _code)) in zip(
        regulator_sentences, regulators, strict=True
    ):
        remit = entity_lexicon.REMITS.get(name)
        if remit is not None and sentence in masks:
            factor = TITLE_WEIGHT if sentence == 0 and title_end > 0 else 1.0
            category_strength[remit] = category_strength.get(remit, 0.0) + REMIT_WEIGHT * factor
    ranked = sorted(contributions, reverse=True)
    raw = sum(map(mul, [value for value, _sentence in ranked], _DECAY_FOREVER))
    penalty = min(
        _negative_cues(found.lowered, by_kind[Kind.NEGATIVE], title_end) * PENALTY_PER_CUE, PENALTY_CAP
    )
    return _Reading(
        full=full,
        title_end=title_end,
        starts=starts,
        scan=found,
        signal_sentences=signal_sentences,
        authority_sentences=authority_sentences,
        regulators=regulators,
        regulator_sentences=regulator_sentences,
        masks=masks,
        authorised=authorised,
        ranked=ranked,
        category_strength=category_strength,
        weak_strength=weak_strength,
        margin=raw - penalty - THRESHOLD,
    )


def _scope_hits(reading: _Reading, language: str | None) -> list[Hit]:
    """The scope topics named in the title and the lead (a scan of its own, over that part only)."""
    head = reading.full[: reading.title_end + 1 + LEAD_CHARS]
    return scan(head, language, scope=True).by_kind[Kind.SCOPE]


def _summary(reading: _Reading, language: str | None) -> tuple[LexiconReading, str, str]:
    """The reading as the model sees it, with the lower-cased title and text."""
    masks = reading.masks
    title_end = reading.title_end
    # Sentence 0 is the title when there is one; without a title it is the text's first sentence.
    has_title = title_end > 0
    title_mask = masks.get(0, 0) if has_title else 0
    body_mask = 0
    for mask in masks.values():
        body_mask |= mask
    if has_title and title_mask:
        body_mask = 0
        for sentence, mask in masks.items():
            if sentence:
                body_mask |= mask
    in_title = 1 if has_title else 0
    strong = _strong_mask()
    negatives = reading.scan.by_kind[Kind.NEGATIVE]
    lexicon = LexiconReading(
        title_concepts=_concept_labels(title_mask),
        body_concepts=_concept_labels(body_mask),
        title_authority=has_title and 0 in reading.authorised,
        title_strong=bool(title_mask & strong),
        body_strong=bool(body_mask & strong),
        title_regulator=has_title
        and bool(reading.regulator_sentences)
        and reading.regulator_sentences[0] == 0,
        body_signal_sentences=len(masks) - (in_title if 0 in masks else 0),
        body_authority_sentences=len(reading.authorised) - (in_title if 0 in reading.authorised else 0),
        title_negatives=frozenset(topic for start, _end, (topic, _w) in negatives if start < title_end),
        body_negatives=frozenset(topic for start, _end, (topic, _w) in negatives if start > title_end),
        margin=reading.margin,
        categories=frozenset(reading.category_strength),
        **_scope(_scope_hits(reading, language), title_end),
    )
    lowered = reading.scan.lowered  # title + "\n" + text
    return lexicon, lowered[:title_end], lowered[title_end + 1 :]


def _scope(hits: list[Hit], title_end: int) -> dict[str, Any]:
    """The scope topics of the title and of the lead, and whether they are in or out of the product's scope."""
    lead_end = title_end + 1 + LEAD_CHARS
    title_topics: dict[str, bool] = {}
    lead_topics: dict[str, bool] = {}
    for start, _end, (topic, in_scope) in hits:
        if start < title_end:
            title_topics[topic] = in_scope
        elif start < lead_end:
            lead_topics[topic] = in_scope
    return {
        "title_scope": frozenset(title_topics),
        "lead_scope": frozenset(lead_topics),
        "title_in_scope": any(title_topics.values()),
        "title_out_of_scope": not all(title_topics.values()),
        "lead_in_scope": any(lead_topics.values()),
        "lead_out_of_scope": not all(lead_topics.values()),
    }


_STRONG_MASKS: list[int] = []


def _strong_mask() -> int:
    """The bits of the strong concepts: terms that are regulation on their own ("fined", "bill", "licence")."""
    if not _STRONG_MASKS:
        weights = {(category, label): weight for category, weight, label, _terms in SIGNALS}
        _STRONG_MASKS.append(
            sum(1 << concept for concept, key in enumerate(CONCEPTS) if weights.get(key, 0.0) >= STRONG)
        )
    return _STRONG_MASKS[0]


_LABELS: dict[int, frozenset[str]] = {}


def _concept_labels(mask: int) -> frozenset[str]:
    """The labels ("bill", "penalty") of the concepts in ``mask``, memoised per mask."""
    labels = _LABELS.get(mask)
    if labels is None:
        labels = _LABELS[mask] = frozenset(
            CONCEPTS[concept][1] for concept in range(mask.bit_length()) if mask >> concept & 1
        )
    return labels


def _entities(reading: _Reading) -> Entities:
    """Regulators and companies in order of first mention; people known by name or found beside a role word."""
    by_kind = reading.scan.by_kind
    org_order: dict[str, tuple[bool, str | None]] = {}
    for _start, _end, (name, is_regulator, code) in sorted(by_kind[Kind.ORG]):
        org_order.setdefault(name, (is_regulator, code))
    people = list(dict.fromkeys(name for _start, _end, (name,) in sorted(by_kind[Kind.PERSON])))
    people.extend(_role_people(reading.full, by_kind[Kind.ROLE], org_order, people))
    return Entities(
        regulators=tuple(name for name, (is_regulator, _code) in org_order.items() if is_regulator),
        companies=tuple(name for name, (is_regulator, _code) in org_order.items() if not is_regulator),
        people=tuple(people),
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


def _jurisdictions(reading: _Reading) -> tuple[str, ...]:
    """Codes of the places (and regulators' countries) named where regulation happens.

    "Where regulation happens" is the title and every sentence with a signal or an authority in it.
    """
    by_kind = reading.scan.by_kind
    located = [(start, code) for start, _end, (code,) in by_kind[Kind.PLACE]]
    located += [(start, code) for start, _end, (_name, _is_regulator, code) in reading.regulators if code]
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    starts, masks, authorised = reading.starts, reading.masks, reading.authorised
    title = 0 if reading.title_end > 0 else -1  # the sentence that is the title, if there is one
    for start, code in sorted(located):
        sentence = bisect_right(starts, start) - 1
        if sentence == title or sentence in masks or sentence in authorised:
            counts[code] += 1
            first_seen.setdefault(code, sentence)
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


def _evidence(reading: _Reading) -> tuple[Evidence, ...]:
    """The deciding sentences in text order, with their offsets and signals (rendered only for these few)."""
    chosen = {sentence for _value, sentence in reading.ranked[:MAX_EVIDENCE]}
    by_kind = reading.scan.by_kind
    signals = _in_sentences(chosen, reading.signal_sentences, by_kind[Kind.SIGNAL])
    regulators = _in_sentences(chosen, reading.regulator_sentences, reading.regulators)
    authorities = _in_sentences(chosen, reading.authority_sentences, by_kind[Kind.AUTHORITY])
    full, starts = reading.full, reading.starts
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
