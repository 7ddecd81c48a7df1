"""WCAG 2.1 AA: axe-core (from npm) finds no serious or critical violation, on a phone (320 CSS px) and a
desktop (1280 px), and no page scrolls sideways at 320 px (reflow, WCAG 1.4.10) for any page a role reaches."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from engine.config import Settings
from tests.support.browser import (  # noqa: F401
    NARROW,
    WIDE,
    _serve,
    log_in,
    open_the_menu_if_folded,
    page_width,
    problems_at_both_widths,
    serious_violations,
    wide_elements,
)
from tests.support.chain import ROOT, VERRIJKT, Chain
from tests.support.helpers import deploy, ready, start
from tests.support.scene import built_chain, scene_database
from webapp import create_app

# The people of the README tour, each with the pages only their role reaches (2FA roles enrol on the way in).
PEOPLE = [("melder", "eersel"), ("af", "eersel"), ("oov", "eersel"), ("politie", "oost-brabant-avim"),
          ("zorgcoordinator", "oost-brabant-lumens"), ("procesregisseur", "eersel"), ("auditor", "eersel"),
          ("beheerder", "eersel")]
# Kinds of page (see _shape) axe has checked at both widths in this test process.
AXE_CHECKED: set[str] = set()
# From each menu page, this many pages of new kinds are followed (the menu pages themselves always count).
LINKS_PER_PAGE = 2
# Links out of the page that are no page of their own.
NOT_A_PAGE = re.compile(r"^(mailto:|tel:|#)|/uitloggen|/download|\.(csv|xlsx|pdf|ics|bpmn|dmn)(\?|$)")


def _shape(url: str) -> str:
    """Pages of one kind (every case page, every werkbak tab) share a shape: numbers and query values dropped."""
    parts = urlsplit(url)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    # Ids are numbers, process ids (signaal_oost_brabant) and file names (routering.dmn).
    path = "/".join("N" if re.search(r"[\d_.]", segment) else segment for segment in parts.path.split("/"))
    return path + ("?" + "&".join(keys) if keys else "")


def _is_html_page(page: Page, url: str) -> bool:
    """Downloads (CSV, PDF, iCalendar, model files) are no pages: ask before the browser would save them."""
    response = page.request.get(url)
    return (response.ok and response.headers.get("content-type", "").startswith("text/html")
            and "content-disposition" not in response.headers)


def check_reachable_pages(page: Page, base: str, check: Callable[[str], None]) -> None:
    """Check the menu's pages, and from each of them the pages its content links to (one of every shape).

    Each menu page is checked while the browser is on it, before its links are read (one visit, not two);
    a link found to be no page (a download) is not asked again, nor is any other link of its shape.
    """
    page.set_viewport_size({"width": WIDE, "height": 900})
    page.goto(f"{base}/")
    menu = page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link").evaluate_all(
        "links => links.map(a => a.href)")
    account = page.locator("header .gebruiker__naam").evaluate_all("links => links.map(a => a.href)")
    found: dict[str, str] = {}
    for url in [page.url, *menu, *account]:
        found.setdefault(_shape(url), url)
    linked: list[str] = []
    not_pages: set[str] = set()
    for menu_page in list(found.values()):
        page.goto(menu_page)
        check(menu_page)
        new = 0
        for url in page.locator("main a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            if NOT_A_PAGE.search(url):
                continue
            absolute = url if url.startswith("http") else base + url
            shape = _shape(absolute)
            if not absolute.startswith(base) or shape in found or shape in not_pages or new >= LINKS_PER_PAGE:
                continue
            if _is_html_page(page, absolute):
                found[shape] = absolute
                linked.append(absolute)
                new += 1
            else:
                not_pages.add(shape)
    for url in linked:
        page.goto(url)
        check(url)


@dataclass
class Tour:
    chain: Chain
    base: str


@pytest.fixture(scope="session")
def tour(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Iterator[Tour]:
    """The README tour's world, built once per worker: all four regions, a signal with the AF and one with
    the police, served on the real forms and processes. The walks only read it (and log in)."""
    root = tmp_path_factory.mktemp("tour")
    url = scene_database("sqlite", root, _sqlite_template, "tour")
    with built_chain(url, root / "seed") as (chain, _):
        chain.report("eersel")
        chain.do(chain.report("eersel"), "verrijken", VERRIJKT)
        settings = Settings(instance_dir=root / "instance", database_url=url, secret_key="c" * 64,
                            forms_dir=ROOT / "forms", processes_dir=ROOT / "processes")
        serving = _serve(create_app(settings, {"CLOCK": chain.at}))
        yield Tour(chain, next(serving))
        next(serving, None)  # stops the server


# A walk through twenty to thirty pages, each at two widths: longer than the suite's 120 s for one page-test.
@pytest.mark.timeout(300)
@pytest.mark.parametrize(("role", "organisation"), PEOPLE, ids=[role for role, _ in PEOPLE])
def test_every_page_a_role_reaches_reflows_at_320_px_and_passes_axe_at_320_and_1280(
        axe_page, tour, role, organisation):
    """Each role of the README tour with work waiting: a signal with the AF and one with the police.

    Every page of every role is measured at 320 px; axe (about two seconds a run) checks each kind of page
    once per test process at both widths, whichever role reaches it first, so the suite stays fast.
    """
    username = tour.chain.person(role, organisation).username
    log_in(axe_page, tour.base, username)
    problems: list[str] = []
    checked: list[str] = []

    def check(url: str) -> None:
        shape = _shape(url)
        problems.extend(problems_at_both_widths(axe_page, f"{username} {shape}", axe=shape not in AXE_CHECKED))
        AXE_CHECKED.add(shape)
        checked.append(url)

    check_reachable_pages(axe_page, tour.base, check)
    assert not problems, "\n".join(problems)
    assert len(checked) >= 4, checked


def test_the_login_pages_errors_and_404_pass_axe_at_both_widths(axe_page, live_server, factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken")
    [task] = ready(factory, case).values()
    axe_page.goto(f"{live_server}/inloggen")
    assert problems_at_both_widths(axe_page, "inloggen") == []
    log_in(axe_page, live_server, "onbekend", "fout-wachtwoord-123")
    assert problems_at_both_widths(axe_page, "inloggen met foutmelding") == []
    log_in(axe_page, live_server, "af")
    assert problems_at_both_widths(axe_page, "werkbak") == []
    axe_page.goto(f"{live_server}/taken/{task.id}")
    axe_page.get_by_role("button", name="Taak afronden").click()
    assert problems_at_both_widths(axe_page, "taak met fouten") == []
    axe_page.goto(f"{live_server}/bestaat-niet")
    assert problems_at_both_widths(axe_page, "404") == []


def test_the_axe_check_can_fail(axe_page):
    """And it names every element of a violation, not only the first (it asks axe for violations only)."""
    axe_page.set_content('<html lang="nl"><body><main><img src="x.png"><img src="y.png"><button></button>'
                         '</main></body></html>')
    found = serious_violations(axe_page)
    assert any(v.startswith("image-alt") and v.endswith("(2x)") for v in found), found
    assert any(v.startswith("button-name") for v in found), found


def test_the_reflow_check_can_fail(axe_page):
    axe_page.set_content('<html lang="nl"><body style="margin: 0"><main><div style="width: 500px">breed</div>'
                         '</main></body></html>')
    assert problems_at_both_widths(axe_page, "te breed", axe=False) == [
        "te breed @ 320px: de pagina is 500px breed door ['div']"]
