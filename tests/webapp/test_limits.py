"""Rate limits on the login (per account and per IP address) and the size limit on forms, in Dutch."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from sqlalchemy import select

from engine.db import unit_of_work
from engine.models.users import RateLimitBucket
from tests.support.accounts import log_in_client
from tests.support.base import FIXTURES, PASSWORD
from tests.support.web import csrf_of
from webapp import create_app, db

pytestmark = pytest.mark.postgres

ELSEWHERE = {"REMOTE_ADDR": "192.0.2.7"}  # TEST-NET-1: never a real address


@pytest.fixture
def limited(app, at):
    """The test app with small login limits: 3 attempts a minute per account, 5 per IP address."""
    settings = replace(app.extensions["signaalroute.settings"], login_per_minute_account=3, login_per_minute_ip=5)
    limited_app = create_app(settings, {"TESTING": True, "CLOCK": at})
    yield limited_app
    db.dispose(limited_app)


def attempt(client, username: str, password: str = "fout-wachtwoord-1", environ=None):
    return client.post("/inloggen", data={"username": username, "password": password,
                                          "csrf_token": csrf_of(client, "/inloggen")}, environ_base=environ or {})


def test_one_account_gets_three_attempts_a_minute_then_a_dutch_429_with_retry_after(limited, world, at):
    client = limited.test_client()
    for _ in range(3):
        assert attempt(client, "af").status_code == 401
    refused = attempt(client, "af", PASSWORD)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    assert "Te veel inlogpogingen" in refused.get_data(as_text=True)
    assert "over 20 seconden" in refused.get_data(as_text=True)
    assert attempt(limited.test_client(), "af", PASSWORD, ELSEWHERE).status_code == 429, "per account, any address"
    assert attempt(client, "politie", PASSWORD).status_code == 302, "other accounts are not affected"
    at.advance(seconds=20)
    assert attempt(client, "af", PASSWORD).status_code == 302, "a token is back after 20 seconds"


def test_unknown_usernames_are_limited_the_same_way(limited, world):
    client = limited.test_client()
    statuses = [attempt(client, "bestaat-niet").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429], "no difference that would tell which accounts exist"


def test_one_address_gets_five_attempts_a_minute_whatever_the_username(limited, world):
    client = limited.test_client()
    for name in ("a1", "a2", "a3", "a4", "a5"):
        assert attempt(client, name).status_code == 401
    assert attempt(client, "af", PASSWORD).status_code == 429
    assert attempt(limited.test_client(), "af", PASSWORD, ELSEWHERE).status_code == 302, "per address"


def test_the_code_step_spends_from_the_same_account_bucket(limited, world, at):
    client = limited.test_client()
    log_in_client(client, "auditor")  # 1 attempt (password) + enrolment, which is not a login attempt
    client.post("/uitloggen", data={"csrf_token": csrf_of(client, "/account")})
    assert attempt(client, "auditor", PASSWORD).headers["Location"] == "/inloggen/code"  # 2
    wrong = client.post("/inloggen/code", data={"code": "000000", "csrf_token": csrf_of(client, "/inloggen/code")})
    assert wrong.status_code == 401  # 3
    again = client.post("/inloggen/code", data={"code": "000000", "csrf_token": csrf_of(client, "/inloggen/code")})
    assert again.status_code == 429 and again.headers["Retry-After"]


def test_the_bucket_table_holds_no_usernames_or_addresses(limited, world, factory):
    attempt(limited.test_client(), "af")
    with unit_of_work(factory) as session:
        keys = session.scalars(select(RateLimitBucket.key)).all()
    assert sorted(k.split(":")[0] for k in keys) == ["login-account", "login-ip"]
    assert all(re.fullmatch(r"login-[a-z]+:[0-9a-f]{40}", k) for k in keys), "keyed hashes only"


def test_a_form_over_the_size_limit_gets_a_dutch_413_page(db_url, tmp_path, at, world):
    from engine.config import Settings

    small = create_app(Settings(instance_dir=tmp_path, database_url=db_url, secret_key="z" * 64,
                                forms_dir=FIXTURES / "forms"), {"TESTING": True, "CLOCK": at,
                                                                "MAX_CONTENT_LENGTH": 64 * 1024})
    try:
        client = small.test_client()
        response = client.post("/inloggen", data={"username": "af", "password": "x" * (100 * 1024),
                                                  "csrf_token": csrf_of(client, "/inloggen")})
        assert response.status_code == 413
        assert response.mimetype == "text/html"
        assert "Het verzoek is te groot." in response.get_data(as_text=True)
    finally:
        db.dispose(small)
