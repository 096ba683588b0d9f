"""The regulation taxonomy: categories and the multilingual terms that signal them.

Categories (see ``TAXONOMY.md`` beside this module for the full definitions and the hard negatives):

``legislation``
    Laws, bills, decrees and regulatory frameworks being drafted, debated, passed or taking effect.
``enforcement``
    Authorities acting against someone: charges, fines, arrests, raids, bans, seizures, cease-and-desist orders,
    regulator lawsuits. A lawsuit between private parties is *not* enforcement.
``licensing_compliance``
    Licences, registrations, authorisations, local-representative and office requirements, KYC, compliance
    programmes and audits demanded by an authority.
``content_moderation``
    Authorities controlling what platforms carry: illegal content, takedowns, blocked channels or apps,
    disinformation, fake accounts, online-safety duties.
``data_protection``
    Privacy and personal-data rules and their authorities (GDPR, LGPD, KVKK, PIPA...), data localisation.
``aml_sanctions``
    Anti-money-laundering and counter-terrorist-financing rules, the Travel Rule, FATF lists, sanctions regimes.
``taxation``
    Taxes on crypto, digital services or platforms, tax reporting duties, tax-authority actions.
``securities_crypto_rules``
    Securities law applied to crypto and markets: token classification, ETF approvals, stablecoin and
    exchange rules, market-abuse rules, MiCA-style crypto-asset regimes.
``central_bank_policy``
    Central banks *regulating*: CBDCs and their rules, bans or limits on banks' crypto business, prudential
    (Basel) treatment of crypto, payment-system rules. A plain interest-rate decision is NOT this category and
    is not regulation: it is monetary policy, a hard negative.

Scope topics (``SCOPE``) say what a story is about and whether that subject is the product's: crypto, banking,
markets, tech platforms, data, competition, taxation, sanctions, telecoms and consumer protection are in scope;
health, transport, the environment, education, sports, crime, war, elections, weather, entertainment and science
are not. They are not signals: the matcher collects them (``Kind.SCOPE``) for the flagger's learned decision,
and the lexicon score does not read them.

The terms are data, not code: ``lexicon/concepts.yaml`` declares the categories, their signal concepts with a
weight tier each, the category-weight overrides, the hard-negative topics and the scope topics; each language's
file (``lexicon/en.yaml`` ... ``lexicon/cs.yaml``) lists its signal terms by concept, its authority terms, its
negative cues by topic and its scope terms by topic. This module turns them into the tables ``matcher`` and ``flagger`` read.

Each concept carries a weight tier: ``STRONG`` terms are regulation on their own, ``MEDIUM`` ones mostly are,
``WEAK`` ones ("rules", "investigation", "ban") only count fully when an authority is named in the same
sentence (see ``flagger``). Term syntax (shared by every lexicon file, parsed by ``matcher``):

* ``term`` matches as a whole word in Latin and Cyrillic scripts (case-insensitive);
* ``term*`` lets the word continue (inflection: ``закон*`` matches ``законопроект``, ``düzenleme*``
  matches ``düzenlemeleri``); a ``*`` inside a term lets that word inflect (``цифров* рубл*`` matches
  ``цифрового рубля``: the matcher spells out the usual Russian or German endings);
* ``=TERM`` matches case-sensitively (acronyms such as ``=SEC`` that are words in some language);
* Chinese, Japanese and Korean terms match anywhere (no word boundaries in those scripts); Arabic terms
  need no left boundary because of attached clitics (و، ب، ل، ال).
"""

from __future__ import annotations

from typing import Final, NamedTuple

from transforms.regulation import lexicon

STRONG: Final = 1.0
MEDIUM: Final = 0.6
WEAK: Final = 0.35
TIERS: Final[dict[str, float]] = {"STRONG": STRONG, "MEDIUM": MEDIUM, "WEAK": WEAK}

Terms = tuple[str, ...]


class SignalSpec(NamedTuple):
    """A signal concept: its category, weight, label and terms by language.

    The label names the concept in English so evidence reads the same in every language; the surface form found
    in the text is kept beside it.
    """

    category: str
    weight: float
    label: str
    terms: dict[str, Terms]


class NegativeSpec(NamedTuple):
    """A hard-negative topic: the weight of each distinct cue, and the cues by language."""

    topic: str
    weight: float
    terms: dict[str, Terms]


class ScopeSpec(NamedTuple):
    """A scope topic: whether it is in the product's scope, and its terms by language."""

    topic: str
    in_scope: bool
    terms: dict[str, Terms]


_FILES = lexicon.load()
_DECLARED = _FILES.concepts

CATEGORIES: Final[tuple[str, ...]] = tuple(_DECLARED["concepts"])

SIGNALS: Final[tuple[SignalSpec, ...]] = tuple(
    SignalSpec(
        category,
        TIERS[tier],
        label,
        {
            language: tuple(document["signals"][category][label])
            for language, document in _FILES.languages.items()
            if label in document["signals"].get(category, {})
        },
    )
    for category, concepts in _DECLARED["concepts"].items()
    for label, tier in concepts.items()
)

# Concepts whose weight toward their category differs from their weight toward the flag (see "registration").
CATEGORY_WEIGHTS: Final[dict[tuple[str, str], float]] = {
    (category, label): TIERS[tier]
    for category, overrides in _DECLARED["category_weights"].items()
    for label, tier in overrides.items()
}

# Words that name an authority without naming which one: they make weak signals count and pull the countries
# of their sentence into the jurisdictions. Named regulators are in ``entities``.
AUTHORITY_TERMS: Final[dict[str, Terms]] = {
    language: tuple(document["authority_terms"]) for language, document in _FILES.languages.items()
}


def _terms_by_language(section: str, topic: str) -> dict[str, Terms]:
    """Each language's terms of ``topic`` in a section of the language files (``negative_cues``, ``scope``)."""
    return {
        language: tuple(document[section][topic])
        for language, document in _FILES.languages.items()
        if topic in document[section]
    }


# Topic cues of the hard negatives. They lower the score (not to zero: a fine for a hack still is enforcement).
NEGATIVE_CUES: Final[tuple[NegativeSpec, ...]] = tuple(
    NegativeSpec(topic, weight, _terms_by_language("negative_cues", topic))
    for topic, weight in _DECLARED["negative_topics"].items()
)

# Scope topics: what a story is about, in the product's scope or not. Collected, never scored by the lexicon.
SCOPE_TOPICS: Final[dict[str, bool]] = dict(_DECLARED["scope_topics"])
SCOPE: Final[tuple[ScopeSpec, ...]] = tuple(
    ScopeSpec(topic, in_scope, _terms_by_language("scope", topic)) for topic, in_scope in SCOPE_TOPICS.items()
)
