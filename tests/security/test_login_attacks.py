"""Attacks on logging in: session fixation, a stolen cookie after logout, guessing passwords.

Runs on the app with its real rate limits (``web`` from tests/support/werkbak.py), unlike the matrix.
"""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters

from engine.accounts import organisations, passwords, users
from engine.accounts.actors import Actor
from engine.db import unit_of_work
from tests.support.base import PASSWORD
from tests.support.werkbak import csrf_of, logged_in

GENERIC = "Gebruikersnaam of wachtwoord is onjuist."


def attempt(client, username: str, password: str):
    return client.post("/inloggen", data={"username": username, "password": password,
                                          "csrf_token": csrf_of(client, "/inloggen")})


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session") or client.get_cookie("__Host-session")
    return cookie.value if cookie is not None else None


def test_a_session_planted_before_login_is_not_the_session_after_it(web, chain):  # noqa: F811
    """Attack: session fixation: the attacker plants a session (cookie and server-side id) in the victim's
    browser before the victim logs in. Refusal: the login starts a new session; nothing planted survives,
    and the planted cookie is not logged in."""
    chain.person("af", "leeuwarden")
    victim = web.test_client()
    victim.get("/inloggen")
    with victim.session_transaction() as planted:
        planted["sid"] = "sessie-van-de-aanvaller"
        planted["geplant"] = "ja"
    before = session_cookie(victim)
    attacker = web.test_client()
    attacker.set_cookie("session", before)
    assert attempt(victim, "af.leeuwarden", PASSWORD).status_code == 302
    assert session_cookie(victim) != before
    with victim.session_transaction() as after:
        assert after.get("sid") not in (None, "sessie-van-de-aanvaller")
        assert "geplant" not in after
    assert victim.get("/").status_code == 200
    assert attacker.get("/").status_code == 302, "the planted cookie stays logged out"


def test_a_copied_session_cookie_dies_with_the_logout(web, chain):  # noqa: F811
    """Attack: replay a session cookie copied while the victim was logged in, after the victim logged out.
    Refusal: the server-side session has ended; the copy is sent to the login page."""
    victim = logged_in(web, chain, "af", "leeuwarden")
    copy = web.test_client()
    copy.set_cookie("session", session_cookie(victim))
    assert copy.get("/").status_code == 200, "the copy works while the session lives"
    victim.post("/uitloggen", data={"csrf_token": csrf_of(victim, "/")})
    response = copy.get("/")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(web, chain):  # noqa: F811
    """Attack: guess the password of a known account. Refusal: after 5 wrong guesses the account is locked
    for 15 minutes, also against the right password, with a Dutch message."""
    chain.person("af", "leeuwarden")
    client = web.test_client()
    for guess in range(5):
        response = attempt(client, "af.leeuwarden", f"fout-wachtwoord-{guess}")
        assert response.status_code == 401 and GENERIC in response.get_data(as_text=True)
    locked = attempt(client, "af.leeuwarden", PASSWORD)
    assert locked.status_code == 401 and "tijdelijk geblokkeerd" in locked.get_data(as_text=True)
    chain.at.advance(minutes=16)
    assert attempt(client, "af.leeuwarden", PASSWORD).status_code == 302, "the lock ends"


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password_and_the_same_work(web, chain, monkeypatch):  # noqa: F811,E501
    """Attack: find out which usernames exist from the answer or its timing. Refusal: the same status and
    message, and the same work: exactly one argon2 verification per attempt, against a hash of the same
    cost, whether the account exists or not; the dummy hash the unknown name is checked against has the
    production parameters. The work is counted, not timed (a timing belongs in bench/, not in a test)."""
    production = PasswordHasher()
    dummy = extract_parameters(passwords._DUMMY_HASH)
    assert (dummy.time_cost, dummy.memory_cost, dummy.parallelism) == \
        (production.time_cost, production.memory_cost, production.parallelism), "the dummy hash costs as much"
    verified: list[str] = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            verified.append(hash if isinstance(hash, str) else hash.decode())
            return super().verify(hash, password)

    cheap = CountingHasher(time_cost=1, memory_cost=1024, parallelism=1)  # same cost on both sides, quickly
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("signaalroute-timing-equaliser"))
    with unit_of_work(chain.factory) as session:
        organisations.get_or_create_organisation(session, slug="leeuwarden", name="Gemeente Leeuwarden",
                                                 kind="gemeente")
        users.create_user(session, actor=Actor.system("test"), now=chain.at(), username="bestaat",
                          password=PASSWORD, role="af", organisation_slug="leeuwarden")
    known, unknown = web.test_client(), web.test_client()

    def attempt(client, username: str) -> tuple[list[str], int, str]:
        token = csrf_of(client, "/inloggen")
        before = len(verified)
        response = client.post("/inloggen", data={"username": username, "password": "fout-maar-lang-genoeg",
                                                  "csrf_token": token})
        return verified[before:], response.status_code, response.get_data(as_text=True)

    answers = []
    for i in range(4):  # four: a fifth wrong password would lock the known account
        answers += [attempt(known, "bestaat"), attempt(unknown, f"bestaat-niet-{i}")]
    assert {a[1] for a in answers} == {401}
    assert all(GENERIC in a[2] for a in answers)
    assert [len(a[0]) for a in answers] == [1] * 8, "one argon2 verification per attempt, known name or not"
    costs = {(p.time_cost, p.memory_cost, p.parallelism) for p in (extract_parameters(a[0][0]) for a in answers)}
    assert len(costs) == 1, f"the known and the unknown name are checked against hashes of different cost: {costs}"


def test_guessing_across_many_accounts_from_one_address_hits_the_rate_limit(web, chain, monkeypatch):  # noqa: F811
    """Attack: password spraying: one guess each at many usernames, from one address (no account reaches
    its lockout). Refusal: after 30 login POSTs a minute the address gets 429 with Retry-After."""
    monkeypatch.setattr(passwords, "_DUMMY_HASH", passwords._hasher.hash("goedkoop"))  # not a timing test: cheap hash
    client = web.test_client()
    token = csrf_of(client, "/inloggen")
    statuses = [client.post("/inloggen", data={"username": f"gok-{i}", "password": "Welkom01!welkom",
                                               "csrf_token": token}).status_code for i in range(35)]
    assert statuses[:30] == [401] * 30
    assert statuses[30:] == [429] * 5
    refused = client.post("/inloggen", data={"username": "gok-x", "password": "x", "csrf_token": token})
    assert refused.headers.get("Retry-After") and "Te veel" in refused.get_data(as_text=True)
