"""Multilingual, explainable regulation flagging (see ``flagger`` for the contract, ``TAXONOMY.md`` for categories).

Public surface: ``flag_regulation(title, text, language) -> Regulation`` and ``regulation_to_dict`` (the JSON
shape that ``newsbeam classify`` prints and the wire format embeds).
"""

from __future__ import annotations

from typing import Any

from transforms.records import Regulation
from transforms.regulation.flagger import flag_regulation
from transforms.regulation.matcher import warm_up

__all__ = ["flag_regulation", "regulation_to_dict", "warm_up"]


def regulation_to_dict(reg: Regulation) -> dict[str, Any]:
    """Render a verdict as JSON-safe data: the ``regulation`` object of ``newsbeam classify`` and the wire format."""
    return {
        "flagged": reg.flagged,
        "score": round(reg.score, 3),
        "categories": list(reg.categories),
        "jurisdictions": list(reg.jurisdictions),
        "entities": {
            "organizations": list(reg.entities.organizations),
            "regulators": list(reg.entities.regulators),
            "companies": list(reg.entities.companies),
            "people": list(reg.entities.people),
        },
        "evidence": [
            {"sentence": ev.sentence, "start": ev.start, "end": ev.end, "signals": list(ev.signals)}
            for ev in reg.evidence
        ],
    }
