"""Logging in as the tests' people, second factor included, the way a person with an authenticator app does.

Beheerder, auditor and procesregisseur must have TOTP. The helpers follow whatever the login asks
for: a code from the app (computed here from the stored secret, on the app's test clock), or, the
first time, enrolment — reading the secret off the page, as a person would scan it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pyotp
from flask import Flask

from engine.accounts import two_factor, users
from engine.db import unit_of_work
from tests.support.base import PASSWORD
from webapp import db

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET = re.compile(r'data-testid="totp-geheim">([A-Z2-7]+)<')
# Base URL of each running browser-test server -> its app, so a browser login can compute its code.
SERVERS: dict[str, Flask] = {}


def app_now(app: Flask) -> datetime:
    clock = app.config.get("CLOCK")
    return clock() if clock else datetime.now(UTC)


def code_for_secret(app: Flask, secret: str) -> str:
    return pyotp.TOTP(secret).at(int(app_now(app).timestamp()))


def current_code(app: Flask, username: str) -> str:
    """The code the person's app shows, for a 30-second step the app has not accepted yet.

    A code is accepted once (RFC 6238 section 5.2) and the tests run on a frozen clock: a second login
    of the same person at the same moment uses the next step's code (accepted as "phone clock a little
    ahead"); a third one moves the test clock on by 30 seconds first.
    """
    with app.app_context(), unit_of_work(db.factory()) as session:
        user = users.user_by_username(session, username)
        assert user is not None and user.totp_secret_encrypted is not None, f"{username} has no TOTP"
        secret = two_factor.SecretBox(app.config["SECRET_KEY"]).open(user.totp_secret_encrypted)
        last = user.totp_last_step
    step = int(app_now(app).timestamp()) // two_factor.STEP_SECONDS
    target = step if last is None or last < step else last + 1
    if target > step + two_factor.WINDOW:
        app.config["CLOCK"].advance(seconds=two_factor.STEP_SECONDS * (target - step - two_factor.WINDOW))
    return pyotp.TOTP(secret).generate_otp(target)


def csrf_of(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def second_step(client, response, username: str):
    """After a right password: type the code, or enrol first; returns the last response."""
    app = client.application
    location = response.headers.get("Location", "") if response.status_code == 302 else ""
    if location.startswith("/inloggen/code"):
        return client.post("/inloggen/code", data={"code": current_code(app, username),
                                                   "csrf_token": csrf_of(client, "/inloggen/code")})
    if location.startswith("/account/tweestaps"):
        page = client.get("/account/tweestaps").get_data(as_text=True)
        done = client.post("/account/tweestaps", data={"code": code_for_secret(app, SECRET.search(page).group(1)),
                                                        "csrf_token": CSRF.search(page).group(1)})
        assert done.status_code == 200 and 'data-testid="herstelcodes"' in done.get_data(as_text=True)
        return done
    return response


def log_in_client(client, username: str, password: str = PASSWORD, path: str = "/inloggen"):
    """Log the Flask test client in as ``username`` through the forms; asserts that it worked."""
    response = client.post(path, data={"username": username, "password": password,
                                       "csrf_token": csrf_of(client, path)})
    assert response.status_code == 302, response.get_data(as_text=True)
    final = second_step(client, response, username)
    assert final.status_code in (200, 302), final.get_data(as_text=True)
    if final.status_code == 302:
        assert not final.headers["Location"].startswith(("/inloggen", "/account/tweestaps")), final.headers
    return final
