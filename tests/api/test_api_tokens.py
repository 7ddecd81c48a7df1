"""Personal API tokens end, can be revoked, and cannot get a privileged role around its second factor.

Attack: a beheerder, auditor or procesregisseur uses a bearer token so that a stolen password alone
(or a token found in a script) opens everything without the authenticator app. Expected refusal:
no token without a current app code, at most 30 days, dead after a 2FA reset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from sqlalchemy import select

from engine.accounts import access_review, api_tokens, two_factor, users
from engine.accounts.actors import Actor
from engine.db import unit_of_work
from engine.errors import NotFound, ValidationFailed
from engine.models import AuditEvent
from tests.support.cli import run
from tests.support.tokens import issue_token, unspent_code

SYSTEM = Actor.system("test")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_works_until_its_last_day_and_not_a_second_longer(client, factory, world, at):
    token = issue_token(factory, username="af", now=at(), secret_key=client.application.config["SECRET_KEY"],
                        days=7)
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    at.advance(days=7, seconds=-1)
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200
    at.advance(seconds=1)
    expired = client.get("/api/v1/tasks", headers=bearer(token))
    assert expired.status_code == 401 and expired.get_json()["error"]["message"].startswith("Het API-token is")


def test_a_partner_token_defaults_to_90_days_and_may_not_exceed_a_year(factory, world, at):
    with unit_of_work(factory) as session:
        api_tokens.issue(session, actor=SYSTEM, now=at(), username="politie")
        [info] = api_tokens.list_tokens(session, username="politie")
        assert info.expires_at - info.created_at == timedelta(days=90)
        with pytest.raises(ValidationFailed, match="1 tot en met 365 dagen"):
            api_tokens.issue(session, actor=SYSTEM, now=at(), username="politie", days=366)
        with pytest.raises(ValidationFailed, match="1 tot en met 365 dagen"):
            api_tokens.issue(session, actor=SYSTEM, now=at(), username="politie", days=0)


@pytest.mark.parametrize("username", ["beheerder", "auditor", "regisseur"])
def test_a_privileged_role_gets_no_token_without_a_second_factor(client, factory, world, at, username):
    box = two_factor.SecretBox(client.application.config["SECRET_KEY"])
    with unit_of_work(factory) as session:
        with pytest.raises(ValidationFailed, match="eerst inloggen en de authenticator-app instellen"):
            api_tokens.issue(session, actor=SYSTEM, now=at(), username=username, code="123456", box=box)
    secret = two_factor.new_secret()
    with unit_of_work(factory) as session:
        user = users.user_by_username(session, username)
        two_factor.enable(session, actor=SYSTEM, now=at(), user=user, secret=secret,
                          code=pyotp.TOTP(secret).at(int(at().timestamp())), box=box)
    for wrong in (None, "000000", pyotp.TOTP(secret).at(int(at().timestamp()))):  # the last one is spent
        with unit_of_work(factory) as session:
            with pytest.raises(ValidationFailed, match="zes cijfers"):
                api_tokens.issue(session, actor=SYSTEM, now=at(), username=username, code=wrong, box=box)
    with unit_of_work(factory) as session:
        remaining = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "token.created")).all()
        assert remaining == [], "nothing was issued"
        user = users.user_by_username(session, username)
        code = unspent_code(secret, user.totp_last_step, at())
        with pytest.raises(ValidationFailed, match="1 tot en met 30 dagen"):
            api_tokens.issue(session, actor=SYSTEM, now=at(), username=username, code=code, box=box, days=31)
    with unit_of_work(factory) as session:
        token = api_tokens.issue(session, actor=SYSTEM, now=at(), username=username, code=code, box=box)
        [info] = api_tokens.list_tokens(session, username=username)
        assert info.expires_at - info.created_at == timedelta(days=30)
    assert client.get("/api/v1/tasks", headers=bearer(token)).status_code == 200


def test_a_second_factor_reset_or_a_revocation_stops_the_token_at_once(client, factory, world, at):
    key = client.application.config["SECRET_KEY"]
    beheer = issue_token(factory, username="beheerder", now=at(), secret_key=key)
    partner = issue_token(factory, username="politie", now=at(), secret_key=key)
    assert client.get("/api/v1/tasks", headers=bearer(beheer)).status_code == 200
    with unit_of_work(factory) as session:
        two_factor.reset(session, actor=SYSTEM, now=at(), username="beheerder")
    assert client.get("/api/v1/tasks", headers=bearer(beheer)).status_code == 401
    with unit_of_work(factory) as session:
        [info] = api_tokens.list_tokens(session, username="politie")
        assert api_tokens.revoke(session, actor=SYSTEM, now=at(), username="politie", token_id=info.id) == 1
        with pytest.raises(NotFound, match="Geen geldig API-token"):
            api_tokens.revoke(session, actor=SYSTEM, now=at(), username="politie", token_id=info.id)
        reasons = [event.payload["reason"] for event in session.scalars(
            select(AuditEvent).where(AuditEvent.event_type == "token.revoked").order_by(AuditEvent.id))]
        assert reasons == ["tweestapsverificatie hersteld", "ingetrokken"]
    assert client.get("/api/v1/tasks", headers=bearer(partner)).status_code == 401


def test_the_access_review_counts_only_tokens_that_still_work(client, factory, world, at):
    key = client.application.config["SECRET_KEY"]
    issue_token(factory, username="politie", now=at(), secret_key=key, days=1)
    issue_token(factory, username="politie", now=at(), secret_key=key, days=30)
    at.advance(days=2)
    with unit_of_work(factory) as session:
        rows = {row.username: row for row in access_review.access_review(session, actor=world.beheerder, now=at())}
    assert rows["politie"].api_tokens == 1


def test_the_operator_needs_the_person_and_their_app_for_a_privileged_token(
        cli_env, db_url, factory, world):  # noqa: F811 - fixture imported above
    assert run("initialiseren").exit_code == 0
    key = (cli_env / "secret_key").read_text()
    partner = run("tokens", "aanmaken", "--gebruikersnaam", "politie", "--label", "koppeling", "--dagen", "10")
    assert partner.exit_code == 0 and partner.output.strip().startswith("sr_")
    refused = run("tokens", "aanmaken", "--gebruikersnaam", "beheerder", input="123456\n")
    assert refused.exit_code != 0 and "authenticator-app instellen" in refused.output
    secret = two_factor.new_secret()
    now = datetime.now(UTC)
    with unit_of_work(factory) as session:
        two_factor.enable(session, actor=SYSTEM, now=now, user=users.user_by_username(session, "beheerder"),
                          secret=secret, code=pyotp.TOTP(secret).at(int(now.timestamp())),
                          box=two_factor.SecretBox(key))
    wrong = run("tokens", "aanmaken", "--gebruikersnaam", "beheerder", input="000000\n")
    assert wrong.exit_code != 0 and "zes cijfers" in wrong.output
    with unit_of_work(factory) as session:
        last = users.user_by_username(session, "beheerder").totp_last_step
    issued = run("tokens", "aanmaken", "--gebruikersnaam", "beheerder", input=unspent_code(secret, last, now) + "\n")
    assert issued.exit_code == 0, issued.output
    assert "Code uit de authenticator-app van beheerder" in issued.output
    listed = run("tokens", "tonen", "--gebruikersnaam", "politie")
    assert "geldig\tkoppeling" in listed.output and "sr_" not in listed.output
    revoked = run("tokens", "intrekken", "--gebruikersnaam", "politie")
    assert revoked.exit_code == 0 and "1 API-token(s) van politie ingetrokken" in revoked.output
    assert "ingetrokken\tkoppeling" in run("tokens", "tonen", "--gebruikersnaam", "politie").output

