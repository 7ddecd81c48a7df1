"""Moved from tests/api/conftest.py: shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.config import Settings
from tests.support.base import FIXTURES, Clock
from tests.support.tokens import issue_token
from webapp import create_app, db

# The apps of this worker, one per set of settings (the instance folder aside) and configuration, with their
# configuration and extensions as create_app left them.
_BUILT: dict[str, tuple[Flask, dict[str, Any], dict[str, Any]]] = {}


def reused_app(settings: Settings, test_config: dict[str, Any], clock: Clock) -> Flask:
    """``create_app(settings, test_config)`` with ``CLOCK``, built once per worker and handed out as built.

    create_app compiles 113 URL rules (60 ms of CPU), and some 1,400 tests of a run ask for an app (the
    ``app``, ``web``, ``live_server`` and ``chain_server`` fixtures): 20 s of the suite's CPU. Each use gets
    the app's configuration and extensions put back as they were built, this test's settings (its instance
    folder) and clock put in. What a test changes in ``app.config`` stays in that test. A test that needs
    an app of its own (two apps over one database, other settings at once) calls create_app.
    """
    key = repr((replace(settings, instance_dir=Path(".")), sorted((k, repr(v)) for k, v in test_config.items())))
    if key not in _BUILT:
        built = create_app(settings, test_config)
        _BUILT[key] = (built, dict(built.config), dict(built.extensions))
    app, config, extensions = _BUILT[key]
    app.config.clear()
    app.config.update(config, CLOCK=clock)
    app.extensions.clear()
    app.extensions.update(extensions)
    app.extensions["signaalroute.settings"] = settings
    return app


@pytest.fixture
def app(db_url: str, tmp_path, at: Clock) -> Iterator[Flask]:
    """The web app over this test's database, with this test's clock and instance folder (see :func:`reused_app`)."""
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="t" * 64,
                        forms_dir=FIXTURES / "forms")
    app = reused_app(settings, {"TESTING": True}, at)
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
