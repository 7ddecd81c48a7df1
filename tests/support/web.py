"""Moved from tests/webapp/test_modelleren.py: shared by several test modules."""

from __future__ import annotations

import re

import pytest

from engine.db import unit_of_work
from engine.modelling import deployments
from engine.workflow.bundle import SourceFile
from tests.support.accounts import log_in_client
from tests.support.base import PASSWORD, START
from tests.support.modelling import model


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.fixture
def deployed(factory, world, forms):
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=START, comment="Eerste versie",
                           files=[SourceFile("klein.bpmn", model())], forms=forms)


@pytest.fixture
def token(client, log_in):
    """Logged in as the procesregisseur; the CSRF token a script reads from the page."""
    log_in("regisseur")
    return csrf_of(client, "/modelleren/")


def json_post(client, path, body, token):
    return client.post(path, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


def new_draft(client, token) -> int:
    response = client.post("/modelleren/concepten", data={"bron": "versie", "proces": "klein", "versie": "1",
                                                          "csrf_token": token})
    assert response.status_code == 302, text_of(response)
    return int(response.headers["Location"].rstrip("/").split("/")[-1])


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_of(http, path: str) -> str:
    """The CSRF token of the session, read from a page's form as a browser would."""
    return _CSRF.search(http.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def log_in(client, world):  # noqa: F811 - the client fixture imported above
    """``log_in("auditor")``: the test client is now logged in as that person, through the login forms.

    Beheerder, auditor and regisseur enrol in TOTP at their first login and type a code after that.
    """

    def as_user(username: str) -> None:
        client.post("/uitloggen", data={"csrf_token": csrf_of(client, "/inloggen")})
        log_in_client(client, username, PASSWORD)  # with the second factor where the role requires it

    return as_user
