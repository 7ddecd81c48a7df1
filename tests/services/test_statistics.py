"""Statistics count signals per form, gemeente, route and outcome; small cells never show."""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.errors import Forbidden
from engine.services import statistics
from tests.support.chain import VERRIJKT


def tables(chain, actor=None, year=2026):
    with unit_of_work(chain.factory) as session:
        result = statistics.report(session, actor=actor or chain.person("ketenregisseur", "fryslan-ketenregisseur"),
                                   year=year)
    return {t.dimension: (dict(t.rows), t.total) for t in result}


def test_counts_per_dimension_with_small_cells_suppressed(chain):
    for _ in range(6):
        case = chain.report("eersel")
        chain.do(case, "verrijken", VERRIJKT)
    for vorm in ("AU", "AU"):
        case = chain.report("leeuwarden")
        chain.do(case, "verrijken", {**VERRIJKT, "vorm": vorm})
        chain.do(case, "agenderen_procesregisseur", {"persoonsgegevens_gedeeld": True})
        chain.do(case, "besluit_overleg", {"besluit": "geen_mensenhandel", "toelichting": "x",
                                           "reden_afsluiting": "Reguliere arbeid."})
    result = tables(chain)
    assert result["Vorm van uitbuiting"] == ({"AU": "<5", "SU": "6"}, "8")
    assert result["Gemeente"] == ({"Gemeente Eersel": "6", "Gemeente Leeuwarden": "<5"}, "8")
    assert result["Route"] == ({"Oost-Brabant": "6", "Fryslân (Drieluik)": "<5"}, "8")
    assert result["Uitkomst"] == ({"In behandeling": "6", "Geen mensenhandel": "<5"}, "8")
    assert tables(chain, year=2025)["Gemeente"] == ({}, "0")


def test_no_person_level_data_and_only_chain_roles_read_it(chain):
    case = chain.report("eersel", omschrijving="Anna de Vries, Markt 1")
    chain.do(case, "verrijken", VERRIJKT)
    assert "Anna" not in str(tables(chain))
    with pytest.raises(Forbidden):
        tables(chain, actor=chain.person("af", "eersel"))
    auditor = chain.person("auditor", "eersel")
    with unit_of_work(chain.factory) as session:
        text = statistics.csv_text(statistics.report(session, actor=auditor, year=2026), 2026)
    assert text.splitlines()[0] == "jaar;dimensie;categorie;aantal"
    assert '2026;Gemeente;"Gemeente Eersel";<5' in text
