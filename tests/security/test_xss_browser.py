"""Stored XSS in a real browser: every page with a hostile text opened in Chromium, any dialog fails.

Attack: the payloads of ``xss_story`` (script tag, onerror image, onload SVG, javascript: link) stored in
every text field, then opened by the people who read them, including the modeller (bpmn-js draws the
hostile process and task names) and the auditor's replay (bpmn-js viewer).
Expected refusal: no ``alert`` dialog opens and no injected element exists in the DOM. The browser
context bypasses the Content-Security-Policy on purpose: escaping alone must hold; the CSP (no inline
script, tested in tests/webapp) is the second line.

Runs on SQLite only: what the browser sees does not depend on the database.
"""

from __future__ import annotations

import pytest

from engine.db import unit_of_work
from engine.modelling import drafts
from tests.support.browser import log_in
from tests.support.xss_story import PAYLOAD, build, pages

INJECTED = "document.querySelectorAll('img[src=\"x\"], svg[onload], script:not([src])').length"
# Everything a page draws after loading is in: the case page's and the replay's diagrams say so on their
# container (drawn, or "kon niet worden getoond": the hostile model has no diagram interchange), the modeller
# in its status line (the hostile names are drawn there by bpmn-js). Waiting for the network to be idle
# instead cost half a second a page.
DRAWN = """() => document.readyState === 'complete'
    && [...document.querySelectorAll('#zaak-diagram, #diagram[data-model]')].every(
        e => e.dataset.geladen === 'ja' || e.textContent.includes('kon niet worden getoond'))
    && ![...document.querySelectorAll('#status')].some(e => e.textContent.includes('wordt geladen'))"""


@pytest.fixture
def csp_free_page(browser):
    """A Chromium page that ignores the CSP, so only escaping stands between payload and execution."""
    context = browser.new_context(locale="nl-NL", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_no_payload_executes_on_any_page_that_shows_it(csp_free_page, chain_server, chain):  # noqa: F811
    """Attack: open every page with stored payloads. Refusal: no dialog, no injected element."""
    story = build(chain)
    regisseur = chain.person("procesregisseur", "fryslan-zvhf")
    with unit_of_work(chain.factory) as session:  # the hostile model opened in the editor
        hostile = drafts.open_version(session, actor=regisseur, now=chain.at(), process_id="drie_taken",
                                      version=1, max_bytes=5 * 1024 * 1024).id
    visits = [*pages(story), (("procesregisseur", "fryslan-zvhf"), f"/modelleren/concepten/{hostile}"),
              (("auditor", "leeuwarden"), f"/audit/zaken/{story.model_case}/afspelen")]
    page = csp_free_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(f"{page.url}: {dialog.message}"), dialog.dismiss()))
    with page.expect_event("dialog"):  # the canary: unescaped, the payload does fire in this context
        page.set_content(PAYLOAD)
    dialogs.clear()
    problems = []
    current = None
    for who, path in sorted(visits):
        if who != current:
            page.context.clear_cookies()
            log_in(page, chain_server, chain.person(*who).username)
            current = who
        page.goto(f"{chain_server}{path}")
        page.wait_for_function(DRAWN)
        injected = page.evaluate(INJECTED)
        if injected:
            problems.append(f"{path} as {who[0]}: {injected} injected element(s)")
    assert not dialogs, "a payload executed:\n" + "\n".join(dialogs)
    assert not problems, "\n".join(problems)
