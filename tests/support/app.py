"""Moved from tests/api/conftest.py: shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from tests.support.base import FIXTURES, Clock
from tests.support.tokens import issue_token
from webapp import create_app, db


@pytest.fixture
def app(db_url: str, tmp_path, at: Clock) -> Iterator[Flask]:
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="t" * 64,
                        forms_dir=FIXTURES / "forms")
    app = create_app(settings, {"TESTING": True, "CLOCK": at})
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
