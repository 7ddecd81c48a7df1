"""IDOR: ids of another gemeente or region, and ids that do not exist, in every URL that takes an id.

test_matrix.py already sends every role of the *other* side to the own side's ids. This file adds the
other direction (the own side's people at Eersel's case, task and saved filter) and the existence
oracle: a hidden object and a missing one must be indistinguishable.

Attack: change the number in the URL to a case, task or saved filter of another gemeente, and compare
the answer with the one for a number that does not exist.
Expected refusal: 403 (UI) or 404 (API, and saved filters), the same status and the same body for a
hidden and a missing id, no content of the hidden object, and nothing changed.
"""

from __future__ import annotations

import re

from engine.cases import saved_filters, worklist
from engine.db import unit_of_work
from tests.support.matrix import dry_run, fingerprint
from tests.support.scene import OTHER, OWN, Scene

MISSING = 987654
ROUTES = [
    ("GET", "/zaken/{id}", "case"), ("GET", "/taken/{id}", "task"), ("POST", "/taken/{id}", "task"),
    ("POST", "/taken/{id}/oppakken", "task"), ("POST", "/taken/{id}/teruggeven", "task"),
    ("GET", "/melden/{id}", "case"),
    ("GET", "/api/v1/instances/{id}", "case"), ("GET", "/api/v1/instances/{id}/history", "case"),
    ("POST", "/zaken/{id}/notities", "case"), ("GET", "/api/v1/instances/{id}/notes", "case"),
    ("GET", "/api/v1/tasks/{id}", "task"), ("POST", "/api/v1/tasks/{id}/complete", "task"),
    ("POST", "/api/v1/tasks/{id}/claim", "task"), ("POST", "/api/v1/tasks/{id}/release", "task"),
    ("POST", "/api/v1/tasks/{id}/assign", "task"),
    ("POST", "/werkbak/filters/{id}/verwijderen", "filter"), ("DELETE", "/api/v1/saved-filters/{id}", "filter"),
]
ATTACKERS = [("af", OWN), ("politie", OWN), ("zorgcoordinator", OWN), ("melder", OWN), ("af", OTHER)]


def request(scene: Scene, who, method: str, path: str):
    if path.startswith("/api/"):
        body = {"data": {}, "username": scene.actor(who).username} if method == "POST" else None
        return scene.client(None).open(path, method=method, json=body, headers=scene.api_headers(who))
    client = scene.client(who)
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": scene.csrf(client), "actie": ""})


def normalised(body: str, path: str) -> str:
    """The answer without the requested path (a login link may carry it) and the session's CSRF token."""
    return re.sub(r'name="csrf_token"[^>]*>', "", body.replace(path, "PATH"))


def test_hidden_and_missing_ids_get_the_same_refusal_and_nothing_leaks(scene):
    """Attack: other gemeenten' and invented ids in every id-taking URL. Refusal: same 403/404 for both."""
    with unit_of_work(scene.chain.factory) as session:  # a saved filter of AF Eersel
        foreign_filter = saved_filters.save_filter(
            session, actor=scene.actor(("af", OTHER)), now=scene.chain.at(), name="Eersel CU",
            query=worklist.query_from_params({"vorm": "CU"})).id
    hidden_of = {
        ("af", OWN): {"case": scene.ids["other_case"], "task": scene.ids["other_task"], "filter": foreign_filter},
        ("af", OTHER): {"case": scene.ids["case"], "task": scene.ids["task"], "filter": scene.ids["filter"]},
    }
    for who in ATTACKERS:  # logins and API tokens exist before the fingerprint
        scene.client(who)
        scene.token(who)
    before = fingerprint(scene)
    problems = []
    for who in ATTACKERS:
        targets = hidden_of.get(who, hidden_of[("af", OWN)])
        for method, template, kind in ROUTES:
            hidden_id = targets[kind]
            hidden_path, missing_path = template.format(id=hidden_id), template.format(id=MISSING)
            with dry_run(scene.app):
                hidden = request(scene, who, method, hidden_path)
                missing = request(scene, who, method, missing_path)
            label = f"{method} {template} ({kind}) as {who[0]} ({who[1]})"
            if hidden.status_code not in (403, 404):
                problems.append(f"{label}: hidden id answered {hidden.status_code}")
            if hidden.status_code != missing.status_code:
                problems.append(f"{label}: hidden {hidden.status_code} but missing {missing.status_code}")
            elif (normalised(hidden.get_data(as_text=True), hidden_path)
                  != normalised(missing.get_data(as_text=True), missing_path)):
                problems.append(f"{label}: the answers for a hidden and a missing id differ")
            if "Signaal uit Eersel" in hidden.get_data(as_text=True):
                problems.append(f"{label}: the hidden case's content is in the answer")
    assert not problems, "\n".join(problems)
    assert fingerprint(scene) == before
