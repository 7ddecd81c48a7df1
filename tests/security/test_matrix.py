"""Authorization matrix: every route of the UI and the API x every role x own/other organisation.

The table and the calls are in tests/support/matrix.py (every new route gets its row there). Each route
is two tests (the owning organisation; everyone else), so xdist spreads them; all of them read one scene
per worker (``shared_scene``, built once on a database of its own).
Every request runs in dry-run mode (rolled back after the response), and every
cell starts from the principal's session as it was right after logging in: a call cannot change what the
next test sees, whichever worker runs it and in whatever order.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from tests.support.matrix import CALLS, LAST, MATRIX, call, dry_run, expected, outcome, route_keys
from tests.support.scene import OTHER, OWN, PRINCIPALS, SECRET, SECRET_SUMMARY, Scene

Principal = tuple[str, str] | None
# The scene (twenty logins, a story over all four regions) is set up inside the first test a worker runs.
pytestmark = pytest.mark.timeout(600)


@dataclass
class Sessions:
    """Each principal's cookies and CSRF token right after logging in, to start every cell from."""

    scene: Scene
    cookies: dict[Principal, dict]
    tokens: dict[Principal, str]

    def client(self, principal: Principal) -> FlaskClient:
        client = self.scene.app.test_client()
        client._cookies = dict(self.cookies[principal])  # a copy: this cell's responses stay in this client
        return client


@pytest.fixture(scope="session")
def matrix_scene(shared_scene: Scene) -> Sessions:
    """Everyone logged in to the shared scene once per worker (a login in dry-run mode would be rolled back)."""
    cookies: dict[Principal, dict] = {}
    tokens: dict[Principal, str] = {}
    for principal in [None, *PRINCIPALS]:
        client = shared_scene.client(principal)
        tokens[principal] = shared_scene.csrf(client)
        cookies[principal] = dict(client._cookies)
        if principal is not None:
            shared_scene.token(principal)  # the API tokens too, for the same reason
    return Sessions(shared_scene, cookies, tokens)


def test_every_route_of_the_app_is_classified_in_the_matrix(matrix_scene):
    """Attack: a new route lands without anyone deciding who may call it. Refusal: this test fails."""
    routes = route_keys(matrix_scene.scene.app)
    missing = sorted(routes - set(MATRIX))
    stale = sorted(set(MATRIX) - routes)
    assert not missing, "routes without a row in tests/support/matrix.py MATRIX:\n" + "\n".join(missing)
    assert not stale, "rows in MATRIX for routes that no longer exist:\n" + "\n".join(stale)
    assert set(CALLS) <= set(MATRIX)


# Who calls: the owning organisation's people, or everyone else (the other side and the outsider).
GROUPS: dict[str, list[Principal]] = {"own": [p for p in PRINCIPALS if p[1] == OWN],
                                      "elsewhere": [None, *(p for p in PRINCIPALS if p[1] == OTHER)]}


@pytest.mark.parametrize("group", GROUPS)
@pytest.mark.parametrize("route", sorted(MATRIX, key=lambda r: (r == LAST, r)))
def test_every_role_gets_exactly_the_matrix_outcome_on_this_route(matrix_scene, route, group):
    """Attack: every role, in the owning organisation (``own``) or in another gemeente or region, and an
    outsider (``elsewhere``), calls the route with real ids. Refusal: 403/404/401 or the login page wherever
    ``MATRIX`` says so, zero unexpected allows, and no refusal carries the case's content."""
    sessions = matrix_scene
    problems: list[str] = []
    api = route.split(" ", 1)[1].startswith("/api/")
    with dry_run(sessions.scene.app):
        for principal in GROUPS[group]:
            client = sessions.client(None if api else principal)
            response = call(sessions.scene, route, principal, lambda p=principal: sessions.tokens[p], client=client)
            got, want = outcome(response), expected(route, principal)
            who = "anoniem" if principal is None else f"{principal[0]} ({principal[1]})"
            if got != want:
                kind = "UNEXPECTED ALLOW" if got == "ok" else "mismatch"
                problems.append(f"{kind}: {route} as {who}: got {got} ({response.status_code}), want {want}")
            if want != "ok":
                body = response.get_data(as_text=True)
                if SECRET in body or SECRET_SUMMARY in body:
                    problems.append(f"LEAK: {route} as {who} refused with {response.status_code} "
                                    "but the body carries case content")
    assert not problems, "\n".join(problems)


def test_the_groups_cover_every_principal_once():
    called = [p for members in GROUPS.values() for p in members]
    assert sorted(called, key=str) == sorted([None, *PRINCIPALS], key=str)
