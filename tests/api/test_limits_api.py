"""API limits: per-token rate limit shared by every worker (429 with Retry-After), and 413, in the error shape."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from engine.accounts import api_tokens, bearer_tokens, rate_limits, users
from engine.accounts.actors import Actor
from engine.db import unit_of_work
from webapp import create_app, db

pytestmark = pytest.mark.postgres


def token_for(factory, at, username: str) -> dict[str, str]:
    with unit_of_work(factory) as session:
        token = api_tokens.issue(session, actor=Actor.system("test"), now=at(), username=username)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def workers(app, at):
    """Two app instances over one database, like two gunicorn workers: 3 requests a minute per token."""
    settings = replace(app.extensions["signaalroute.settings"], api_per_minute_token=3)
    apps = [create_app(settings, {"TESTING": True, "CLOCK": at}) for _ in range(2)]
    yield apps
    for each in apps:
        db.dispose(each)


def test_a_token_over_its_limit_gets_429_in_the_api_error_shape_across_workers(workers, world, factory, at):
    af = token_for(factory, at, "af")
    first, second = (w.test_client() for w in workers)
    assert [first.get("/api/v1/tasks", headers=af).status_code,
            second.get("/api/v1/tasks", headers=af).status_code,
            first.get("/api/v1/tasks", headers=af).status_code] == [200, 200, 200]
    refused = second.get("/api/v1/tasks", headers=af)
    assert refused.status_code == 429, "the second worker knows what the first one counted"
    assert refused.headers["Retry-After"] == "20"
    assert refused.json == {"error": {"code": "te_veel_verzoeken",
                                      "message": "Te veel verzoeken. Probeer het over 20 seconden opnieuw.",
                                      "details": {"retry_after": 20}}}
    politie = token_for(factory, at, "politie")
    assert first.get("/api/v1/tasks", headers=politie).status_code == 200, "per token"
    at.advance(seconds=20)
    assert first.get("/api/v1/tasks", headers=af).status_code == 200


def test_failed_requests_count_too(workers, world, factory, at):
    client = workers[0].test_client()
    forged = {"Authorization": "Bearer sr_verzonnen"}
    assert [client.get("/api/v1/tasks", headers=forged).status_code for _ in range(4)] == [401, 401, 401, 429]
    anonymous = [client.get("/api/v1/tasks").status_code for _ in range(4)]
    assert anonymous == [401, 401, 401, 429], "without a token: per address"


def test_a_json_body_over_the_size_limit_gets_413_in_the_api_error_shape(app, api, world):
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024
    response = api("af").post("/api/v1/signals", json={"gemeente": "eersel", "melding": {"x": "y" * 20_000}})
    assert response.status_code == 413
    assert response.json == {"error": {"code": "te_groot", "message": "Het verzoek is te groot.", "details": None}}


def test_requests_whose_transaction_rolls_back_still_spend_their_token(workers, world, factory, at):
    """The token is spent by a statement committed before the request's own transaction (which a 422 rolls back)."""
    af = token_for(factory, at, "af")
    client = workers[0].test_client()
    bad = [client.post("/api/v1/signals", json={"melding": "geen object"}, headers=af).status_code for _ in range(3)]
    assert bad == [422, 422, 422]
    assert client.get("/api/v1/tasks", headers=af).status_code == 429


def test_concurrent_spends_of_one_bucket_on_separate_connections_never_overspend(factory, at):
    """Twelve requests at the same moment on twelve connections, six tokens: exactly six get through."""
    engine = factory.kw["bind"]
    verdicts: list[bool] = []
    start = threading.Barrier(12)  # within the pool's 15 connections

    def spend() -> None:
        with engine.connect() as connection:
            start.wait()
            with connection.begin():
                verdicts.append(rate_limits.take(connection, key="api-token:gelijktijdig", per_minute=6,
                                                 now=at()).allowed)

    threads = [threading.Thread(target=spend) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(verdicts) == [False] * 6 + [True] * 6
    at.advance(seconds=10)  # six a minute: one back after ten seconds, exactly
    with engine.begin() as connection:
        assert rate_limits.take(connection, key="api-token:gelijktijdig", per_minute=6, now=at()).allowed
        refused = rate_limits.take(connection, key="api-token:gelijktijdig", per_minute=6, now=at())
    assert (refused.allowed, refused.retry_after) == (False, 10)


def test_the_token_read_along_with_the_spend_is_the_callers_whether_the_spend_is_allowed_or_refused(
        workers, world, factory, at):
    """The API reads the caller's token in the rate limiter's statement (one round trip on PostgreSQL)."""
    token = token_for(factory, at, "af")["Authorization"].removeprefix("Bearer ")
    reading = bearer_tokens.token_reading(token)
    unknown = bearer_tokens.token_reading("sr_verzonnen")
    assert reading is not None and unknown is not None
    engine = factory.kw["bind"]
    with engine.begin() as connection:
        spends = [rate_limits.take(connection, key="api-token:meelezen", per_minute=2, now=at(), reading=reading)
                  for _ in range(3)]
        nobody = rate_limits.take(connection, key="api-token:onbekend", per_minute=2, now=at(), reading=unknown)
    assert [s.allowed for s in spends] == [True, True, False]
    assert [s.read.username for s in spends] == ["af"] * 3
    assert nobody.allowed and nobody.read is None
    with unit_of_work(factory) as session:
        actor = bearer_tokens.actor_from_row(session, spends[0].read, now=at())
    assert actor is not None and (actor.username, actor.organisation_slug) == ("af", "eersel")


def test_a_token_revoked_between_two_requests_is_refused_on_the_next(workers, world, factory, at):
    af = token_for(factory, at, "af")
    client = workers[0].test_client()
    assert client.get("/api/v1/tasks", headers=af).status_code == 200
    with unit_of_work(factory) as session:
        assert bearer_tokens.revoke_tokens(session, actor=Actor.system("test"), now=at(),
                                           user_id=users.user_by_username(session, "af").id, reason="test") == 1
    assert client.get("/api/v1/tasks", headers=af).status_code == 401
