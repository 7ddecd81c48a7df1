"""Noord- en Midden-Limburg (seed 003): AF -> ZVH -> weekly screeningsoverleg, Veilig Thuis' classification."""

from __future__ import annotations

import pytest

from engine.errors import ValidationFailed
from tests.chain import VERRIJKT

SCREENING = {"classificatie": "3", "hard_signaal": False}


def test_a_venlo_signal_is_classified_by_the_zvh_and_discussed_in_the_screeningsoverleg(chain):
    case = chain.report("venlo")
    chain.do(case, "verrijken", VERRIJKT)
    task = chain.ready(case)["screening_voorbereiden"]
    assert chain.holder(task) == ("procesregisseur", "noord-en-midden-limburg-zvh")
    assert "Screeningsoverleg" in task.instructions
    chain.do(case, "screening_voorbereiden", SCREENING)
    tasks = chain.ready(case)
    assert {"besluit_overleg", "overdracht_politie"} <= set(tasks)
    assert chain.holder(tasks["overdracht_politie"]) == ("politie", "noord-en-midden-limburg-avim")


def test_mook_en_middelaar_is_served_by_moviera(chain):
    case = chain.report("mook-en-middelaar")
    chain.do(case, "verrijken", {**VERRIJKT, "vorm": "AU"})
    chain.do(case, "screening_voorbereiden", SCREENING)
    assert chain.holder(chain.ready(case)["zorg_en_opvang"]) == ("zorgcoordinator", "noord-en-midden-limburg-moviera")


def test_a_classification_outside_the_four_levels_is_refused_in_dutch(chain):
    case = chain.report("weert")
    chain.do(case, "verrijken", VERRIJKT)
    with pytest.raises(ValidationFailed) as refused:
        chain.do(case, "screening_voorbereiden", {"classificatie": "5", "hard_signaal": True})
    assert refused.value.details["classificatie"].startswith("Kies een van de mogelijke waarden")
    assert "1 Geen mensenhandel" in refused.value.details["classificatie"]
