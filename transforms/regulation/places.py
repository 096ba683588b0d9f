"""Country and jurisdiction lexicon: surface forms in every flagged language → ISO 3166-1 alpha-2, ``EU``, ``INTL``.

Country names come from maintained sources, not hand-typed lists: Unicode CLDR's localised territory names
(through babel) for each language we flag, plus pycountry's ISO 3166 English names. CLDR lacks demonyms and
adjectives ("cazaques", "autoridades francesas", "французский"), the short forms newsrooms use ("EUA", "США",
"ABD", "米国") and the regional bodies; those are added by hand, in each language's lexicon file
(``lexicon/en.yaml`` ..., under ``places``). ``lexicon/places.yaml`` holds what is not per language: the home
market of each edition, the CLDR codes that are regions, and the names too ambiguous to use. Regulators and
ministries that imply a jurisdiction are in ``entities`` (each carries its code).

Inflection: Russian names match on a stem (``Франци*`` covers Франция/Франции/Францию), German ones may take a
genitive ``-s``; Turkish suffixes follow an apostrophe ("Fransa'da"), which already ends the word.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from transforms.regulation import lexicon

_FILES = lexicon.load()

LANGUAGES: Final[tuple[str, ...]] = lexicon.LANGUAGES

# CLDR territory codes that are not countries but matter to us.
_REGIONAL_CODES: Final[dict[str, str]] = dict(_FILES.places["regional_codes"])

# Localised names that are also everyday words in some language: a wrong jurisdiction is worse than none.
_AMBIGUOUS_NAMES: Final[frozenset[str]] = frozenset(_FILES.places["ambiguous_names"])


def _hand_added() -> dict[str, dict[str, tuple[str, ...]]]:
    """The hand-added forms by code, then language (codes in the order the language files first list them)."""
    forms: dict[str, dict[str, tuple[str, ...]]] = {}
    for language, document in _FILES.languages.items():
        for code, terms in document["places"].items():
            forms.setdefault(code, {})[language] = tuple(terms)
    return forms


# Demonyms, adjectives, short forms and capitals used as metonyms, by country and language.
HAND_ADDED: Final[dict[str, dict[str, tuple[str, ...]]]] = _hand_added()

# The home market of each edition: when a flagged story names no place and no authority with a country, it is
# about the country whose press writes in that language without saying so ("o Senado", "国会", "der Bundestag").
HOME_JURISDICTIONS: Final[dict[str, str]] = dict(_FILES.places["home_jurisdictions"])


def _russian_forms(name: str) -> list[str]:
    """Russian names decline: match a stem (``Франци*``) when it is long enough not to swallow other words."""
    lowered = name.lower()
    if " " in lowered or "-" in lowered:
        return [lowered]
    stem = lowered[:-1] if lowered[-1] in "аяйь" else lowered
    if len(stem) >= 5:
        return [stem + "*"]
    return [lowered] + [stem + ending for ending in ("и", "ю", "е", "у", "ей", "а")]


@lru_cache(maxsize=1)
def place_terms() -> tuple[tuple[str, str, str], ...]:
    """Every ``(language, term, code)`` of the lexicon: CLDR names, pycountry names, then the hand-added forms."""
    import pycountry
    from babel import Locale

    known = {country.alpha_2 for country in pycountry.countries}
    terms: list[tuple[str, str, str]] = []
    for language in LANGUAGES:
        for territory, name in Locale.parse(language).territories.items():
            code = _REGIONAL_CODES.get(territory, territory)
            if code not in known and code not in ("EU", "INTL"):
                continue
            lowered = name.lower()
            if lowered in _AMBIGUOUS_NAMES or "(" in lowered:
                continue
            if language == "ru":
                terms.extend((language, form, code) for form in _russian_forms(name))
            elif language == "de" and len(lowered) >= 5 and " " not in lowered:
                terms.append((language, lowered + "*", code))  # genitive "Frankreichs", "Kasachstans"
            else:
                terms.append((language, lowered, code))
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(country, attribute, None)
            if name and "," not in name and name.lower() not in _AMBIGUOUS_NAMES:
                terms.append(("en", name.lower(), country.alpha_2))
    for code, by_language in HAND_ADDED.items():
        for language, alternatives in by_language.items():
            terms.extend((language, term, code) for term in alternatives)
    return tuple(terms)
