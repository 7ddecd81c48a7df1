"""API v1 through Flask's client: deploy, start, work, conflict, validation, authorization, errors."""

from __future__ import annotations

import io
import re

import pytest

from engine.db import unit_of_work
from engine.models import HumanTask
from tests.support.accounts import log_in_client
from tests.support.api import upload  # noqa: F401

VALID = {"vorm": "AU", "samenvatting": "Werknemers slapen in de kas."}


def test_deploy_start_and_complete_through_the_api(api):
    regisseur, af = api("regisseur"), api("af")
    deployed = upload(regisseur, "drie_taken.bpmn")
    assert deployed.status_code == 201, deployed.json
    assert deployed.json["processes"][0]["process_id"] == "drie_taken"
    assert deployed.json["files"][0]["sha256"]
    listed = af.get("/api/v1/process-models").json["items"]
    assert [(d["process_id"], d["version"]) for d in listed] == [("drie_taken", 1)]

    started = af.post("/api/v1/instances", json={"process_id": "drie_taken", "data": {"bron": "collega"}})
    assert started.status_code == 201
    body = started.json
    assert body["status"] == "active" and body["timers"] == []
    [task] = body["ready_tasks"]
    assert task["name"] == "Signaal verrijken"

    tasks = af.get(f"/api/v1/tasks?instance_id={body['id']}").json["items"]
    assert [t["id"] for t in tasks] == [task["id"]]
    detail = af.get(f"/api/v1/tasks/{task['id']}").json
    assert detail["form_schema"]["properties"]["vorm"]["enum"][0] == "SU"

    done = af.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": VALID})
    assert done.status_code == 200
    assert [t["element_id"] for t in done.json["ready_tasks"]] == ["overdracht"]
    again = af.post(f"/api/v1/tasks/{task['id']}/complete", json={"data": VALID})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "conflict"

    history = af.get(f"/api/v1/instances/{body['id']}/history").json["items"]
    assert [e["type"] for e in history] == ["instance.started", "task.completed"]
    assert history[1]["prev_hash"] == history[0]["hash"]
    assert history[1]["actor"] == {"username": "af", "role": "af", "organisation": "eersel"}


def test_invalid_task_data_gets_422_with_dutch_field_messages(api):
    upload(api("regisseur"), "drie_taken.bpmn")
    af = api("af")
    case = af.post("/api/v1/instances", json={"process_id": "drie_taken"}).json
    task_id = case["ready_tasks"][0]["id"]
    response = af.post(f"/api/v1/tasks/{task_id}/complete", json={"data": {"vorm": "SU"}})
    assert response.status_code == 422
    assert response.json["error"]["details"] == {"samenvatting": "Dit veld is verplicht."}
    assert af.get(f"/api/v1/instances/{case['id']}").json["ready_tasks"][0]["id"] == task_id


NUL = "Tekst mag geen NUL-teken (\\u0000) bevatten."


@pytest.mark.postgres
def test_a_nul_character_in_task_data_is_refused_in_dutch_and_changes_nothing(api, factory, world):
    """PostgreSQL cannot store \\u0000 in JSONB (it used to give a 500); SQLite could: both refuse it."""
    upload(api("regisseur"), "drie_taken.bpmn")
    af = api("af")
    refused = af.post("/api/v1/instances", json={"process_id": "drie_taken", "data": {"x": "a\u0000b"}})
    assert refused.status_code == 422 and refused.json["error"]["details"] == {"x": NUL}
    case = af.post("/api/v1/instances", json={"process_id": "drie_taken"}).json
    task_id = case["ready_tasks"][0]["id"]
    with_form = af.post(f"/api/v1/tasks/{task_id}/complete", json={"data": VALID | {"samenvatting": "a\u0000"}})
    assert with_form.status_code == 422
    assert with_form.json["error"]["details"] == {"samenvatting": NUL}
    done = af.post(f"/api/v1/tasks/{task_id}/complete", json={"data": VALID}).json
    [police_task] = done["ready_tasks"]
    with unit_of_work(factory) as session:  # the handover goes to the world's police team
        session.get(HumanTask, police_task["id"]).organisation_id = world.politie.organisation_id
    formless = api("politie").post(f"/api/v1/tasks/{police_task['id']}/complete",
                                   json={"data": {"notities": ["ok", {"diep": "\u0000"}]}})
    assert formless.status_code == 422
    assert formless.json["error"]["details"] == {"notities.1.diep": NUL}
    assert api("politie").get(f"/api/v1/tasks?instance_id={case['id']}").json["items"][0]["id"] == police_task["id"]


def test_an_invalid_model_gets_422_with_located_errors(api):
    broken = b'<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">\n<oops'
    response = api("regisseur").post("/api/v1/process-models", data={"files": [(io.BytesIO(broken), "x.bpmn")]},
                                     content_type="multipart/form-data")
    assert response.status_code == 422
    [problem] = response.json["error"]["details"]
    assert problem["file"] == "x.bpmn" and problem["line"] == 2
    assert api("regisseur").get("/api/v1/process-models").json["items"] == []


def test_an_upload_over_the_limit_is_refused(api):
    huge = b"<" * (25 * 1024 * 1024)
    response = api("regisseur").post("/api/v1/process-models", data={"files": [(io.BytesIO(huge), "x.bpmn")]},
                                     content_type="multipart/form-data")
    assert response.status_code == 413
    assert response.json["error"]["message"] == "Het verzoek is te groot."


def test_requests_without_a_valid_token_get_401(client):
    assert client.get("/api/v1/tasks").status_code == 401
    response = client.get("/api/v1/tasks", headers={"Authorization": "Bearer sr_verzonnen"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "niet_ingelogd"


def test_other_gemeenten_and_roles_get_404_and_do_not_learn_the_case_exists(api):
    upload(api("regisseur"), "drie_taken.bpmn")
    case = api("af").post("/api/v1/instances", json={"process_id": "drie_taken"}).json
    task_id = case["ready_tasks"][0]["id"]
    for outsider in ("af_bergeijk", "politie", "zoco"):
        other = api(outsider)
        missing = other.get("/api/v1/instances/999999")
        for path in (f"/api/v1/instances/{case['id']}", f"/api/v1/instances/{case['id']}/history",
                     f"/api/v1/tasks/{task_id}"):
            response = other.get(path)
            assert response.status_code == 404
            assert response.json == missing.json or response.json["error"]["code"] == "niet_gevonden"
        assert other.post(f"/api/v1/tasks/{task_id}/complete", json={"data": VALID}).status_code == 404
        assert other.get("/api/v1/tasks").json["items"] == []


def test_role_checks_answer_403(api):
    assert upload(api("af"), "drie_taken.bpmn").status_code == 403
    upload(api("regisseur"), "drie_taken.bpmn")
    assert api("auditor").post("/api/v1/instances", json={"process_id": "drie_taken"}).status_code == 403


def test_bad_json_and_unknown_routes_answer_in_the_error_shape(api):
    af = api("af")
    response = af.post("/api/v1/instances", data="{niet json", content_type="application/json")
    assert response.status_code == 422
    assert set(response.json["error"]) == {"code", "message", "details"}
    assert af.get("/api/v1/bestaat-niet").json["error"]["code"] == "niet_gevonden"


def test_timers_can_be_executed_by_a_beheerder(api):
    upload(api("regisseur"), "timers.bpmn")
    case = api("af").post("/api/v1/instances", json={"process_id": "terugkoppeling_bewaken"}).json
    [timer] = case["timers"]
    assert timer["kind"] == "duration"
    assert api("af").post(f"/api/v1/timers/{timer['id']}/execute").status_code == 403
    too_long = api("beheerder").post(f"/api/v1/timers/{timer['id']}/execute", json={"reason": "x" * 501})
    assert too_long.status_code == 422 and "hoogstens 500 tekens" in too_long.json["error"]["message"]
    fired = api("beheerder").post(f"/api/v1/timers/{timer['id']}/execute",
                                  json={"reason": "planner lag stil na storing"})
    assert fired.status_code == 200
    assert api("beheerder").post(f"/api/v1/timers/{timer['id']}/execute").status_code == 409
    assert [t["element_id"] for t in api("af").get(f"/api/v1/instances/{case['id']}").json["ready_tasks"]] == [
        "herinnering"]
    history = api("af").get(f"/api/v1/instances/{case['id']}/history").json
    [event] = [e for e in history["items"] if e["type"] == "timer.fired"]
    assert event["actor"]["role"] == "beheerder"
    assert event["payload"]["manual"] == "beheerder" and event["payload"]["reason"] == "planner lag stil na storing"


def test_the_case_page_says_who_fired_a_timer_by_hand_and_why(api, client):
    upload(api("regisseur"), "timers.bpmn")
    case = api("af").post("/api/v1/instances", json={"process_id": "terugkoppeling_bewaken"}).json
    [timer] = case["timers"]
    assert api("beheerder").post(f"/api/v1/timers/{timer['id']}/execute").status_code == 200, "no body, like Camunda"
    log_in_client(client, "af")
    page = client.get(f"/zaken/{case['id']}").get_data(as_text=True)
    assert "direct verlopen (geen reden opgegeven)" in page and "beheerder" in page


def test_the_openapi_document_lists_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)  # <int:id> and <name> alike
            routes |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented


def test_server_errors_never_leak_a_stack_trace(app, api, monkeypatch):
    from engine.cases import worklist

    def explode(*args, **kwargs):
        raise RuntimeError("geheim detail uit de server")

    monkeypatch.setattr(worklist, "search", explode)
    response = api("af").get("/api/v1/tasks")
    assert response.status_code == 500
    assert "geheim" not in response.get_data(as_text=True)
    assert response.json["error"]["code"] == "serverfout"


def test_an_auditor_replays_a_case_through_the_api(api):
    upload(api("regisseur"), "drie_taken.bpmn")
    case = api("af").post("/api/v1/instances", json={"process_id": "drie_taken"}).json
    api("af").post(f"/api/v1/tasks/{case['ready_tasks'][0]['id']}/complete", json={"data": VALID | {"vorm": "SU"}})
    report = api("auditor").post(f"/api/v1/instances/{case['id']}/replay")
    assert report.status_code == 200
    assert report.json == {"instance_id": case["id"], "consistent": True, "steps": 2, "divergence": None,
                           "destroyed": None}
    assert api("af").post(f"/api/v1/instances/{case['id']}/replay").status_code == 403


def test_every_view_of_a_case_is_in_its_access_log_which_only_auditors_read(api, at):
    upload(api("regisseur"), "drie_taken.bpmn")
    case = api("af").post("/api/v1/instances", json={"process_id": "drie_taken"}).json
    task_id = case["ready_tasks"][0]["id"]
    api("af").get(f"/api/v1/instances/{case['id']}")
    api("af").get(f"/api/v1/tasks/{task_id}")
    api("af").get(f"/api/v1/instances/{case['id']}/history")
    assert api("af_bergeijk").get(f"/api/v1/instances/{case['id']}").status_code == 404
    assert api("af").get(f"/api/v1/instances/{case['id']}/access-log").status_code == 403
    log = api("auditor").get(f"/api/v1/instances/{case['id']}/access-log")
    assert log.status_code == 200
    assert [(e["action"], e["user"]["username"], e["user"]["role"], e["user"]["organisation"])
            for e in log.json["items"]] == [
        ("case.viewed", "af", "af", "eersel"),
        ("task.viewed", "af", "af", "eersel"),
        ("history.viewed", "af", "af", "eersel"),
    ], "refused requests leave no entry"
    again = api("auditor").get(f"/api/v1/instances/{case['id']}/access-log").json["items"]
    assert again[-1]["action"] == "access_log.viewed" and again[-1]["user"]["username"] == "auditor"
    assert again[-1]["occurred_at"] == at().isoformat()


def test_claim_release_and_assign_through_the_api(api, factory, at):
    from engine.accounts import users
    from engine.accounts.actors import Actor
    from engine.db import unit_of_work
    from tests.support.base import PASSWORD

    with unit_of_work(factory) as session:
        users.create_user(session, actor=Actor.system("t"), now=at(), username="af2", password=PASSWORD, role="af",
                          organisation_slug="eersel")
    upload(api("regisseur"), "drie_taken.bpmn")
    case = api("af").post("/api/v1/instances", json={"process_id": "drie_taken"}).json
    task_id = case["ready_tasks"][0]["id"]
    claimed = api("af").post(f"/api/v1/tasks/{task_id}/claim")
    assert claimed.status_code == 200 and claimed.json["assignee_id"] is not None
    held = api("af2").get("/api/v1/tasks").json["items"]  # the team still sees it, with who holds it
    assert [(t["id"], t["assignee_name"]) for t in held] == [(task_id, "af")]
    assert api("af2").get(f"/api/v1/tasks/{task_id}").status_code == 404, "but only its holder opens it"
    assert api("af").post(f"/api/v1/tasks/{task_id}/release").json["assignee_id"] is None
    refused = api("af").post(f"/api/v1/tasks/{task_id}/assign", json={"username": "af_bergeijk"})
    assert refused.status_code == 422 and "username" in refused.json["error"]["details"]
    assert api("af").post(f"/api/v1/tasks/{task_id}/assign", json={"username": "af2"}).status_code == 200
    assert [t["id"] for t in api("af2").get("/api/v1/tasks").json["items"]] == [task_id]
    not_coordinator = api("af2").post(f"/api/v1/tasks/{task_id}/assign", json={"username": "af"})
    assert not_coordinator.status_code == 403, "only the team's coordinators assign work to a colleague"
    assert [t["id"] for t in api("af2").get("/api/v1/tasks").json["items"]] == [task_id]
