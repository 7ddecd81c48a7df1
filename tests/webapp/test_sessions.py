"""Sessions: a new one at every login (no fixation), cookie flags, logout that really ends it, no debug mode."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.debug import DebuggedApplication
from werkzeug.test import Client

from engine.config import ConfigurationError, Settings, load_settings
from engine.db import unit_of_work
from engine.models.users import LoginSession
from tests.support.accounts import log_in_client
from tests.support.base import FIXTURES
from tests.support.web import csrf_of
from webapp import create_app, db

COOKIE = "session"


def cookie(client, name: str = COOKIE) -> str | None:
    found = client.get_cookie(name)
    return found.value if found else None


def set_cookie(response, name: str) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]
    return header


def with_cookie(app: Flask, value: str, name: str = COOKIE):
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def test_login_starts_a_new_session_and_a_planted_cookie_is_worth_nothing(app, client, world, factory):
    csrf_of(client, "/inloggen")
    before = cookie(client)
    assert before is not None, "the login page's CSRF token lives in a session"
    log_in_client(client, "af")
    after = cookie(client)
    assert after != before
    assert with_cookie(app, before).get("/").status_code == 302, "the pre-login (attacker's) cookie stays anonymous"
    assert with_cookie(app, after).get("/").status_code == 200
    client.post("/uitloggen", data={"csrf_token": csrf_of(client, "/")})
    log_in_client(client, "af")
    assert cookie(client) not in (before, after)
    with unit_of_work(factory) as session:
        rows = session.scalars(select(LoginSession).order_by(LoginSession.id)).all()
        assert len({r.sid_hash for r in rows}) == len(rows) >= 1, "every login its own session id"


def test_logout_ends_the_session_on_the_server_so_a_copied_cookie_stops_working(app, client, world, factory):
    log_in_client(client, "politie")
    stolen = cookie(client)
    assert with_cookie(app, stolen).get("/").status_code == 200
    response = client.post("/uitloggen", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 302
    assert with_cookie(app, stolen).get("/").status_code == 302
    with unit_of_work(factory) as session:
        assert all(r.ended_at is not None for r in session.scalars(select(LoginSession)))


def test_the_session_cookie_is_httponly_and_samesite_lax_and_secure_behind_https(db_url, tmp_path, at, world):
    plain = create_app(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="s" * 64,
                                forms_dir=FIXTURES / "forms"), {"TESTING": True, "CLOCK": at})
    secure = create_app(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="s" * 64,
                                 forms_dir=FIXTURES / "forms", secure_cookies=True,
                                 base_url="https://signaalroute.example.nl"), {"TESTING": True, "CLOCK": at})
    try:
        header = set_cookie(plain.test_client().get("/inloggen"), "session")
        assert header and "HttpOnly" in header and "SameSite=Lax" in header
        assert "Secure" not in header
        client = secure.test_client()
        response = client.get("/inloggen", base_url="https://signaalroute.example.nl")
        header = set_cookie(response, "__Host-session")
        assert "; Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header and "Path=/" in header
        assert "Domain" not in header
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        db.dispose(plain)
        db.dispose(secure)


@pytest.mark.parametrize(("env", "expected"), [
    ({}, False),
    ({"SIGNAALROUTE_BASE_URL": "https://signaalroute.gemeente.nl"}, True),
    ({"SIGNAALROUTE_BASE_URL": "https://signaalroute.gemeente.nl", "SIGNAALROUTE_SECURE_COOKIES": "false"}, False),
    ({"SIGNAALROUTE_SECURE_COOKIES": "true"}, True),
])
def test_secure_cookies_default_to_on_when_the_app_is_served_over_https(monkeypatch, env, expected):
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "k" * 64)
    for name in ("BASE_URL", "SECURE_COOKIES"):
        monkeypatch.delenv(f"SIGNAALROUTE_{name}", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert load_settings().secure_cookies is expected


def test_debug_mode_cannot_be_switched_on(db_url, tmp_path, monkeypatch):
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="d" * 64, forms_dir=FIXTURES / "forms")
    monkeypatch.setenv("FLASK_DEBUG", "1")
    with pytest.raises(ConfigurationError, match="debugmodus"):
        create_app(settings)
    monkeypatch.delenv("FLASK_DEBUG")
    with pytest.raises(ConfigurationError, match="debugmodus"):
        create_app(settings, {"DEBUG": True})
    app = create_app(settings)
    try:
        assert app.debug is False
        with pytest.raises(RuntimeError, match="signaalroute webserver"):
            app.run(debug=True)
        assert not any("console" in rule.rule or "debugger" in rule.rule for rule in app.url_map.iter_rules())
        assert app.test_client().get("/console").status_code == 404
        debugged = Client(DebuggedApplication(app, evalex=True))
        refused = debugged.get("/inloggen")
        assert refused.status_code == 500 and "Werkzeug-debugger" in refused.get_data(as_text=True)
    finally:
        db.dispose(app)
