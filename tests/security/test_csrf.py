"""CSRF: every POST of the web UI without a token, and with a wrong one.

Attack: another site makes a logged-in person's browser post a form (or the modeller's JSON fetch) to
each POST route of the UI: once without a CSRF token, once with a token of another session.
Expected refusal: 400 with the Dutch message "Het formulier is verlopen of ongeldig ...", as a page (or
as JSON for the modeller's fetch), and nothing changed: no task completed or claimed, no filter, draft,
minutes, meeting, form, deployment, audit event or access-log entry more or less.

The API is exempt on purpose (bearer tokens only, never cookies): test_matrix.py shows that without a
token it answers 401.
"""

from __future__ import annotations

from tests.support.matrix import (
    CALLS,
    JSON,
    MATRIX,
    VOLATILE,  # noqa: F401
    Call,
    expected,
    fingerprint,  # noqa: F401
)
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


def test_every_ui_post_without_or_with_a_wrong_csrf_token_is_refused_and_changes_nothing(scene):
    """Attack: cross-site POSTs to every UI form. Refusal: 400 in Dutch, nothing changed."""
    foreign = scene.csrf(scene.client(("af", OTHER)))  # a valid token, of someone else's session
    for principal in PRINCIPALS:
        scene.client(principal)  # every login done before the fingerprint
    before = fingerprint(scene)
    problems = []
    routes = [r for r in ui_posts() if r != "POST /uitloggen"] + ["POST /uitloggen"]
    for route in routes:
        principal = allowed_principal(route)
        for token in (None, foreign, "nep-token"):
            response = post(scene, route, principal, token)
            body = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_MESSAGE not in body:
                problems.append(f"{route} as {principal[0]} with token {token and token[:8]!r}: "
                                f"{response.status_code} {body[:120]!r}")
    assert not problems, "\n".join(problems)
    assert fingerprint(scene) == before, "a refused POST changed something"
    assert len(routes) >= 25, "every POST route of the UI is attacked"


def test_the_login_form_itself_refuses_a_post_without_csrf_token(scene):
    """Attack: login CSRF (log the victim into the attacker's account). Refusal: 400, no session."""
    client = scene.app.test_client()
    response = client.post("/inloggen", data={"username": scene.actor(("af", OWN)).username,
                                              "password": "correct-paard-batterij-niet"})
    assert response.status_code == 400 and CSRF_MESSAGE in response.get_data(as_text=True)
    assert client.get("/").status_code == 302, "not logged in"
