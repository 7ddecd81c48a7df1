"""GET /api/v1/tasks takes the werkbak's own parameters, and saved filters are there too (API parity)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.support.app import Api
from tests.support.tokens import issue_token
from tests.support.werkbak import logged_in, ref, references


@pytest.fixture
def token_for(web, chain):
    def as_person(role: str, organisation: str) -> Api:
        actor = chain.person(role, organisation)
        token = issue_token(chain.factory, username=actor.username, now=chain.at(),
                            secret_key=web.config["SECRET_KEY"])
        return Api(web.test_client(), token)

    return as_person


@pytest.mark.parametrize("query", ["", "tab=team&vorm=SU", "gemeente=bergeijk", "termijn=te_laat",
                                   "sorteer=nieuwste&per_pagina=1&pagina=2", f"kenmerk={ref(1)}"])
def test_a_werkbak_query_string_lists_the_same_tasks_through_the_api(web, chain, handed_over, token_for, query):
    chain.at.now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    page = logged_in(web, chain, "politie", "oost-brabant-avim").get(f"/?tab=alle&{query}").get_data(as_text=True)
    body = token_for("politie", "oost-brabant-avim").get(f"/api/v1/tasks?{query}").json
    assert [item["reference"] for item in body["items"]] == references(page)
    assert body["counts"] == {"mijn": 0, "team": int(re.search(r"Taken van mijn team \((\d+)\)", page).group(1))}


def test_the_api_lists_tasks_with_their_case_context_counts_and_pages(chain, handed_over, token_for):
    eersel, bergeijk = handed_over
    chain.at.now = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    body = token_for("politie", "oost-brabant-avim").get("/api/v1/tasks?per_pagina=1").json
    assert (body["tab"], body["page"], body["pages"], body["total"], body["per_page"]) == ("alle", 1, 2, 2, 1)
    [item] = body["items"]
    assert item["reference"] == ref(eersel)
    assert item["process_id"] == "signaal_oost_brabant"
    assert item["process_name"] == "Van signaal naar aanpak (Oost-Brabant)"
    assert (item["vorm"], item["gemeente"], item["case_status"], item["due_state"]) == (
        "SU", "Gemeente Eersel", "active", "te_laat")
    assert item["name"] == "Signaal overnemen (politie)" and item["state"] == "ready"


def test_bad_parameters_get_dutch_messages_per_parameter(chain, token_for):
    response = token_for("af", "eersel").get("/api/v1/tasks?termijn=gisteren&per_pagina=1000&kenmerk=42")
    assert response.status_code == 422
    assert response.json["error"]["details"] == {
        "termijn": "Kies een van: te_laat, binnenkort, geen.",
        "per_pagina": "Vul een geheel getal van 1 tot en met 100 in.",
        "kenmerk": "Vul een kenmerk in zoals SR-2026-00042.",
    }


def test_searching_another_gemeentes_reference_finds_nothing(chain, handed_over, token_for):
    eersel, _bergeijk = handed_over
    own = token_for("af", "eersel").get(f"/api/v1/tasks?kenmerk={ref(eersel)}&status=alle").json
    assert own["case"] == {"id": eersel, "reference": ref(eersel)}
    other = token_for("af", "bergeijk").get(f"/api/v1/tasks?kenmerk={ref(eersel)}&status=alle").json
    assert (other["case"], other["items"]) == (None, [])


def test_saved_filters_through_the_api_belong_to_their_owner(chain, handed_over, token_for):
    avim = token_for("politie", "oost-brabant-avim")
    created = avim.post("/api/v1/saved-filters", json={"name": "Te laat", "params": {
        "termijn": "te_laat", "tab": "team", "pagina": 3, "kenmerk": "SR-2026-00001"}})
    assert created.status_code == 201
    assert created.json["params"] == {"tab": "team", "termijn": "te_laat"}
    assert [f["name"] for f in avim.get("/api/v1/saved-filters").json["items"]] == ["Te laat"]
    other = token_for("af", "eersel")
    assert other.get("/api/v1/saved-filters").json["items"] == []
    assert other.client.delete(f"/api/v1/saved-filters/{created.json['id']}",
                               headers={"Authorization": f"Bearer {other.token}"}).status_code == 404
    bad = avim.post("/api/v1/saved-filters", json={"name": "x", "params": {"vorm": "XX"}})
    assert bad.status_code == 422 and "vorm" in bad.json["error"]["details"]
    gone = avim.client.delete(f"/api/v1/saved-filters/{created.json['id']}",
                              headers={"Authorization": f"Bearer {avim.token}"})
    assert gone.status_code == 204
    assert avim.get("/api/v1/saved-filters").json["items"] == []
    assert avim.client.get("/api/v1/saved-filters").status_code == 401


def test_beyond_the_count_limit_the_api_pages_by_position_and_its_links_reach_every_task_once(chain, token_for,
                                                                                              monkeypatch):
    """Issue 19: the paging contract of GET /api/v1/tasks (documented in the OpenAPI document)."""
    from engine.cases import worklist

    monkeypatch.setattr(worklist, "COUNT_LIMIT", 2)
    cases = [chain.report("eersel") for _ in range(5)]
    api = token_for("af", "eersel")
    body = api.get("/api/v1/tasks?tab=team&sorteer=nieuwste&per_pagina=2").json
    assert (body["total"], body["total_exact"], body["pages"], body["page"]) == (2, False, None, 1)
    assert body["counts"]["team"] == 2 and body["counts_exact"] == {"mijn": True, "team": False}
    seen = [item["reference"] for item in body["items"]]
    while body["links"]["next"] is not None:
        body = api.get("/api/v1/tasks" + body["links"]["next"]).json
        seen += [item["reference"] for item in body["items"]]
    assert seen == [ref(c) for c in reversed(cases)]
    last = api.get("/api/v1/tasks" + body["links"]["last"]).json
    assert [item["reference"] for item in last["items"]] == [ref(cases[1]), ref(cases[0])]
    assert last["links"]["next"] is None and last["links"]["previous"] is not None
    refused = api.get("/api/v1/tasks?tab=team&pagina=3&per_pagina=2")
    assert refused.status_code == 422 and "pagina" in refused.json["error"]["details"]
