"""The beheerder reads the retention rules, the dry run and the destruction records; nobody else does."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from engine.accounts.actors import Actor
from engine.retention import retention
from engine.retention.retention_rules import load_rules
from signaalroute import passes
from tests.support.helpers import deploy, start

SHIPPED = load_rules(Path(__file__).resolve().parents[2] / "retention.toml")
SECRET = "MERKTEKEN-Anna-de-Vries-Bovenwoning"


def destroy_all_due(factory, at):
    return passes.destroy_expired(factory, rules=SHIPPED, now=at(), actor=Actor.system("cli"),
                                     trigger=retention.CLI).destroyed


def test_the_beheerder_sees_the_rules_what_would_go_and_what_went(client, log_in, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    first = start(factory, world.af, at(), "drie_taken", {"slachtoffer": SECRET})
    second = start(factory, world.af, at() + timedelta(days=30), "drie_taken", {"slachtoffer": SECRET})
    at.advance(days=2 * 365 + 3)
    log_in("beheerder")
    page = client.get("/beheer/bewaartermijnen").get_data(as_text=True)
    assert "Bewaartermijnen" in page.split("<main")[0], "the beheer menu links to the page"
    assert "Lopend signaal zonder besluit" in page and "2 jaar na de laatste activiteit" in page
    assert "Nog aan te vullen" in page and "AVG art. 5 lid 1 onder e" in page
    assert f"SR-2026-{first:05d}" in page and f"SR-2026-{second:05d}" not in page, "only the expired one"
    assert "Er is nog geen zaak vernietigd." in page
    assert SECRET not in page

    assert [r.instance_id for r in destroy_all_due(factory, at)] == [first]
    page = client.get("/beheer/bewaartermijnen").get_data(as_text=True)
    records = page.split('data-testid="verslagen"')[1]
    assert f"SR-2026-{first:05d}" in records and "opdrachtregel" in records
    assert "auditgebeurtenissen met gewiste inhoud" in records
    assert "0 zaken met een verstreken termijn" in page
    assert SECRET not in page


def test_nobody_but_the_beheerder_reads_it(client, log_in):
    for person in ("af", "auditor", "regisseur", "politie"):
        log_in(person)
        assert client.get("/beheer/bewaartermijnen").status_code == 403, person


def test_a_destroyed_case_still_opens_but_shows_nothing_of_its_content(client, log_in, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken", {"slachtoffer": SECRET})
    at.advance(days=2 * 365 + 3)
    destroy_all_due(factory, at)
    log_in("af")
    response = client.get(f"/zaken/{case}")
    assert response.status_code == 200 and SECRET not in response.get_data(as_text=True)
    log_in("auditor")
    response = client.get(f"/audit/zaken/{case}")
    assert response.status_code == 200 and SECRET not in response.get_data(as_text=True)
    assert "Vernietigd (bewaartermijn verstreken)" in response.get_data(as_text=True)
