"""Authorization matrix: every route of the UI and the API x every role x own/other organisation.

The table and the calls are in tests/support/matrix.py (every new route gets its row there). Each route
is two tests (the owning organisation; everyone else), so xdist spreads them; all of them read one scene
per worker (``matrix_scene``, built once on a database of its own).
Every request runs in dry-run mode (rolled back after the response), and every
request starts from the principal's session as it was right after logging in: a call cannot change what the
next test sees, whichever worker runs it and in whatever order.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.matrix import CALLS, LAST, MATRIX, call, dry_run, expected, outcome, route_keys
from tests.support.scene import OTHER, OWN, PRINCIPALS, SECRET, SECRET_SUMMARY, Scene, built_scene, scene_database

Principal = tuple[str, str] | None
# The scene (twenty logins, a story over all four regions) is set up inside the first test a worker runs.
pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="session")
def matrix_scene(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[Scene]:
    """The attack scene for the matrix alone (the other attack tests' requests never touch it), built once
    per worker, everyone logged in and with an API token (in dry-run mode both would be rolled back)."""
    root = tmp_path_factory.mktemp("matrix")
    with built_scene(scene_database("sqlite", root, _sqlite_template, "matrix"), root / "instance") as scene:
        for principal in [None, *PRINCIPALS]:
            scene.client(principal)
            if principal is not None:
                scene.token(principal)
        yield scene


def test_every_route_of_the_app_is_classified_in_the_matrix(matrix_scene):
    """Attack: a new route lands without anyone deciding who may call it. Refusal: this test fails."""
    routes = route_keys(matrix_scene.app)
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
    scene = matrix_scene
    problems: list[str] = []
    with dry_run(scene.app):
        for principal in GROUPS[group]:  # scene.client(): a fresh copy of the session of right after login
            response = call(scene, route, principal, lambda p=principal: scene.login_csrf(p))
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
