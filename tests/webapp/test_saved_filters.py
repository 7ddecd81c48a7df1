"""Werkbak filters saved on the server under a name: listed as links, only for their owner, deletable."""

from __future__ import annotations

import re
from html import unescape

from engine.accounts import users
from engine.db import unit_of_work
from tests.support.base import PASSWORD
from tests.support.chain import SYSTEM
from tests.support.web import csrf_of
from tests.support.werkbak import logged_in, ref, references


def saved_links(html: str) -> dict[str, str]:
    section = html.split('id="bewaard-titel"', 1)[1].split("</section>", 1)[0]
    return {name: unescape(href) for href, name in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', section)}


def save(client, query: str, name: str, **extra):
    data = {"naam": name, "csrf_token": csrf_of(client, "/"), **extra}
    return client.post(f"/werkbak/filters?{query}", data=data)


def test_avim_saves_a_filter_opens_it_from_its_link_and_deletes_it(web, chain, handed_over):
    eersel, _bergeijk = handed_over
    avim = logged_in(web, chain, "politie", "oost-brabant-avim")
    assert "U heeft nog geen filters bewaard." in avim.get("/").get_data(as_text=True)
    response = save(avim, "tab=team&vorm=SU&sorteer=nieuwste&pagina=2&kenmerk=SR-2026-00001", "SU, nieuwste eerst")
    assert response.status_code == 302
    assert response.headers["Location"] == "/?tab=team&vorm=SU&sorteer=nieuwste", "no page or search kept"
    html = avim.get("/").get_data(as_text=True)
    assert "Filter ‘SU, nieuwste eerst’ is bewaard." in html
    link = saved_links(html)["SU, nieuwste eerst"]
    assert link == "/?tab=team&vorm=SU&sorteer=nieuwste"
    opened = avim.get(link).get_data(as_text=True)
    assert references(opened) == [ref(eersel)]
    assert re.search(r'aria-current="true">SU, nieuwste eerst</a>', opened), "the active filter is marked"
    action = unescape(re.search(r'action="(/werkbak/filters/\d+/verwijderen[^"]*)"', opened).group(1))
    deleted = avim.post(action, data={"csrf_token": csrf_of(avim, "/")})
    assert deleted.status_code == 302
    assert deleted.headers["Location"] == "/?tab=team&vorm=SU&sorteer=nieuwste", "back to the same view"
    after = avim.get(deleted.headers["Location"]).get_data(as_text=True)
    assert "Filter ‘SU, nieuwste eerst’ is verwijderd." in after
    assert saved_links(after) == {}


def test_saving_under_the_same_name_replaces_the_filter(web, chain):
    af = logged_in(web, chain, "af", "eersel")
    save(af, "vorm=SU", "Mijn filter")
    save(af, "vorm=CU", "  Mijn   filter ")
    assert saved_links(af.get("/").get_data(as_text=True)) == {"Mijn filter": "/?vorm=CU"}


def test_only_the_owner_sees_or_deletes_a_saved_filter(web, chain):
    af = logged_in(web, chain, "af", "eersel")
    save(af, "vorm=SU", "Van de AF")
    action = re.search(r'action="(/werkbak/filters/\d+/verwijderen)', af.get("/").get_data(as_text=True)).group(1)
    with unit_of_work(chain.factory) as session:
        users.create_user(session, actor=SYSTEM, now=chain.at(), username="af2.eersel", password=PASSWORD, role="af",
                          organisation_slug="eersel")
    colleague = web.test_client()
    colleague.post("/inloggen", data={"username": "af2.eersel", "password": PASSWORD,
                                      "csrf_token": csrf_of(colleague, "/inloggen")})
    assert saved_links(colleague.get("/").get_data(as_text=True)) == {}
    refused = colleague.post(action, data={"csrf_token": csrf_of(colleague, "/")})
    assert refused.status_code == 404
    assert "Van de AF" in saved_links(af.get("/").get_data(as_text=True))


def test_saving_needs_a_name_and_a_csrf_token(web, chain):
    af = logged_in(web, chain, "af", "eersel")
    nameless = save(af, "vorm=SU", "   ")
    assert nameless.status_code == 422
    assert "Naam voor dit filter: Geef het filter een naam." in nameless.get_data(as_text=True)
    assert 'id="veld-naam"' in nameless.get_data(as_text=True)
    web.config["WTF_CSRF_ENABLED"] = True
    forged = af.post("/werkbak/filters?vorm=SU", data={"naam": "Vervalst"})
    assert forged.status_code == 400
    assert saved_links(af.get("/").get_data(as_text=True)) == {}
