"""An idle session ends after the configured minutes; logging in again returns to the page asked for."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from itsdangerous.timed import TimestampSigner

from tests.support.base import PASSWORD
from tests.support.web import csrf_of


@pytest.fixture
def wall_clock(monkeypatch):
    """Flask signs the session cookie with the wall-clock time; the test moves that clock, not the app's."""
    now = [time.time()]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now[0]))
    return now


def test_an_idle_session_lands_on_login_with_next_and_login_returns_there(app, client, log_in, wall_clock):
    idle = app.extensions["signaalroute.settings"].session_idle_minutes
    assert idle == 30, "30 minutes idle, as README.md documents"
    page = "/?tab=team&vorm=SU"
    log_in("af")
    assert client.get(page).status_code == 200
    wall_clock[0] += (idle - 1) * 60
    assert client.get(page).status_code == 200, "activity within the limit keeps the session alive"
    wall_clock[0] += (idle - 1) * 60
    assert client.get(page).status_code == 200, "the limit counts from the last request, not from login"
    wall_clock[0] += (idle + 1) * 60
    expired = client.get(page)
    assert expired.status_code == 302
    login = expired.headers["Location"]
    assert login == "/inloggen?next=" + quote(page, safe="")
    back = client.post(login, data={"username": "af", "password": PASSWORD, "csrf_token": csrf_of(client, login)})
    assert back.status_code == 302
    assert back.headers["Location"] == page
    assert client.get(page).status_code == 200
