"""Task forms with nested groups and repeatable rows, as the AF fills them in without JavaScript."""

from __future__ import annotations

import json
import re

import pytest
from werkzeug.datastructures import MultiDict

from engine.db import unit_of_work
from engine.models import AuditEvent
from tests.support.base import FIXTURES
from tests.support.helpers import deploy, ready, start
from tests.support.web import csrf_of
from webapp.ui import task_form

SCHEMA = json.loads((FIXTURES / "forms" / "test-groepen.json").read_text(encoding="utf-8"))


@pytest.fixture
def task_page(factory, world, forms, at, log_in):
    """The AF's open "Betrokkenen vastleggen" task; returns (path, case id)."""
    deploy(factory, world.regisseur, at(), forms, "groepen.bpmn")
    case = start(factory, world.af, at(), "groepen")
    [task] = ready(factory, case).values()
    log_in("af")
    return f"/taken/{task.id}", case


def names(html: str) -> list[str]:
    """The fields of the task's own form (not taking, giving back or assigning the task)."""
    form = html.split('<form method="post" novalidate>', 1)[-1]
    return re.findall(r'<(?:input|textarea|select)[^>]*\bname="([^"]+)"', form)


def value_of(html: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html).group(1)


def test_a_group_is_a_fieldset_and_rows_start_with_one_row_of_their_own_fields(client, task_page):
    path, _case = task_page
    html = client.get(path).get_data(as_text=True)
    assert "<legend>Adres van de locatie</legend>" in html
    assert "<legend>Persoon 1</legend>" in html
    assert "Persoon 2" not in html
    assert [n for n in names(html) if n != "csrf_token"] == [
        "adres.straat", "adres.huisnummer", "adres.plaats", "personen.rijen",
        "personen.0.naam", "personen.0.rol", "personen.0.rol", "personen.0.rol", "personen.0.leeftijd",
        "opmerking"]
    assert 'value="+rij:personen"' in html, "an add-row button that needs no script"
    assert "Verwijder persoon" not in html, "the one required row cannot be removed"


def test_add_row_shows_one_more_empty_row_keeps_what_was_typed_and_stores_nothing(client, task_page, factory):
    path, case = task_page
    response = client.post(path, data={
        "csrf_token": csrf_of(client, path), "adres.straat": "Markt", "adres.huisnummer": "1",
        "personen.rijen": "1", "personen.0.naam": "Anna", "personen.0.rol": "slachtoffer",
        "actie": "+rij:personen"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<legend>Persoon 2</legend>" in html
    assert value_of(html, "adres.straat") == "Markt"
    assert value_of(html, "personen.0.naam") == "Anna"
    assert re.search(r'name="personen.0.rol" value="slachtoffer" checked', html)
    assert value_of(html, "personen.1.naam") == ""
    assert re.search(r'id="veld-personen.1.naam"[^>]*autofocus', html), "focus lands in the new row"
    assert value_of(html, "personen.rijen") == "2"
    assert "foutsamenvatting" not in html, "adding a row is not a submit: nothing is validated"
    assert list(ready(factory, case)) == ["vastleggen"]


def test_removing_a_row_moves_the_later_rows_up(client, task_page):
    path, _case = task_page
    response = client.post(path, data={
        "csrf_token": csrf_of(client, path), "personen.rijen": "3", "personen.0.naam": "Anna",
        "personen.1.naam": "Bas", "personen.2.naam": "Cor", "personen.2.rol": "getuige",
        "actie": "-rij:personen.1"})
    html = response.get_data(as_text=True)
    assert value_of(html, "personen.0.naam") == "Anna"
    assert value_of(html, "personen.1.naam") == "Cor"
    assert re.search(r'name="personen.1.rol" value="getuige" checked', html)
    assert "Persoon 3" not in html


def test_dutch_errors_land_on_the_nested_field_they_are_about(client, task_page, factory):
    path, case = task_page
    response = client.post(path, data={
        "csrf_token": csrf_of(client, path), "adres.straat": "Markt", "adres.huisnummer": "een",
        "personen.rijen": "3", "personen.0.naam": "", "personen.1.naam": "Bas", "personen.2.naam": "Cor",
        "personen.2.rol": "getuige"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'href="#veld-adres.huisnummer">Adres van de locatie: Huisnummer: Vul een geheel getal in.' in html
    # The blank first row is dropped, so Bas is person 1 now and his missing role is reported there.
    assert 'href="#veld-personen.0.rol">Persoon 1: Rol: Dit veld is verplicht.' in html
    assert value_of(html, "personen.0.naam") == "Bas"
    assert value_of(html, "personen.1.naam") == "Cor"
    fieldset = html[html.index('id="veld-personen.0.rol"'):]
    assert fieldset.index('id="fout-personen.0.rol"') < fieldset.index("</fieldset>"), "message inside its group"
    assert "Controleer 2 velden" in html
    assert list(ready(factory, case)) == ["vastleggen"]


def test_a_required_group_left_empty_is_reported_on_the_group(client, task_page):
    path, _case = task_page
    response = client.post(path, data={"csrf_token": csrf_of(client, path), "personen.rijen": "1",
                                       "personen.0.naam": "Anna", "personen.0.rol": "verdachte"})
    html = response.get_data(as_text=True)
    assert 'href="#veld-adres">Adres van de locatie: Dit veld is verplicht.' in html
    assert 'id="fout-adres"' in html


def test_a_complete_form_stores_nested_data_in_the_case(client, task_page, factory):
    path, case = task_page
    response = client.post(path, data={
        "csrf_token": csrf_of(client, path), "adres.straat": "Markt", "adres.huisnummer": "1",
        "personen.rijen": "2", "personen.0.naam": "Anna", "personen.0.rol": "slachtoffer",
        "personen.0.leeftijd": "19", "personen.1.naam": "Bas", "personen.1.rol": "verdachte"})
    assert response.status_code == 302
    assert ready(factory, case) == {}
    with unit_of_work(factory) as session:
        completed = session.query(AuditEvent).filter_by(instance_id=case, event_type="task.completed").one()
        assert completed.payload["data"] == {
            "adres": {"huisnummer": 1, "straat": "Markt"},
            "personen": [{"leeftijd": 19, "naam": "Anna", "rol": "slachtoffer"},
                         {"naam": "Bas", "rol": "verdachte"}],
        }


def test_the_renderer_caps_a_hand_edited_row_count():
    fields, _ = task_form.fields_of(SCHEMA, {"personen": 100_000})
    [rows] = [f for f in fields if f.kind == "rows"]
    assert len(rows.rows) == 5, "maxItems of the schema"
    assert not rows.can_add_row


def test_flat_fields_carry_their_group_in_the_label():
    fields, _ = task_form.fields_of(SCHEMA, {"personen": 2})
    labels = {f.name: f.label for f in task_form.flat(fields)}
    assert labels["adres.straat"] == "Adres van de locatie: Straat"
    assert labels["personen.1.naam"] == "Persoon 2: Naam"


def test_reading_keeps_melden_style_flat_forms_unchanged():
    fields, _ = task_form.fields_of({"type": "object", "properties": {
        "wat": {"type": "string"}, "aantal": {"type": "integer"}, "keuzes": {
            "type": "array", "items": {"enum": ["a", "b"]}}}})
    form = MultiDict([("wat", " iets "), ("aantal", "x"), ("keuzes", "a"), ("keuzes", "b")])
    assert task_form.read_values(fields, form) == ({"wat": "iets", "keuzes": ["a", "b"]},
                                                   {"aantal": "Vul een geheel getal in."})
    assert task_form.posted_values(fields, form) == {"wat": " iets ", "aantal": "x", "keuzes": ["a", "b"]}


def test_a_string_the_renderer_cannot_draw_is_reported_with_its_reason_not_drawn_as_a_text_box():
    from webapp.ui.task_form import fields_of

    schema = {"type": "object", "properties": {
        "naam": {"type": "string"}, "geboren": {"type": "string", "format": "date"},
        "bijlage": {"type": "string", "format": "binary"}, "moment": {"type": "string", "format": "date-time"},
        "scan": {"type": "string", "contentMediaType": "image/png"}, "kaart": {"type": "null"}}}
    fields, unsupported = fields_of(schema)
    assert [(f.name, f.kind) for f in fields] == [("naam", "text"), ("geboren", "date")]
    assert unsupported == ["bijlage (format: binary)", "moment (format: date-time)",
                           "scan (contentMediaType: image/png)", "kaart (type: null)"]
