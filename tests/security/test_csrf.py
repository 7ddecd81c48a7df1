"""CSRF: every POST of the web UI without a token, and with a wrong one.

Attack: another site makes a logged-in person's browser post a form (or the modeller's JSON fetch) to
each POST route of the UI: once without a CSRF token, once with a token of another session.
Expected refusal: 400 with the Dutch message "Het formulier is verlopen of ongeldig ...", as a page (or
as JSON for the modeller's fetch), and nothing changed: no task completed or claimed, no filter, draft,
minutes, meeting, form, deployment, audit event or access-log entry more or less.

The API is exempt on purpose (bearer tokens only, never cookies): test_matrix.py shows that without a
token it answers 401. One test per route, on the shared scene (tests/support/scene.py): each refused POST
must leave it exactly as it was.
"""

from __future__ import annotations

import pytest

from tests.support.matrix import CALLS, JSON, MATRIX, Call, expected, fingerprint
from tests.support.scene import OTHER, OWN, PRINCIPALS, Scene

CSRF_MESSAGE = "Het formulier is verlopen of ongeldig"


def ui_posts() -> list[str]:
    return sorted(r for r in MATRIX if r.startswith("POST ") and not r.split(" ", 1)[1].startswith("/api/"))


def allowed_principal(route: str) -> tuple[str, str]:
    """Someone who may post here, so the refusal is the CSRF check's and not the access check's."""
    for principal in PRINCIPALS:
        if expected(route, principal) == "ok":
            return principal
    return ("af", OWN)


def post(scene: Scene, route: str, principal: tuple[str, str], token: str | None):
    spec = CALLS.get(route, Call(route.split(" ", 1)[1]))
    path = spec.path.format(**scene.ids)
    client = scene.client(principal)
    if spec.kind == JSON:
        headers = {"Accept": "application/json", **({"X-CSRFToken": token} if token else {})}
        return client.post(path, json=spec.body, headers=headers)
    form = dict(spec.body or {})
    if token:
        form["csrf_token"] = token
    return client.post(path, data=form)


UI_POSTS = [r for r in ui_posts() if r != "POST /uitloggen"] + ["POST /uitloggen"]


@pytest.fixture(scope="module")
def foreign_token(shared_scene: Scene) -> str:
    """Everyone logged in to the shared scene (before any fingerprint), and a valid token of another session."""
    for principal in PRINCIPALS:
        shared_scene.client(principal)
    return shared_scene.csrf(shared_scene.client(("af", OTHER)))


# The shared scene is set up inside the first test a worker runs.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("route", UI_POSTS)
def test_a_ui_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(shared_scene, foreign_token,
                                                                                     route):
    """Attack: a cross-site POST to the form. Refusal: 400 in Dutch, nothing changed."""
    scene = shared_scene
    before = fingerprint(scene)
    principal = allowed_principal(route)
    problems = []
    for token in (None, foreign_token, "nep-token"):
        response = post(scene, route, principal, token)
        body = response.get_data(as_text=True)
        if response.status_code != 400 or CSRF_MESSAGE not in body:
            problems.append(f"{route} as {principal[0]} with token {token and token[:8]!r}: "
                            f"{response.status_code} {body[:120]!r}")
    assert not problems, "\n".join(problems)
    assert fingerprint(scene) == before, "a refused POST changed something"


def test_every_post_route_of_the_ui_is_attacked():
    assert len(UI_POSTS) >= 25


@pytest.mark.timeout(600)
def test_the_login_form_itself_refuses_a_post_without_csrf_token(shared_scene):
    """Attack: login CSRF (log the victim into the attacker's account). Refusal: 400, no session."""
    scene = shared_scene
    client = scene.app.test_client()
    response = client.post("/inloggen", data={"username": scene.actor(("af", OWN)).username,
                                              "password": "correct-paard-batterij-niet"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302, "not logged in"
