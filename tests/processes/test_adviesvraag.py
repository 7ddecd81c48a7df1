"""Advice questions (004 par. 2.6) and intake errors a user can make."""

from __future__ import annotations

import pytest

from engine.cases import intake
from engine.db import unit_of_work
from engine.errors import ValidationFailed
from tests.support.chain import FORMS, MELDING


def ask(chain, vraag="Mag een uitzendbureau ..."):
    with unit_of_work(chain.factory) as session:
        return intake.ask_advice(session, actor=chain.person("melder", "soest"), now=chain.at(),
                                 regions=chain.regions, vraag=vraag, gemeente="soest").id


def test_the_af_answers_an_advice_question_herself_and_reports_back(chain):
    case = ask(chain)
    chain.do(case, "adviesvraag_beoordelen", {"advies_van": "zelf", "antwoord": "Ja, mits ..."})
    assert chain.do(case, "advies_terugkoppelen", {"bericht_aan_melder": "Ja, mits ..."}) == "completed"


def test_the_af_asks_the_ketenregisseur_and_passes_the_advice_on(chain):
    case = ask(chain)
    task = chain.ready(case)["adviesvraag_beoordelen"]
    assert "Ketenregisseur (pilot signalentafel Mensenhandel)" in task.instructions
    assert "()" not in task.instructions, "a partner without a number shows no empty brackets"
    chain.do(case, "adviesvraag_beoordelen", {"advies_van": "ketenregisseur"})
    assert chain.holder(chain.ready(case)["advies_ketenregisseur"]) == ("ketenregisseur", "soest-ketenregisseur")
    chain.do(case, "advies_ketenregisseur", {"advies": "Meld bij de Arbeidsinspectie."})
    assert list(chain.ready(case)) == ["advies_terugkoppelen"]


def test_answering_yourself_without_an_answer_is_refused(chain):
    case = ask(chain)
    with pytest.raises(ValidationFailed) as refused:
        chain.do(case, "adviesvraag_beoordelen", {"advies_van": "zelf"})
    assert refused.value.details == {"antwoord": "Dit veld is verplicht."}


def test_a_report_for_a_gemeente_outside_every_region_is_refused(chain):
    with unit_of_work(chain.factory) as session, pytest.raises(ValidationFailed) as refused:
        intake.report_signal(session, actor=chain.person("melder", "soest"), now=chain.at(), regions=chain.regions,
                             forms=FORMS, melding=MELDING, gemeente="groningen")
    assert refused.value.details == {"gemeente": "Deze gemeente hoort bij geen van de regio's."}


def test_a_report_without_description_gets_dutch_errors_and_starts_nothing(chain):
    with unit_of_work(chain.factory) as session, pytest.raises(ValidationFailed) as refused:
        intake.report_signal(session, actor=chain.person("melder", "soest"), now=chain.at(), regions=chain.regions,
                             forms=FORMS, melding={"acuut": "ja"}, gemeente="soest")
    assert refused.value.details["omschrijving"] == "Dit veld is verplicht."
    assert refused.value.details["acuut"] == "Vul ja of nee in."
    assert chain.reference_count() == 0
