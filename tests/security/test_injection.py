"""SQL metacharacters (and other odd input) in every filter, search and query parameter.

Attack: a logged-in user puts quotes, comments, ``UNION SELECT``, stacked statements, ``pg_sleep``,
LIKE wildcards, NUL bytes, odd digits and 2**64 into every parameter of the werkbak (and the same
query on the API), the auditor's history filter and case list, the statistics year, the outbox
filter, the modeller's version comparison, the migration target and the replay step.
Expected refusal: never a 5xx; a filter either matches nothing or is refused with a Dutch message
(422/400/404); never more rows than the person sees without a filter; every table still there.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.db import unit_of_work
from engine.models import Case
from tests.support.matrix import dry_run
from tests.support.scene import OWN, Scene

pytestmark = pytest.mark.timeout(600)  # the shared scene of each backend is set up inside the first test a worker runs


@pytest.fixture
def scene(shared_scene_of_each_backend: Scene) -> Scene:
    """Every request here is a GET in dry-run mode: the shared scene of each backend (NUL, huge numbers)."""
    return shared_scene_of_each_backend

PAYLOADS = [
    "' OR '1'='1", "' OR 1=1 --", '" OR ""="', "1; DROP TABLE instance; --", "%", "%' OR '%'='",
    "_", "\\", "1' UNION SELECT password_hash FROM user_account --", "'; SELECT pg_sleep(5); --",
    "SR-2026-00001' OR '1'='1", "\x00", "a\x00b", "١٢", "-1", "0", "99999999999999999999999", "1e308",
    "NaN", "[]", "{}", "ʼ OR 1=1", "<script>",
]
WERKBAK_PARAMS = ["tab", "vorm", "status", "zaakstatus", "gemeente", "termijn", "werkdagen", "proces", "sorteer",
                  "kenmerk", "instance_id", "pagina", "per_pagina"]

# (who, path, parameters): every other page with query parameters.
OTHER_FILTERS = [
    (("auditor", OWN), "/audit/zaken/{case}", ["type", "persoon"]),
    (("auditor", OWN), "/audit/zaken", ["pagina"]),
    (("auditor", OWN), "/audit/zaken/{case}/afspelen", ["stap"]),
    (("ketenregisseur", OWN), "/statistiek", ["jaar"]),
    (("ketenregisseur", OWN), "/dashboard", ["jaar", "indeling"]),
    (("ketenregisseur", OWN), "/dashboard/tabel/vorm-per-maand.csv", ["jaar", "indeling"]),
    (("ketenregisseur", OWN), "/dashboard/comensha.csv", ["jaar"]),
    (("beheerder", OWN), "/beheer/post", ["stand", "pagina"]),
    (("procesregisseur", OWN), "/modelleren/{process}/verschil", ["van", "naar"]),
    (("procesregisseur", OWN), "/modelleren/{process}/migratie", ["naar"]),
    (("procesregisseur", OWN), "/api/v1/process-models/{process}/migration-plan", ["to_version"]),
]


def instances(scene: Scene) -> int:
    with unit_of_work(scene.chain.factory) as session:
        return session.scalar(select(func.count(Case.id))) or 0


def get(scene: Scene, who, path: str, params: dict[str, str]):
    if path.startswith("/api/"):
        return scene.client(None).get(path, query_string=params, headers=scene.api_headers(who))
    return scene.client(who).get(path, query_string=params)


@pytest.mark.parametrize("who", [("af", OWN), ("politie", OWN)])
def test_werkbak_and_task_api_filters_never_fail_and_never_widen(scene, who):
    """Attack: metacharacters in every werkbak parameter, on the page and on GET /api/v1/tasks.
    Refusal: no 5xx, never a task the person does not see without a filter."""
    baseline = scene.client(None).get("/api/v1/tasks", headers=scene.api_headers(who)).get_json()
    visible = {item["id"] for item in baseline["items"]}
    before = instances(scene)
    problems = []
    with dry_run(scene.app):
        for param in WERKBAK_PARAMS:
            for payload in PAYLOADS:
                page = get(scene, who, "/", {param: payload})
                api = get(scene, who, "/api/v1/tasks", {param: payload})
                for where, response in (("/", page), ("/api/v1/tasks", api)):
                    if response.status_code >= 500:
                        problems.append(f"{where}?{param}={payload!r}: {response.status_code}")
                if api.status_code == 200:
                    found = {item["id"] for item in api.get_json()["items"]}
                    if not found <= visible or api.get_json()["total"] > baseline["total"]:
                        problems.append(f"/api/v1/tasks?{param}={payload!r}: extra rows {sorted(found - visible)}")
                if page.status_code == 200 and page.get_data(as_text=True).count("<tr>") > len(visible) + 1:
                    problems.append(f"/?{param}={payload!r}: more rows than without a filter")
    assert not problems, "\n".join(problems)
    assert instances(scene) == before, "the cases are all still there"


def test_audit_statistics_outbox_and_modeller_parameters_never_fail(scene):
    """Attack: metacharacters in every other query parameter. Refusal: no 5xx, nothing changed."""
    before = instances(scene)
    problems = []
    with dry_run(scene.app):
        for who, path, params in OTHER_FILTERS:
            for param in params:
                for payload in PAYLOADS:
                    response = get(scene, who, path.format(**scene.ids), {param: payload})
                    if response.status_code >= 500:
                        problems.append(f"{path}?{param}={payload!r}: {response.status_code}")
    assert not problems, "\n".join(problems)
    assert instances(scene) == before


def test_a_superscript_digit_in_a_number_parameter_is_refused_not_a_server_error(scene):
    """Attack: ``²`` where a number is expected. Refusal: 422 with a Dutch message, not 500."""
    who = ("procesregisseur", OWN)
    with dry_run(scene.app):
        statuses = [get(scene, who, "/api/v1/tasks", {param: "²"}).status_code
                    for param in ("werkdagen", "pagina", "per_pagina", "instance_id")]
        statuses.append(get(scene, who, "/api/v1/process-models/{process}/migration-plan".format(**scene.ids),
                            {"to_version": "²"}).status_code)
    assert all(status < 500 for status in statuses), statuses
