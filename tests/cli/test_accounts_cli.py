"""The beheerder's helpdesk at the command line: reset someone's 2FA, link OIDC identities, the access review."""

from __future__ import annotations

from sqlalchemy import select

from engine.accounts import users
from engine.db import make_engine, make_session_factory, unit_of_work
from engine.models import AuditEvent
from tests.support.accounts import app_now, log_in_client
from tests.support.cli import run
from tests.support.oidc_provider import ISSUER
from tests.support.tokens import issue_token
from tests.support.web import csrf_of


def test_reset_2fa_forgets_the_second_factor_ends_the_sessions_and_is_audited(
        cli_env, db_url, app, client, world, factory, monkeypatch):  # noqa: F811 - fixtures imported above
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "r" * 64)
    log_in_client(client, "auditor")  # enrols and is logged in
    assert client.get("/account").status_code == 200
    token = issue_token(factory, username="auditor", now=app_now(app), secret_key=app.config["SECRET_KEY"])
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 200
    result = run("gebruikers", "tweestaps-wissen", "--gebruikersnaam", "auditor")
    assert result.exit_code == 0, result.output
    assert "Tweestapsverificatie van auditor is gewist en 1 sessie(s) beëindigd" in result.output
    assert client.get("/account").status_code == 302, "logged out everywhere"
    with unit_of_work(factory) as session:
        user = users.user_by_username(session, "auditor")
        assert user.totp_secret_encrypted is None and user.totp_last_step is None
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "two_factor.reset"))
        assert event.payload == {"user_id": user.id, "sessions_ended": 1, "tokens_revoked": 1}
        assert event.actor_username == "cli"
    assert client.get("/api/v1/tasks", headers=bearer).status_code == 401, "a lost phone may be a stolen one"
    response = client.post("/inloggen", data={"username": "auditor", "password": "correct-paard-batterij-niet",
                                              "csrf_token": csrf_of(client, "/inloggen")})
    assert response.headers["Location"] == "/account/tweestaps", "enrols again at the next login"
    unknown = run("gebruikers", "tweestaps-wissen", "--gebruikersnaam", "niemand")
    assert unknown.exit_code != 0 and "bestaat niet" in unknown.output


def test_the_beheerder_links_oidc_identities_and_prints_the_access_review(
        cli_env, db_url, world, monkeypatch):  # noqa: F811 - fixtures imported above
    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "r" * 64)
    linked = run("gebruikers", "oidc-koppelen", "--gebruikersnaam", "af", "--aanbieder", ISSUER, "--sub", "abc-1")
    assert linked.exit_code == 0, linked.output
    shared = run("gebruikers", "oidc-koppelen", "--gebruikersnaam", "politie", "--aanbieder", ISSUER, "--sub", "abc-1")
    assert shared.exit_code != 0 and "niet gedeeld" in shared.output
    assert run("gebruikers", "oidc-koppeling-toestaan", "--gebruikersnaam", "politie").exit_code == 0
    again = run("gebruikers", "oidc-koppeling-toestaan", "--gebruikersnaam", "af")
    assert again.exit_code != 0 and "al gekoppeld" in again.output
    review = run("gebruikers", "rechten")
    assert review.exit_code == 0
    lines = review.output.splitlines()
    assert lines[0].startswith("gebruikersnaam;naam;rol;organisatie;actief;tweestapsverificatie")
    assert "af;af;Aandachtsfunctionaris;Gemeente Eersel;ja;uit;;ja;0" in lines
    engine = make_engine(db_url)
    with unit_of_work(make_session_factory(engine)) as session:
        kinds = [e.event_type for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    engine.dispose()
    assert kinds[-3:] == ["oidc_identity.linked", "oidc_identity.link_allowed", "access_review.exported"]
