"""Hand-made hostile requests to the JSON endpoints: deep nesting, no token, wrong method.

Attack: a body nested hundreds of levels deep (the parser and every walk over the data recurse once
per level), a bad body sent without a token, a method the route does not have.
Expected refusal: 422 in Dutch for the depth, on every JSON endpoint including the modeller's save;
401 before anything about the body; 405 with the ``Allow`` header in the error shape.
"""

from __future__ import annotations

import pytest

from engine.json_limits import MAX_JSON_DEPTH, json_depth
from tests.support.api import TOO_DEEP, nested  # noqa: F401


def post_raw(client, path: str, body: str, headers: dict[str, str]):
    return client.post(path, data=body, headers={**headers, "Content-Type": "application/json"})


def test_depth_is_measured_without_parsing_and_ignores_brackets_in_strings():
    assert json_depth(nested(3)) == 3
    assert json_depth('{"tekst": "[[[[{{{{"}') == 1
    assert json_depth('"\\"[[["') == 0
    assert json_depth("[" * 100_000) == 100_000


JSON_ENDPOINTS = ["/api/v1/instances", "/api/v1/signals", "/api/v1/saved-filters", "/api/v1/advice-questions",
                  "/api/v1/tasks/1/complete", "/api/v1/tasks/1/assign", "/api/v1/instances/1/migrate",
                  "/api/v1/timers/1/execute"]


def test_a_deeply_nested_body_gets_422_in_dutch_on_every_json_endpoint(api):
    af = api("af")
    for path in JSON_ENDPOINTS:
        for levels in (490, 980, 20_000):
            response = post_raw(af.client, path, nested(levels), af._headers())
            assert response.status_code == 422, (path, levels, response.get_data(as_text=True)[:300])
            assert response.json["error"] == {"code": "ongeldige_invoer", "message": TOO_DEEP,
                                              "details": {"body": f"Hoogstens {MAX_JSON_DEPTH} niveaus diep."}}


def test_a_body_at_the_depth_limit_is_still_read(api):
    response = post_raw(api("af").client, "/api/v1/instances", nested(MAX_JSON_DEPTH), api("af")._headers())
    assert response.status_code == 422
    assert response.json["error"]["message"] == "Geef process_id op.", "parsed, then judged on its content"


@pytest.mark.parametrize(("method", "path", "body"), [
    ("post", "/api/v1/tasks/1/assign", "geen json"),
    ("post", "/api/v1/timers/1/execute", "[1, 2"),
    ("get", "/api/v1/process-models/p/migration-plan?to_version=nul", None),
    ("post", "/api/v1/instances", nested(2000)),
    ("post", "/api/v1/saved-filters", "{}"),
])
def test_without_a_token_every_operation_answers_401_before_judging_the_body(client, world, method, path, body):
    response = getattr(client, method)(path, data=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401, response.json
    assert response.json["error"]["code"] == "niet_ingelogd"


def test_the_openapi_document_needs_no_token(client):
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("put", "/api/v1/instances", {"POST"}),
    ("delete", "/api/v1/tasks", {"GET", "HEAD", "OPTIONS"}),
    ("patch", "/api/v1/saved-filters/1", {"DELETE"}),
])
def test_a_wrong_method_gets_405_with_the_allow_header(api, method, path, allowed):
    response = getattr(api("af").client, method)(path, headers=api("af")._headers())
    assert response.status_code == 405
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= allowed
    assert response.json["error"]["code"] == "methode_niet_toegestaan"
