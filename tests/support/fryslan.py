"""Moved from tests/processes/test_fryslan.py: shared by several test modules."""

from __future__ import annotations

from tests.support.chain import VERRIJKT

PLAN = {"casusregisseur": "J. de Vries (ZVHF)", "stoppen_uitbuiting": "Opvang Fier.", "strafrechtelijk_spoor": True,
        "eerste_contact": "Hulpverlener met TMM."}


OPPLUSSEN = {"besluit": "opplussen", "toelichting": "Redelijk vermoeden.", "ondermijning_starten": False}


def to_drieluik(chain, **verrijkt):
    case = chain.report("leeuwarden")
    chain.do(case, "verrijken", {**VERRIJKT, **verrijkt})
    chain.do(case, "agenderen_procesregisseur", AGENDA)
    return case


AGENDA = {"persoonsgegevens_gedeeld": True}
