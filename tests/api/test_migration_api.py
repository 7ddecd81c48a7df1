"""Migration through API v1: the plan, a migration, a refusal with reasons, a revert, and who may."""

from __future__ import annotations

from tests.support.api import upload


def two_cases(api):
    """A case at intake (cannot move to v2) and one at beoordelen (can)."""
    regisseur, af = api("regisseur"), api("af")
    assert upload(regisseur, "migratie_v1.bpmn").status_code == 201
    stuck = af.post("/api/v1/instances", json={"process_id": "migratie"}).json
    movable = af.post("/api/v1/instances", json={"process_id": "migratie"}).json
    af.post(f"/api/v1/tasks/{movable['ready_tasks'][0]['id']}/complete", json={"data": {}})
    assert upload(regisseur, "migratie_v2.bpmn").status_code == 201
    return stuck["id"], movable["id"]


def test_plan_migrate_and_revert_through_the_api(api):
    stuck, movable = two_cases(api)
    regisseur = api("regisseur")
    plan = regisseur.get("/api/v1/process-models/migratie/migration-plan?to_version=2")
    assert plan.status_code == 200
    cases = {c["instance_id"]: c for c in plan.json["cases"]}
    assert cases[stuck]["reasons"] == ["taak 'Intake' bestaat niet in versie 2"]
    assert cases[movable]["eligible"] is True and cases[movable]["ready_tasks"] == ["Beoordelen"]

    refused = regisseur.post(f"/api/v1/instances/{stuck}/migrate", json={"to_version": 2})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "niet_migreerbaar"
    assert refused.json["error"]["details"] == ["taak 'Intake' bestaat niet in versie 2"]

    stale = regisseur.post(f"/api/v1/instances/{movable}/migrate",
                           json={"to_version": 2, "expected_version": cases[movable]["version"] + 1})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "conflict"

    moved = regisseur.post(f"/api/v1/instances/{movable}/migrate",
                           json={"to_version": 2, "expected_version": cases[movable]["version"]})
    assert moved.status_code == 200, moved.json
    assert moved.json["process_version"] == 2
    assert [t["name"] for t in moved.json["ready_tasks"]] == ["Beoordelen (nieuw)"]
    listed = regisseur.get("/api/v1/process-models/migratie/migration-plan?to_version=2").json["revertible"]
    assert [(r["instance_id"], r["possible"], r["to_version"]) for r in listed] == [(movable, True, 1)]

    back = regisseur.post(f"/api/v1/instances/{movable}/revert-migration")
    assert back.status_code == 200
    assert back.json["process_version"] == 1
    again = regisseur.post(f"/api/v1/instances/{movable}/revert-migration")
    assert again.status_code == 409
    history = api("auditor").get(f"/api/v1/instances/{movable}/history").json["items"]
    assert [e["type"] for e in history][-2:] == ["instance.migrated", "instance.migration_reverted"]


def test_only_procesregisseur_and_beheerder_may_migrate_through_the_api(api):
    _, movable = two_cases(api)
    af = api("af")
    assert af.get("/api/v1/process-models/migratie/migration-plan?to_version=2").status_code == 403
    assert af.post(f"/api/v1/instances/{movable}/migrate", json={"to_version": 2}).status_code == 403
    assert api("beheerder").post(f"/api/v1/instances/{movable}/migrate", json={"to_version": 2}).status_code == 200
    assert af.post(f"/api/v1/instances/{movable}/revert-migration").status_code == 403


def test_bad_versions_are_422_and_unknown_versions_404(api):
    _, movable = two_cases(api)
    regisseur = api("regisseur")
    assert regisseur.get("/api/v1/process-models/migratie/migration-plan").status_code == 422
    assert regisseur.get("/api/v1/process-models/migratie/migration-plan?to_version=9").status_code == 404
    assert regisseur.post(f"/api/v1/instances/{movable}/migrate", json={"to_version": "twee"}).status_code == 422
    assert regisseur.post(f"/api/v1/instances/{movable}/migrate", json={"to_version": 9}).status_code == 404
    assert regisseur.post(f"/api/v1/instances/{movable}/migrate", json={"to_version": 1}).status_code == 409
