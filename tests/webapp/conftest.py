from __future__ import annotations

import re

import pytest

from tests.accounts import log_in_client
from tests.api.conftest import api, app, client  # noqa: F401  (same app fixtures for the web shell)
from tests.conftest import PASSWORD
from tests.werkbak_fixtures import handed_over, web  # noqa: F401 - shared werkbak story

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_of(http, path: str) -> str:
    """The CSRF token of the session, read from a page's form as a browser would."""
    return _CSRF.search(http.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def log_in(client, world):  # noqa: F811 - the client fixture imported above
    """``log_in("auditor")``: the test client is now logged in as that person, through the login forms.

    Beheerder, auditor and regisseur enrol in TOTP at their first login and type a code after that.
    """

    def as_user(username: str) -> None:
        client.post("/uitloggen", data={"csrf_token": csrf_of(client, "/inloggen")})
        log_in_client(client, username, PASSWORD)  # with the second factor where the role requires it

    return as_user
