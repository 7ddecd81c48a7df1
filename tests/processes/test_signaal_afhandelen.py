"""The basic Oost-Brabant route (seed 000, Bijlage 3) as stories a user would tell."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from engine.db import unit_of_work
from engine.forms import FormRepository
from engine.services import deployments, timers, users
from engine.workflow.bundle import SourceFile
from tests.services.helpers import complete, ready, start, status

ROOT = Path(__file__).resolve().parents[2]
FORMS = FormRepository(ROOT / "forms")
VERRIJKT = {"beoordeling": "helder", "samenvatting": "Drie jonge vrouwen op één adres, klanten 's nachts.",
            "anoniem": False}
TERUG = {"actie": "onderzoek gestart", "terugkoppeling": "Verhoor gepland."}


@pytest.fixture
def region(factory, world, at):
    with unit_of_work(factory) as session:
        for slug, kind in [("politie-oost-brabant", "partner"), ("lumens", "partner"),
                           ("arbeidsinspectie", "partner")]:
            users.get_or_create_organisation(session, slug=slug, name=slug, kind=kind)
        people = {}
        for username, role, org in [("avim", "politie", "politie-oost-brabant"),
                                    ("zoco_lumens", "zorgcoordinator", "lumens"),
                                    ("inspecteur", "arbeidsinspectie", "arbeidsinspectie")]:
            people[username] = users.actor_for(users.create_user(
                session, actor=world.beheerder, now=at(), username=username, password="lang-genoeg-wachtwoord",
                role=role, organisation_slug=org))
        files = [SourceFile(p.name, p.read_bytes()) for p in sorted((ROOT / "processes").glob("*.bpmn"))]
        deployments.deploy(session, actor=world.regisseur, now=at(), files=files, comment="test", forms=FORMS)
    return people


def test_an_su_signal_in_eersel_reaches_avim_before_the_zorgcoordinator_of_lumens(factory, world, region, at):
    case = start(factory, world.melder, at(), "signaal_afhandelen", {"melding": "Zorgen over bovenwoning"})
    [verrijken] = ready(factory, case).values()
    assert verrijken.role == "af" and verrijken.form == "signaal-verrijken.json"
    complete(factory, world.af, at.advance(hours=2), FORMS, verrijken.id, {**VERRIJKT, "vorm": "SU"})
    [avim] = ready(factory, case).values()
    assert (avim.element_id, avim.role) == ("overdracht_avim", "politie")
    assert avim.organisation_id == region["avim"].organisation_id
    complete(factory, region["avim"], at.advance(hours=1), FORMS, avim.id, TERUG)
    [zoco] = ready(factory, case).values()
    assert (zoco.element_id, zoco.organisation_id) == ("overdracht_zoco", region["zoco_lumens"].organisation_id)
    complete(factory, region["zoco_lumens"], at.advance(days=1), FORMS, zoco.id,
             {"actie": "zorg ingezet", "terugkoppeling": "Opvang geregeld."})
    [melder] = ready(factory, case).values()
    assert melder.element_id == "terugkoppelen_melder"
    complete(factory, world.af, at.advance(days=1), FORMS, melder.id, {"bericht_aan_melder": "Opgepakt, dank."})
    assert status(factory, case) == "completed"


def test_an_au_signal_goes_to_the_arbeidsinspectie(factory, world, region, at):
    case = start(factory, world.af, at(), "signaal_afhandelen")
    [verrijken] = ready(factory, case).values()
    complete(factory, world.af, at(), FORMS, verrijken.id, {**VERRIJKT, "vorm": "AU"})
    [task] = ready(factory, case).values()
    assert (task.element_id, task.role) == ("overdracht_inspectie", "arbeidsinspectie")


def test_an_anonymous_signal_never_asks_for_melder_feedback(factory, world, region, at):
    case = start(factory, world.af, at(), "signaal_afhandelen")
    [verrijken] = ready(factory, case).values()
    complete(factory, world.af, at(), FORMS, verrijken.id, {**VERRIJKT, "vorm": "onbekend", "anoniem": True})
    [consult] = ready(factory, case).values()
    assert consult.element_id == "anoniem_consult"
    complete(factory, region["zoco_lumens"], at(), FORMS, consult.id, TERUG)
    assert ready(factory, case) == {}
    assert status(factory, case) == "completed"


def test_late_avim_feedback_gives_the_af_a_follow_up_task_after_five_days(factory, world, region, at):
    case = start(factory, world.af, at(), "signaal_afhandelen")
    [verrijken] = ready(factory, case).values()
    complete(factory, world.af, at(), FORMS, verrijken.id, {**VERRIJKT, "vorm": "CU"})
    assert timers.fire_due_timers(factory, now=at() + timedelta(days=4)) == 0
    assert timers.fire_due_timers(factory, now=at.advance(days=5, minutes=1)) == 1
    assert sorted(ready(factory, case)) == ["overdracht_avim", "terugkoppeling_opvragen"], "AVIM's task stays open"
