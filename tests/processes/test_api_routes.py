"""A few stories through API v1: a partner system reports a signal and the chain completes it over HTTP."""

from __future__ import annotations

import pytest

from engine.config import Settings
from tests.support.chain import MELDING, ROOT, TERUG, VERRIJKT, ZACHT, ZORG
from tests.support.tokens import issue_token
from webapp import create_app, db


@pytest.fixture
def http(chain, db_url, tmp_path, at):
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="t" * 64,
                        forms_dir=ROOT / "forms", processes_dir=ROOT / "processes")
    app = create_app(settings, {"TESTING": True, "CLOCK": at})
    client = app.test_client()

    def as_person(role: str, organisation: str):
        actor = chain.person(role, organisation)
        token = issue_token(chain.factory, username=actor.username, now=at(), secret_key=app.config["SECRET_KEY"])
        headers = {"Authorization": f"Bearer {token}"}
        return lambda method, path, body=None: client.open(path, method=method, json=body, headers=headers)

    yield as_person
    db.dispose(app)


def complete(person, task_id, data):
    response = person("POST", f"/api/v1/tasks/{task_id}/complete", {"data": data})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_police_report_a_signal_in_venlo_over_the_api_and_get_a_reference(http):
    politie = http("politie", "noord-en-midden-limburg-avim")
    body = {"gemeente": "venlo", "melding": {**MELDING, "bron_melding": "partner"}}
    response = politie("POST", "/api/v1/signals", body)
    assert response.status_code == 201, response.get_json()
    case = response.get_json()
    assert case["reference"] == f"SR-2026-{case['id']:05d}"
    assert case["process_id"] == "signaal_limburg" and case["organisation"] == "venlo"
    af = http("af", "venlo")
    [task] = af("GET", "/api/v1/tasks").get_json()["items"]
    assert task["element_id"] == "verrijken"
    after = complete(af, task["id"], ZACHT)
    ready = sorted(t["element_id"] for t in after["ready_tasks"])
    assert ready == ["classificatie_voorlopig", "screening_voorbereiden"], "a soft signal: the ZVH and Veilig Thuis"


def test_an_su_signal_is_handed_over_and_fed_back_entirely_over_the_api(http):
    melder = http("melder", "eersel")
    case = melder("POST", "/api/v1/signals", {"melding": MELDING}).get_json()
    af, avim, zoco = http("af", "eersel"), http("politie", "oost-brabant-avim"), http("zorgcoordinator",
                                                                                        "oost-brabant-lumens")
    [verrijken] = af("GET", "/api/v1/tasks").get_json()["items"]
    complete(af, verrijken["id"], VERRIJKT)
    [overdracht] = avim("GET", "/api/v1/tasks").get_json()["items"]
    assert overdracht["due_at"] is not None, "the feedback term shows as the task's due date"
    [zorg] = zoco("GET", "/api/v1/tasks").get_json()["items"]
    complete(zoco, zorg["id"], ZORG)
    complete(avim, overdracht["id"], TERUG)
    [melder_task] = af("GET", "/api/v1/tasks").get_json()["items"]
    done = complete(af, melder_task["id"], {"bericht_aan_melder": "Opgepakt."})
    assert done["status"] == "completed" and done["id"] == case["id"]


def test_a_bad_report_gets_dutch_field_errors_and_starts_no_case(http, chain):
    melder = http("melder", "eersel")
    response = melder("POST", "/api/v1/signals", {"melding": {"omschrijving": "", "acuut": "misschien"}})
    assert response.status_code == 422
    details = response.get_json()["error"]["details"]
    assert details["omschrijving"] == "Dit veld is verplicht." and details["acuut"] == "Vul ja of nee in."
    assert chain.reference_count() == 0
    assert melder("POST", "/api/v1/signals", {"melding": "tekst"}).status_code == 422


def test_an_advice_question_over_the_api_reaches_the_af(http):
    response = http("melder", "soest")("POST", "/api/v1/advice-questions", {"vraag": "Mag dit?"})
    assert response.status_code == 201
    assert [t["element_id"] for t in response.get_json()["ready_tasks"]] == ["adviesvraag_beoordelen"]
    assert http("melder", "soest")("POST", "/api/v1/advice-questions", {"vraag": "  "}).status_code == 422
