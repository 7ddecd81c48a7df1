"""The auditor reads process and form changes (they decide where signals go): who, when, why, hashes, exact bytes,
the diff.

Read-only: none of the procesregisseur's actions (draft, deploy, migrate) is offered, and every role but
the auditor and the beheerder gets a 403 page.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.modelling import deployments
from engine.models import DeploymentForm
from engine.workflow.bundle import SourceFile
from tests.support.base import START
from tests.support.broken_models import RULE_TASK, decision, table
from tests.support.modelling import model


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.fixture
def two_versions(factory, world, forms):
    """Version 1 and version 2 of "Klein proces" (the task renamed), each with its form stored."""
    with unit_of_work(factory) as session:
        first = deployments.deploy(session, actor=world.regisseur, now=START, comment="Eerste versie",
                                   files=[SourceFile("klein.bpmn", model())], forms=forms)
        second = deployments.deploy(session, actor=world.regisseur, now=START,
                                    comment="Taak hernoemd na het overleg van maart",
                                    files=[SourceFile("klein.bpmn", model(name="Signaal aanvullen"))], forms=forms)
        return first.id, second.id


def test_the_auditor_sees_who_deployed_which_version_when_and_why_with_every_hash(client, log_in, two_versions):
    log_in("auditor")
    response = client.get("/audit/modellen")
    assert response.status_code == 200
    page = text_of(response)
    assert "Klein proces (nieuwste: versie 2)" in page  # the process by its name, not its id
    assert page.index("Versie 2") < page.index("Versie 1")  # newest first
    assert "Taak hernoemd na het overleg van maart" in page and "Eerste versie" in page
    assert "regisseur" in page.lower()
    assert hashlib.sha256(model()).hexdigest() in page
    assert hashlib.sha256(model(name="Signaal aanvullen")).hexdigest() in page
    assert "test-verrijken.json" in page  # the form stored with each deployment, with its hash
    menu = client.get("/audit/zaken").get_data(as_text=True)
    assert 'href="/audit/modellen">Proces- en formulierwijzigingen' in menu  # in the auditor's menu


def test_every_stored_file_and_form_downloads_as_its_exact_bytes(client, log_in, two_versions, factory):
    first, second = two_versions
    log_in("auditor")
    response = client.get(f"/audit/modellen/uitrollen/{first}/bestanden/klein.bpmn")
    assert response.status_code == 200 and response.data == model()
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert f"uitrol-{first}-klein.bpmn" in response.headers["Content-Disposition"]
    assert client.get(f"/audit/modellen/uitrollen/{second}/bestanden/klein.bpmn").data == model(
        name="Signaal aanvullen")
    with unit_of_work(factory) as session:
        stored = session.scalars(select(DeploymentForm).where(DeploymentForm.deployment_id == second)).one()
        expected = stored.content
    form = client.get(f"/audit/modellen/uitrollen/{second}/formulieren/test-verrijken.json")
    assert form.status_code == 200 and form.data == expected and form.mimetype == "application/json"
    assert form.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/audit/modellen/uitrollen/{first}/bestanden/anders.bpmn").status_code == 404


def test_the_auditor_sees_the_diff_of_two_versions_without_the_modellers_actions(client, log_in, two_versions):
    log_in("auditor")
    response = client.get("/audit/modellen/klein/verschil?van=1&naar=2")
    assert response.status_code == 200
    page = text_of(response)
    assert "Klein proces: versie 1 en versie 2" in page
    assert "Signaal verrijken → Signaal aanvullen" in page
    body = response.get_data(as_text=True)
    assert 'data-oud-url="/audit/modellen/klein/versies/1/inhoud"' in body
    inhoud = client.get("/audit/modellen/klein/versies/2/inhoud")
    assert inhoud.status_code == 200 and "Signaal aanvullen" in inhoud.get_json()["xml"]
    same = client.get("/audit/modellen/klein/verschil?van=2&naar=2")
    assert same.status_code == 422 and "Kies een andere versie" in text_of(same)


def test_no_editing_action_is_offered_on_the_auditors_pages(client, log_in, two_versions):
    log_in("auditor")
    for path in ("/audit/modellen", "/audit/modellen/klein/verschil?van=1&naar=2"):
        body = client.get(path).get_data(as_text=True)
        assert 'href="/modelleren' not in body and 'action="/modelleren' not in body, path  # no way into the modeller
        posts = [tag for tag in re.findall(r"<form[^>]*>", body) if 'method="post"' in tag.lower()]
        assert all('action="/uitloggen"' in tag for tag in posts), (path, posts)  # only the header's log-out
        for words in ("Concept maken", "Uitrollen", "migreren", "Opslaan"):
            assert words not in text_of(client.get(path)), (path, words)


def test_decision_tables_are_listed_by_name_with_each_deployment(client, log_in, world, factory, forms):
    first, second = decision(table()), decision(table(output='"Zorg"'))
    with unit_of_work(factory) as session:
        for comment, content in (("Routering vastgesteld", first), ("Routering naar zorg", second)):
            deployment = deployments.deploy(session, actor=world.beheerder, now=START, comment=comment,
                                            files=[SourceFile("regels.bpmn", RULE_TASK),
                                                   SourceFile("beslis.dmn", content)], forms=forms)
        newest = deployment.id
    log_in("auditor")
    response = client.get("/audit/modellen")
    page = text_of(response)
    assert "Beslis (2 uitrollen)" in page  # the decision by its name
    assert page.index("Routering naar zorg") < page.index("Routering vastgesteld")  # newest first
    for content in (first, second):
        assert hashlib.sha256(content).hexdigest() in page
    assert client.get(f"/audit/modellen/uitrollen/{newest}/bestanden/beslis.dmn").data == second


def test_the_beheerder_may_read_the_same_pages(client, log_in, two_versions):
    log_in("beheerder")
    assert client.get("/audit/modellen").status_code == 200
    assert client.get("/audit/modellen/klein/verschil").status_code == 200


@pytest.mark.parametrize("who", ["af", "politie", "melder", "regisseur"])
def test_every_other_role_gets_a_403_page(client, log_in, two_versions, who):
    first, _ = two_versions
    log_in(who)
    for path in ("/audit/modellen", "/audit/modellen/klein/verschil?van=1&naar=2",
                 "/audit/modellen/klein/versies/1/inhoud", f"/audit/modellen/uitrollen/{first}/bestanden/klein.bpmn",
                 f"/audit/modellen/uitrollen/{first}/formulieren/test-verrijken.json"):
        response = client.get(path)
        assert response.status_code == 403, (who, path)
        assert b"<bpmn:" not in response.data
    assert "Proces- en formulierwijzigingen" not in text_of(client.get("/", follow_redirects=True))


def test_without_login_the_pages_ask_to_log_in(client, two_versions):
    response = client.get("/audit/modellen")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_the_modellers_diff_page_keeps_its_own_viewer_urls(client, log_in, two_versions):
    """The diff body is one partial for both pages; the procesregisseur's still loads from the modeller."""
    log_in("regisseur")
    response = client.get("/modelleren/klein/verschil?van=1&naar=2")
    assert response.status_code == 200
    assert 'data-oud-url="/modelleren/klein/versies/1/inhoud"' in response.get_data(as_text=True)
    assert "Signaal verrijken → Signaal aanvullen" in text_of(response)
