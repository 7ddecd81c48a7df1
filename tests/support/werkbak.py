"""Fixtures and readers for werkbak tests: the app over the ``chain`` and two signals handed to AVIM.

Registered in tests/webapp/conftest.py and tests/api/conftest.py, so page and API tests share one story.
"""

from __future__ import annotations

import re

import pytest

from engine.config import Settings
from tests.support.accounts import log_in_client
from tests.support.app import reused_app
from tests.support.base import PASSWORD
from tests.support.chain import ROOT, VERRIJKT
from webapp import db

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_of(client, path: str) -> str:
    """The CSRF token of the session, read from a page's form as a browser would."""
    return _CSRF.search(client.get(path).get_data(as_text=True)).group(1)


@pytest.fixture
def web(chain, db_url, tmp_path, at):
    settings = Settings(instance_dir=tmp_path, database_url=db_url, secret_key="w" * 64,
                        forms_dir=ROOT / "forms", processes_dir=ROOT / "processes")
    app = reused_app(settings, {"TESTING": True}, at)
    yield app
    db.dispose(app)


def logged_in(app, chain, role, organisation):
    actor = chain.person(role, organisation)
    client = app.test_client()
    log_in_client(client, actor.username, PASSWORD)  # enrols in TOTP first where the role requires it
    return client


def rows(html: str) -> list[str]:
    """The werkbak's table rows as plain text, one string per task."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def references(html: str) -> list[str]:
    return re.findall(r'<span class="kenmerk">(SR-\d{4}-\d{5})</span>', html)


def ref(case: int) -> str:
    return f"SR-2026-{case:05d}"


@pytest.fixture
def handed_over(chain):
    """Two signals handed to AVIM Oost-Brabant: SU from Eersel (Monday), CU from Bergeijk (Tuesday)."""
    eersel = chain.report("eersel")
    chain.do(eersel, "verrijken", VERRIJKT)
    chain.at.advance(days=1)
    bergeijk = chain.report("bergeijk")
    chain.do(bergeijk, "verrijken", {**VERRIJKT, "vorm": "CU"})
    return eersel, bergeijk


