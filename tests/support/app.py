"""Moved from tests/api/conftest.py: shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from tests.support.base import FIXTURES, Clock
from tests.support.tokens import issue_token
from webapp import create_app, db

# The app of each database URL of this worker (one per backend: tests/support/base.py, shared_engine), with its
# configuration and extensions as create_app left them.
_BUILT: dict[str, tuple[Flask, dict[str, Any], dict[str, Any]]] = {}


@pytest.fixture
def app(db_url: str, tmp_path, at: Clock) -> Iterator[Flask]:
    """The web app over this test's database, with this test's clock and instance folder.

    Built once per worker and database URL, and handed to every test as built (its configuration and
    extensions put back, this test's settings and clock in): create_app compiles 113 URL rules, 60 ms of
    CPU, and a thousand tests ask for an app. What a test changes in ``app.config`` stays in that test.
    """
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="t" * 64,
                        forms_dir=FIXTURES / "forms")
    if db_url not in _BUILT:
        built = create_app(settings, {"TESTING": True})
        _BUILT[db_url] = (built, dict(built.config), dict(built.extensions))
    app, config, extensions = _BUILT[db_url]
    app.config.clear()
    app.config.update(config, CLOCK=at)
    app.extensions.clear()
    app.extensions.update(extensions)
    app.extensions["signaalroute.settings"] = settings
    yield app
    db.dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@dataclass
class Api:
    """A client that speaks as one person."""

    client: FlaskClient
    token: str

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path: str):
        return self.client.get(path, headers=self._headers())

    def post(self, path: str, json=None, **kwargs):
        return self.client.post(path, json=json, headers=self._headers(), **kwargs)


@pytest.fixture
def api(client, factory, world, at):
    """``api("af").get(...)``: a client with that person's personal token."""
    tokens: dict[str, str] = {}

    def as_user(name: str) -> Api:
        if name not in tokens:
            tokens[name] = issue_token(factory, username=name, now=at(),
                                       secret_key=client.application.config["SECRET_KEY"])
        return Api(client, tokens[name])

    return as_user
