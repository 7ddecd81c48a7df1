"""OpenID Connect login against a fake Keycloak-style provider (no network): only accounts the beheerder linked."""

from __future__ import annotations

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import func, select

from engine.accounts import oidc_identities, users
from engine.accounts.actors import Actor
from engine.config import Settings
from engine.db import unit_of_work
from engine.errors import Conflict
from engine.models import AuditEvent, User
from engine.models.users import LoginSession
from tests.support import oidc_provider
from tests.support.accounts import code_for_secret, current_code
from tests.support.base import FIXTURES
from tests.support.oidc_provider import CLIENT_ID, CLIENT_SECRET, ISSUER, FakeProvider
from tests.support.web import csrf_of
from webapp import create_app, db

CLI = Actor.system("test")


@pytest.fixture
def provider(monkeypatch) -> FakeProvider:
    fake = FakeProvider()
    oidc_provider.install(monkeypatch, fake)
    return fake


@pytest.fixture
def oidc_app(db_url, tmp_path, at, provider):
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="o" * 64, forms_dir=FIXTURES / "forms",
                        oidc_issuer=ISSUER, oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET,
                        oidc_name="Gemeente Eersel (Keycloak)")
    app = create_app(settings, {"TESTING": True, "CLOCK": at})
    yield app
    db.dispose(app)


def oidc_login(client, provider: FakeProvider, **identity):
    """The browser's round trip: to the provider, log in there, back to Signaalroute's callback."""
    start = client.get("/inloggen/oidc?next=/account")
    assert start.status_code == 302, start.get_data(as_text=True)
    return client.get(provider.authorize(start.headers["Location"], **identity))


def link(factory, at, username: str, subject: str) -> None:
    with unit_of_work(factory) as session:
        oidc_identities.link_oidc(session, actor=CLI, now=at(), username=username, issuer=ISSUER, subject=subject)


def test_the_login_page_offers_oidc_only_when_it_is_configured(client, oidc_app, world):
    assert "Inloggen met" not in client.get("/inloggen").get_data(as_text=True)
    assert client.get("/inloggen/oidc").status_code == 404
    page = oidc_app.test_client().get("/inloggen").get_data(as_text=True)
    assert "Inloggen met Gemeente Eersel (Keycloak)" in page


def test_a_person_the_beheerder_linked_logs_in_with_the_provider(oidc_app, provider, world, factory, at):
    link(factory, at, "af", "f3a9-0001")
    client = oidc_app.test_client()
    back = oidc_login(client, provider, sub="f3a9-0001", preferred_username="iemand.anders")
    assert back.status_code == 302 and back.headers["Location"] == "/account", back.get_data(as_text=True)
    assert client.get("/account").status_code == 200
    with unit_of_work(factory) as session:
        row = session.scalars(select(LoginSession)).one()
        assert row.method == "oidc" and row.user_id == world.af.user_id


def test_an_identity_nobody_linked_gets_no_account_and_none_is_made(oidc_app, provider, world, factory):
    with unit_of_work(factory) as session:
        before = session.scalar(select(func.count()).select_from(User))
    client = oidc_app.test_client()
    back = oidc_login(client, provider, sub="vreemd-1", preferred_username="nieuwe.collega")
    assert back.status_code == 403
    assert "geen Signaalroute-account gekoppeld" in back.get_data(as_text=True)
    assert client.get("/").status_code == 302
    with unit_of_work(factory) as session:
        assert session.scalar(select(func.count()).select_from(User)) == before


def test_the_username_claim_links_an_account_once_and_only_when_the_beheerder_allowed_it(
        oidc_app, provider, world, factory, at):
    client = oidc_app.test_client()
    refused = oidc_login(client, provider, sub="b-77", preferred_username="politie")
    assert refused.status_code == 403, "a matching username alone is not enough"
    with unit_of_work(factory) as session:
        oidc_identities.allow_oidc_link(session, actor=CLI, now=at(), username="politie")
    assert oidc_login(client, provider, sub="b-77", preferred_username="politie").status_code == 302
    with unit_of_work(factory) as session:
        account = users.user_by_username(session, "politie")
        assert (account.oidc_issuer, account.oidc_subject, account.oidc_link_by_username) == (ISSUER, "b-77", False)
        linked = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "oidc_identity.linked")).one()
        assert linked.payload == {"user_id": account.id, "issuer": ISSUER, "how": "gebruikersnaam"}
    other = oidc_app.test_client()
    impostor = oidc_login(other, provider, sub="someone-else", preferred_username="politie")
    assert impostor.status_code == 403, "after the link only issuer + sub count"


def test_one_identity_cannot_open_two_accounts(world, factory, at):
    link(factory, at, "af", "gedeeld")
    with pytest.raises(Conflict, match="accounts worden niet gedeeld"), unit_of_work(factory) as session:
        oidc_identities.link_oidc(session, actor=CLI, now=at(), username="af_bergeijk", issuer=ISSUER,
                                  subject="gedeeld")


def test_a_beheerder_logging_in_with_oidc_still_enrols_in_and_then_types_a_totp_code(
        oidc_app, provider, world, factory, at):
    link(factory, at, "beheerder", "adm-1")
    client = oidc_app.test_client()
    back = oidc_login(client, provider, sub="adm-1")
    assert back.headers["Location"] == "/account/tweestaps"
    assert client.get("/beheer/rechten").status_code == 302, "nothing else until enrolled"
    page = client.get("/account/tweestaps").get_data(as_text=True)
    secret = page.split('data-testid="totp-geheim">', 1)[1].split("<", 1)[0]
    done = client.post("/account/tweestaps", data={"code": code_for_secret(oidc_app, secret),
                                                   "csrf_token": csrf_of(client, "/account/tweestaps")})
    assert done.status_code == 200 and client.get("/beheer/rechten").status_code == 200
    client.post("/uitloggen", data={"csrf_token": csrf_of(client, "/account")})
    again = oidc_login(client, provider, sub="adm-1")
    assert again.headers["Location"] == "/inloggen/code"
    typed = client.post("/inloggen/code", data={"code": current_code(oidc_app, "beheerder"),
                                                "csrf_token": csrf_of(client, "/inloggen/code")})
    assert typed.status_code == 302 and typed.headers["Location"] == "/account"
    with unit_of_work(factory) as session:
        assert {s.method for s in session.scalars(select(LoginSession))} == {"oidc"}


def test_a_forged_state_or_a_token_signed_with_an_unpublished_key_logs_nobody_in(
        oidc_app, provider, world, factory, at):
    link(factory, at, "af", "f3a9-0001")
    client = oidc_app.test_client()
    start = client.get("/inloggen/oidc")
    back = provider.authorize(start.headers["Location"], sub="f3a9-0001")
    forged = client.get(back.replace("state=", "state=x"))
    assert forged.status_code == 401 and "is mislukt" in forged.get_data(as_text=True)
    assert client.get("/").status_code == 302
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": "sleutel-1"})
    start = client.get("/inloggen/oidc")
    bad_signature = client.get(provider.authorize(start.headers["Location"], sub="f3a9-0001"))
    assert bad_signature.status_code == 401
    assert client.get("/").status_code == 302


def test_an_unreachable_provider_gives_a_dutch_page_and_passwords_still_work(db_url, tmp_path, at, world, monkeypatch):
    oidc_provider.install(monkeypatch, FakeProvider())
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="o" * 64, forms_dir=FIXTURES / "forms",
                        oidc_discovery_url="https://elders.example.test/.well-known/openid-configuration",
                        oidc_client_id=CLIENT_ID, oidc_client_secret=CLIENT_SECRET, oidc_name="Entra ID")
    app = create_app(settings, {"TESTING": True, "CLOCK": at})
    try:
        response = app.test_client().get("/inloggen/oidc")
        assert response.status_code == 503
        assert "Inloggen met Entra ID is nu niet mogelijk" in response.get_data(as_text=True)
    finally:
        db.dispose(app)


def test_half_an_oidc_configuration_refuses_to_start(monkeypatch):
    from engine.config import ConfigurationError, load_settings

    monkeypatch.setenv("SIGNAALROUTE_SECRET_KEY", "k" * 64)
    monkeypatch.setenv("SIGNAALROUTE_OIDC_ISSUER", ISSUER)
    with pytest.raises(ConfigurationError, match="OIDC_CLIENT_ID"):
        load_settings()
    monkeypatch.setenv("SIGNAALROUTE_OIDC_CLIENT_ID", CLIENT_ID)
    with pytest.raises(ConfigurationError, match="OIDC_CLIENT_SECRET"):
        load_settings()
    monkeypatch.setenv("SIGNAALROUTE_OIDC_CLIENT_SECRET", CLIENT_SECRET)
    settings = load_settings()
    assert settings.oidc_enabled and settings.oidc_metadata_url == f"{ISSUER}/.well-known/openid-configuration"
    assert CLIENT_SECRET not in repr(settings)
