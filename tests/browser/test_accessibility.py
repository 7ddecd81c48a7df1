"""WCAG 2.1 AA: axe-core (from npm) finds no serious or critical violation on any page of the shell."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import AXE
from tests.browser.test_shell import log_in
from tests.services.helpers import deploy, ready, start


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x)" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def test_every_page_of_the_shell_passes_axe(axe_page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    axe_page.goto(f"{live_server}/inloggen")
    assert serious_violations(axe_page) == [], "inloggen"
    log_in(axe_page, live_server, "onbekend", "fout-wachtwoord-123")
    assert serious_violations(axe_page) == [], "inloggen met foutmelding"
    log_in(axe_page, live_server, "af")
    assert serious_violations(axe_page) == [], "werkbak"
    axe_page.goto(f"{live_server}/taken/{task.id}")
    assert serious_violations(axe_page) == [], "taak"
    axe_page.get_by_role("button", name="Taak afronden").click()
    assert serious_violations(axe_page) == [], "taak met fouten"
    axe_page.goto(f"{live_server}/zaken/{case}")
    assert serious_violations(axe_page) == [], "zaak"
    axe_page.goto(f"{live_server}/bestaat-niet")
    assert serious_violations(axe_page) == [], "404"


def test_the_axe_check_can_fail(axe_page):
    axe_page.set_content('<html lang="nl"><body><main><img src="x.png"><button></button></main></body></html>')
    assert any(v.startswith("image-alt") for v in serious_violations(axe_page))
