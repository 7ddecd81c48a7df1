"""TOTP two-factor login: mandatory enrolment for beheerder, auditor and procesregisseur, optional for others."""

from __future__ import annotations

import logging
import re

import pyotp
import pytest
from sqlalchemy import select

from engine.accounts import users
from engine.db import unit_of_work
from engine.models import AuditEvent
from engine.models.users import RecoveryCode
from tests.support.accounts import CSRF, SECRET, code_for_secret, current_code, log_in_client
from tests.support.base import PASSWORD
from tests.support.web import csrf_of

CODES = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")


def password(client, username: str, next_path: str = ""):
    path = "/inloggen" + (f"?next={next_path}" if next_path else "")
    return client.post(path, data={"username": username, "password": PASSWORD, "csrf_token": csrf_of(client, path)})


def enrol(client, app) -> tuple[str, list[str]]:
    """Finish a pending enrolment; returns the secret and the recovery codes shown."""
    page = client.get("/account/tweestaps").get_data(as_text=True)
    secret = SECRET.search(page).group(1)
    done = client.post("/account/tweestaps", data={"code": code_for_secret(app, secret),
                                                   "csrf_token": CSRF.search(page).group(1)})
    assert done.status_code == 200
    return secret, CODES.findall(done.get_data(as_text=True))


def log_out(client) -> None:
    client.post("/uitloggen", data={"csrf_token": csrf_of(client, "/inloggen")})


def type_code(client, code: str):
    return client.post("/inloggen/code", data={"code": code, "csrf_token": csrf_of(client, "/inloggen/code")})


@pytest.mark.parametrize("username", ["beheerder", "auditor", "regisseur"])
def test_a_privileged_role_without_totp_is_sent_to_enrolment_and_can_do_nothing_else(client, app, world, username):
    response = password(client, username, "/beheer/rechten")
    assert response.status_code == 302 and response.headers["Location"] == "/account/tweestaps"
    for path in ("/", "/account", "/beheer/rechten", "/beheer/post", "/audit/controle", "/modelleren/"):
        refused = client.get(path)
        assert refused.status_code == 302 and refused.headers["Location"].startswith("/inloggen"), path
    page = client.get("/account/tweestaps").get_data(as_text=True)
    assert "verplicht" in page
    secret = SECRET.search(page).group(1)
    assert f"otpauth://totp/Signaalroute:{username}?secret={secret}" in page
    assert 'src="data:image/svg+xml' in page, "the QR code is an image, no script"
    wrong = client.post("/account/tweestaps", data={"code": "000000", "csrf_token": CSRF.search(page).group(1)})
    assert wrong.status_code == 422 and "Deze code klopt niet" in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302, "a wrong code enrols nothing"
    again = client.get("/account/tweestaps").get_data(as_text=True)
    assert SECRET.search(again).group(1) == secret, "the same secret until confirmed"
    done = client.post("/account/tweestaps", data={"code": code_for_secret(app, secret),
                                                   "csrf_token": CSRF.search(again).group(1)})
    codes = CODES.findall(done.get_data(as_text=True))
    assert done.status_code == 200 and len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/beheer/rechten"' in done.get_data(as_text=True), "then on to where the login was going"
    assert client.get("/account").status_code == 200
    assert secret not in client.get("/account").get_data(as_text=True), "the secret is never shown again"


def test_after_enrolment_the_login_asks_for_a_code_and_a_code_works_only_once(client, app, world, at):
    password(client, "auditor")
    secret, _ = enrol(client, app)
    log_out(client)
    response = password(client, "auditor", "/account")
    assert response.headers["Location"] == "/inloggen/code"
    assert client.get("/account").status_code == 302, "the password alone logs nobody in"
    wrong = type_code(client, "123456")
    assert wrong.status_code == 401 and "De code is onjuist of verlopen." in wrong.get_data(as_text=True)
    at.advance(seconds=60)
    code = pyotp.TOTP(secret).at(int(at().timestamp()))
    right = type_code(client, code)
    assert right.status_code == 302 and right.headers["Location"] == "/account"
    log_out(client)
    password(client, "auditor")
    replayed = type_code(client, code)
    assert replayed.status_code == 401, "the same code twice is refused (RFC 6238, 5.2)"
    assert type_code(client, current_code(app, "auditor")).status_code == 302


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, app, world, at):
    password(client, "regisseur")
    enrol(client, app)
    log_out(client)
    password(client, "regisseur")
    for _ in range(4):
        assert type_code(client, "000000").status_code == 401
    locked = type_code(client, "000000")
    assert "tijdelijk geblokkeerd" in locked.get_data(as_text=True)
    assert client.get("/inloggen/code").status_code == 302, "the half-done login is gone"
    refused = password(client, "regisseur")
    assert refused.status_code == 401 and "tijdelijk geblokkeerd" in refused.get_data(as_text=True)
    at.advance(minutes=16)
    assert password(client, "regisseur").headers["Location"] == "/inloggen/code"


def test_a_recovery_code_logs_in_once(client, app, world):
    password(client, "beheerder")
    _, codes = enrol(client, app)
    log_out(client)
    password(client, "beheerder")
    used = type_code(client, codes[3].upper().replace("-", " "))
    assert used.status_code == 302
    assert "u heeft er nog 9" in client.get(used.headers["Location"], follow_redirects=True).get_data(as_text=True)
    log_out(client)
    password(client, "beheerder")
    assert type_code(client, codes[3]).status_code == 401, "spent"
    assert type_code(client, codes[4]).status_code == 302
    with unit_of_work(client.application.extensions["signaalroute.sessions"]) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "recovery_code.used")).all()
        assert [e.payload["remaining"] for e in events] == [9, 8]


def test_secrets_and_codes_are_stored_encrypted_or_hashed_and_never_logged(client, app, world, factory):
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger().addHandler(handler)
    try:
        password(client, "auditor")
        secret, codes = enrol(client, app)
        log_out(client)
        password(client, "auditor")
        type_code(client, "999999")
        type_code(client, current_code(app, "auditor"))
    finally:
        logging.getLogger().removeHandler(handler)
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in records)
    assert secret not in logged and not any(code in logged for code in codes)
    with unit_of_work(factory) as session:
        user = users.user_by_username(session, "auditor")
        assert user.totp_secret_encrypted and secret not in user.totp_secret_encrypted
        stored = [row.code_hash for row in session.scalars(select(RecoveryCode))]
        assert len(stored) == 10 and all(h.startswith("$argon2") for h in stored)
        assert not any(code.replace("-", "") in h for code in codes for h in stored)
        enabled = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "two_factor.enabled")).one()
        assert enabled.payload == {"user_id": user.id}


def test_totp_is_optional_for_an_af_who_can_turn_it_on_and_off(client, app, world):
    log_in_client(client, "af")
    assert client.get("/").status_code == 200, "no second factor needed"
    assert "uit" in client.get("/account").get_data(as_text=True)
    client.get("/account/tweestaps")
    secret, codes = enrol(client, app)
    assert len(codes) == 10
    log_out(client)
    assert password(client, "af").headers["Location"] == "/inloggen/code"
    type_code(client, current_code(app, "af"))
    off = client.post("/account/tweestaps/uit", data={"code": current_code(app, "af"),
                                                       "csrf_token": csrf_of(client, "/account")})
    assert off.status_code == 302
    log_out(client)
    assert password(client, "af").headers["Location"] == "/", "straight in again"


def test_mandatory_roles_cannot_turn_it_off_but_can_renew_their_recovery_codes(client, app, world):
    password(client, "regisseur")
    _, first = enrol(client, app)
    page = client.get("/account").get_data(as_text=True)
    assert "uitzetten" not in page
    refused = client.post("/account/tweestaps/uit", data={"code": current_code(app, "regisseur"),
                                                           "csrf_token": csrf_of(client, "/account")})
    assert refused.status_code == 403
    renewed = client.post("/account/herstelcodes", data={"code": current_code(app, "regisseur"),
                                                          "csrf_token": csrf_of(client, "/account")})
    fresh = CODES.findall(renewed.get_data(as_text=True))
    assert renewed.status_code == 200 and len(fresh) == 10 and not set(fresh) & set(first)
    log_out(client)
    password(client, "regisseur")
    assert type_code(client, first[0]).status_code == 401, "the old codes stopped working"
    assert type_code(client, fresh[0]).status_code == 302


def test_a_half_done_login_expires_after_ten_minutes(client, app, world, at):
    password(client, "beheerder")
    at.advance(minutes=11)
    assert client.get("/account/tweestaps").headers["Location"] == "/inloggen"


def test_guessing_codes_on_the_account_page_locks_the_account_too(client, app, world):
    password(client, "beheerder")
    _, first = enrol(client, app)
    for _ in range(5):
        guess = client.post("/account/herstelcodes", data={"code": "000000", "csrf_token": csrf_of(client, "/account")})
        assert guess.status_code == 422
    locked = client.post("/account/herstelcodes", data={"code": current_code(app, "beheerder"),
                                                         "csrf_token": csrf_of(client, "/account")})
    assert "tijdelijk geblokkeerd" in locked.get_data(as_text=True)
    assert not CODES.findall(locked.get_data(as_text=True)), "no new recovery codes for a guesser"
