"""Modelleren over HTTP: only procesregisseur and beheerder, JSON with the CSRF header, exact downloads."""

from __future__ import annotations

import html
import io
import re

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.models import Deployment, FormVersion, ModelDraft
from tests.support.base import FIXTURES
from tests.support.modelling import HOSTILE, model
from tests.support.web import json_post, new_draft, text_of


def test_without_login_the_modeller_asks_to_log_in(client):
    response = client.get("/modelleren/")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


@pytest.mark.parametrize("who", ["af", "auditor", "politie", "melder"])
def test_other_roles_get_a_403_page(client, log_in, deployed, who):
    log_in(who)
    for path in ("/modelleren/", "/modelleren/klein", "/modelleren/formulieren", "/modelleren/api/gegevens",
                 "/modelleren/klein/versies/1/download"):
        response = client.get(path)
        assert response.status_code == 403, path
    assert "Geen toegang" in text_of(client.get("/modelleren/"))
    assert "Modelleren" not in text_of(client.get("/"))  # no menu link either


def test_the_procesregisseur_sees_processes_with_versions_and_history(client, token, deployed):
    overview = text_of(client.get("/modelleren/"))
    assert "Klein proces klein" in overview and "versie 1" in overview
    history = client.get("/modelleren/klein")
    page = text_of(history)
    assert "Versie 1" in page and "Eerste versie" in page and "regisseur" in page
    assert 'href="/modelleren/klein/migratie"' in history.get_data(as_text=True)
    assert "Lopende zaken migreren" in page


def test_a_version_downloads_as_its_exact_bytes(client, token, deployed):
    response = client.get("/modelleren/klein/versies/1/download")
    assert response.status_code == 200
    assert response.data == model()
    assert response.headers["Content-Disposition"] == 'attachment; filename="klein-v1.bpmn"'
    assert response.mimetype == "application/xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_save_check_and_deploy_a_draft_as_json(client, token, deployed, factory):
    draft_id = new_draft(client, token)
    editor = client.get(f"/modelleren/concepten/{draft_id}")
    assert "<noscript>" in editor.get_data(as_text=True)
    loaded = client.get(f"/modelleren/concepten/{draft_id}/inhoud", headers={"Accept": "application/json"}).json
    assert (loaded["revision"], loaded["kind"]) == (1, "bpmn")

    broken = model(timer="werkdagen(").decode()
    checked = json_post(client, f"/modelleren/concepten/{draft_id}/controleren", {"xml": broken, "revision": 1},
                        token)
    assert checked.status_code == 200 and checked.json["ok"] is False
    [problem] = checked.json["problems"]
    assert (problem["element_id"], problem["in_model"]) == ("te_laat", True)

    refused = json_post(client, f"/modelleren/concepten/{draft_id}/uitrollen",
                        {"revision": checked.json["revision"], "toelichting": "kapot"}, token)
    assert refused.status_code == 422 and refused.json["error"]["details"][0]["element_id"] == "te_laat"

    saved = json_post(client, f"/modelleren/concepten/{draft_id}/opslaan",
                      {"xml": model(timer="werkdagen(10)").decode(), "revision": checked.json["revision"]}, token)
    assert saved.status_code == 200
    no_comment = json_post(client, f"/modelleren/concepten/{draft_id}/uitrollen",
                           {"revision": saved.json["revision"], "toelichting": ""}, token)
    assert no_comment.status_code == 422 and "toelichting" in no_comment.json["error"]["details"]
    deployed_now = json_post(client, f"/modelleren/concepten/{draft_id}/uitrollen",
                             {"revision": saved.json["revision"], "toelichting": "Tien werkdagen"}, token)
    assert deployed_now.status_code == 200, deployed_now.json
    assert deployed_now.json["url"] == "/modelleren/klein"
    assert "Tien werkdagen" in text_of(client.get("/modelleren/klein"))
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(Deployment)) == 2


def test_a_stale_revision_is_a_json_conflict(client, token, deployed):
    draft_id = new_draft(client, token)
    first = json_post(client, f"/modelleren/concepten/{draft_id}/opslaan",
                      {"xml": model(name="A").decode(), "revision": 1}, token)
    assert first.status_code == 200
    second = json_post(client, f"/modelleren/concepten/{draft_id}/opslaan",
                       {"xml": model(name="B").decode(), "revision": 1}, token)
    assert second.status_code == 409 and second.json["error"]["code"] == "conflict"


def test_a_script_post_without_the_csrf_header_is_refused(client, token, deployed, factory):
    draft_id = new_draft(client, token)
    response = client.post(f"/modelleren/concepten/{draft_id}/opslaan", json={"xml": model().decode(), "revision": 1},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400 and response.json["error"]["code"] == "csrf"


@pytest.mark.parametrize("name", ["xxe", "billion-laughs", "not-xml"])
def test_a_hostile_upload_is_refused_with_a_dutch_page(client, token, factory, name):
    response = client.post("/modelleren/concepten", data={
        "bron": "upload", "csrf_token": token, "bestand": (io.BytesIO(HOSTILE[name]), "aanval.bpmn")},
        content_type="multipart/form-data")
    assert response.status_code == 422
    assert "passwd" not in response.get_data(as_text=True)
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(ModelDraft)) == 0


def test_the_panel_data_lists_roles_forms_and_decisions(client, token):
    data = client.get("/modelleren/api/gegevens").json
    roles = {r["value"]: r for r in data["roles"]}
    assert "auditor" not in roles and "beheerder" not in roles
    assert "avim" in roles["politie"]["names"] and roles["politie"]["label"] == "Politie (AVIM)"
    assert {"name": "test-verrijken.json", "title": "Signaal verrijken"} in data["forms"]


def test_the_form_preview_is_drawn_by_the_server_with_dutch_errors(client, token):
    schema = '{"type": "object", "properties": {"naam": {"type": "string", "title": "Naam van de melder"}}}'
    preview = client.post("/modelleren/formulieren/voorbeeld", data={"schema": schema},
                          headers={"X-CSRFToken": token})
    assert preview.status_code == 200
    assert 'for="veld-naam"' in preview.get_data(as_text=True) and "Naam van de melder" in text_of(preview)
    broken = client.post("/modelleren/formulieren/voorbeeld", data={"schema": '{"type": "object", "properties": '
                                                                              '{"a": {"type": "tekst"}}}'},
                         headers={"X-CSRFToken": token})
    assert "Het schema is ongeldig bij ‘properties.a.type’" in text_of(broken)


def test_a_form_is_saved_as_a_new_version_without_script(client, token, factory):
    page = client.get("/modelleren/formulieren/test-verrijken.json")
    assert page.status_code == 200 and "Signaal verrijken" in text_of(page)
    original = re.search(r'<textarea id="schema"[^>]*>(.*?)</textarea>', page.get_data(as_text=True), re.S).group(1)
    changed = html.unescape(original).replace('"Samenvatting"', '"Korte samenvatting"')
    refused = client.post("/modelleren/formulieren/test-verrijken.json",
                          data={"csrf_token": token, "schema": changed, "toelichting": "", "actie": "opslaan"})
    assert refused.status_code == 422 and "Schrijf kort op wat u wijzigt" in text_of(refused)
    preview = client.post("/modelleren/formulieren/test-verrijken.json",
                          data={"csrf_token": token, "schema": changed, "actie": "voorbeeld"})
    assert "Korte samenvatting" in text_of(preview)
    saved = client.post("/modelleren/formulieren/test-verrijken.json",
                        data={"csrf_token": token, "schema": changed, "toelichting": "Korter label",
                              "actie": "opslaan"})
    assert saved.status_code == 302
    assert "Versie 1" in text_of(client.get("/modelleren/formulieren/test-verrijken.json"))
    with unit_of_work(factory) as session:
        assert session.scalar(select(FormVersion.comment)) == "Korter label"
    download = client.get("/modelleren/formulieren/test-verrijken.json/versies/1/download")
    assert download.data.decode() == changed and download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == 'attachment; filename="test-verrijken-v1.json"'


def test_every_miwg_reference_diagram_opens_as_a_draft_and_checks_without_a_server_error(client, token):
    for path in sorted((FIXTURES / "miwg").glob("*.bpmn")):
        created = client.post("/modelleren/concepten", data={
            "bron": "upload", "csrf_token": token, "bestand": (io.BytesIO(path.read_bytes()), path.name)},
            content_type="multipart/form-data")
        assert created.status_code == 302, (path.name, text_of(created))
        draft_id = int(created.headers["Location"].rstrip("/").split("/")[-1])
        checked = json_post(client, f"/modelleren/concepten/{draft_id}/controleren", {"revision": 1}, token)
        assert checked.status_code == 200, path.name
        assert checked.json["ok"] or all(p["message"] for p in checked.json["problems"])
        client.post(f"/modelleren/concepten/{draft_id}/verwijderen", data={"csrf_token": token})
