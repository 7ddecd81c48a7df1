"""Comparing two versions of a model by element id: added, removed, changed, and what changed."""

from __future__ import annotations

from pathlib import Path

from engine.workflow.diff import ADDED, CHANGED, REMOVED, diff_models

ROOT = Path(__file__).resolve().parents[2]
FRYSLAN = (ROOT / "processes" / "signaal_fryslan.bpmn").read_bytes()
ZORG = (ROOT / "processes" / "gedeeld_zorg.bpmn").read_bytes()


def test_a_file_does_not_differ_from_itself():
    assert diff_models(FRYSLAN, FRYSLAN).empty


def test_a_changed_form_is_named_with_its_old_and_new_value():
    new = FRYSLAN.replace(b'value="signaal-verrijken.json"', b'value="advies-geven.json"')
    [change] = diff_models(FRYSLAN, new).changes
    assert (change.element_id, change.kind, change.element_type) == ("verrijken", CHANGED, "userTask")
    assert [(d.label, d.before, d.after) for d in change.details] == [
        ("Formulier", "signaal-verrijken.json", "advies-geven.json")]


def test_a_changed_timer_marks_the_event_that_holds_it():
    new = ZORG.replace(b'werkdagen(termijnen["terugkoppeling"])', b"werkdagen(10)", 1)
    [change] = diff_models(ZORG, new).changes
    assert change.kind == CHANGED and change.element_type == "boundaryEvent"
    assert [(d.aspect, d.after) for d in change.details] == [("timer", "datum: werkdagen(10)")]


def test_moving_a_shape_is_no_change_to_the_process():
    moved = FRYSLAN.replace(b'<dc:Bounds x="', b'<dc:Bounds x="1', 3)
    assert moved != FRYSLAN
    assert diff_models(FRYSLAN, moved).empty


def test_added_and_removed_elements_are_found_and_a_lane_move_marks_the_task():
    new = FRYSLAN.replace(
        b'<bpmn:startEvent id="signaal_ontvangen"',
        b'<bpmn:task id="nieuwe_stap" name="Nieuwe stap" /><bpmn:startEvent id="signaal_ontvangen"', 1)
    lane_move = new.replace(b"<bpmn:flowNodeRef>verrijken</bpmn:flowNodeRef>", b"", 1).replace(
        b"<bpmn:flowNodeRef>agenderen_procesregisseur</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>agenderen_procesregisseur</bpmn:flowNodeRef>"
        b"<bpmn:flowNodeRef>verrijken</bpmn:flowNodeRef>", 1)
    changes = {c.element_id: c for c in diff_models(FRYSLAN, lane_move).changes}
    assert changes["nieuwe_stap"].kind == ADDED
    assert [(d.aspect, d.before, d.after) for d in changes["verrijken"].details] == [
        ("lane", "AF", "Procesregisseur")]
    removed = diff_models(lane_move, FRYSLAN).changes
    assert [(c.element_id, c.kind) for c in removed if c.kind == REMOVED] == [("nieuwe_stap", REMOVED)]


def test_an_expression_rewritten_by_the_modeller_with_xsi_type_is_not_a_change():
    rewritten = FRYSLAN.replace(
        b"<bpmn:conditionExpression>acuut == True</bpmn:conditionExpression>",
        b'<bpmn:conditionExpression xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:type="bpmn:tFormalExpression">acuut == True</bpmn:conditionExpression>')
    assert rewritten != FRYSLAN
    assert diff_models(FRYSLAN, rewritten).empty


def test_element_types_are_named_in_dutch():
    new = ZORG.replace(b'werkdagen(termijnen["terugkoppeling"])', b"werkdagen(10)", 1)
    [change] = diff_models(ZORG, new).changes
    assert change.type_label == "grensgebeurtenis"
    added = FRYSLAN.replace(
        b'<bpmn:sequenceFlow id="f_verrijken__later_acuut_gw"',
        b'<bpmn:sequenceFlow id="extra" sourceRef="verrijken" targetRef="acuut_oppakken_nagevraagd" />'
        b'<bpmn:sequenceFlow id="f_verrijken__later_acuut_gw"', 1)
    [flow] = diff_models(FRYSLAN, added).changes
    assert flow.type_label == "volgstroom"


def test_a_new_arrow_is_described_by_the_names_of_its_endpoints():
    added = FRYSLAN.replace(
        b'<bpmn:sequenceFlow id="f_verrijken__later_acuut_gw"',
        b'<bpmn:sequenceFlow id="extra" sourceRef="verrijken" targetRef="acuut_oppakken_nagevraagd" />'
        b'<bpmn:sequenceFlow id="f_verrijken__later_acuut_gw"', 1)
    [flow] = diff_models(FRYSLAN, added).changes
    assert (flow.element_id, flow.kind) == ("extra", ADDED)
    assert flow.route == "van 'Signaal verrijken en beoordelen' naar 'Nagevraagd'"


def test_a_rerouted_arrow_names_its_old_and_new_endpoints_not_flow_ids():
    rerouted = FRYSLAN.replace(
        b'id="f_verrijken__later_acuut_gw" sourceRef="verrijken" targetRef="later_acuut_gw"',
        b'id="f_verrijken__later_acuut_gw" sourceRef="verrijken" targetRef="acuut_oppakken_nagevraagd"', 1)
    [change] = diff_models(FRYSLAN, rerouted).changes
    [detail] = change.details
    assert detail.label == "Van → naar"
    assert detail.after == "van 'Signaal verrijken en beoordelen' naar 'Nagevraagd'"
    assert detail.before == "van 'Signaal verrijken en beoordelen' naar 'Nu alsnog acuut?'"


def test_renaming_a_task_does_not_mark_its_arrows_as_changed():
    renamed = FRYSLAN.replace(b'name="Signaal verrijken en beoordelen"', b'name="Verrijken"', 1)
    changes = diff_models(FRYSLAN, renamed).changes
    assert [(c.element_id, [d.aspect for d in c.details]) for c in changes] == [("verrijken", ["name"])]


def test_a_new_id_for_the_same_task_is_a_rename_and_its_arrows_follow_it():
    renamed = FRYSLAN.replace(b'"verrijken"', b'"signaal_verrijken"').replace(b">verrijken<", b">signaal_verrijken<")
    changes = diff_models(FRYSLAN, renamed).changes
    assert [(c.element_id, c.kind, c.old_id) for c in changes] == [("signaal_verrijken", CHANGED, "verrijken")]
    [change] = changes
    assert [(d.label, d.before, d.after) for d in change.details] == [("Id", "verrijken", "signaal_verrijken")]
    assert sorted(diff_models(FRYSLAN, renamed).ids(CHANGED)) == ["signaal_verrijken", "verrijken"]


def test_a_removed_task_and_another_added_with_a_different_name_are_no_rename():
    swapped = FRYSLAN.replace(b'"verrijken"', b'"signaal_verrijken"').replace(
        b">verrijken<", b">signaal_verrijken<").replace(b'name="Signaal verrijken en beoordelen"', b'name="Anders"', 1)
    kinds = {(c.element_id, c.kind) for c in diff_models(FRYSLAN, swapped).changes}
    assert {("signaal_verrijken", ADDED), ("verrijken", REMOVED)} <= kinds
