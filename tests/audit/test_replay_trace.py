"""Stepping through a real case: visits per element grow step by step and the waiting elements are marked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.accounts.actors import Actor
from engine.audit import replay_names, replay_trace
from engine.db import unit_of_work
from engine.errors import Forbidden
from engine.models import Case
from tests.support.chain import FORMS, TERUG, VERRIJKT, ZORG


def trace_of(chain, case, actor=None):
    with unit_of_work(chain.factory) as session:
        return replay_trace.trace(session, actor=actor or Actor.system("t"), now=datetime.now(UTC), instance_id=case)


def test_each_step_shows_what_was_visited_and_what_waits(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    chain.do(case, "zorg_en_opvang", ZORG)
    chain.do(case, "overdracht_politie", TERUG)
    trace = trace_of(chain, case)
    assert trace.consistent and [s.event_type for s in trace.steps] == [
        "instance.started", "task.completed", "task.completed", "task.completed"]
    first, second, third, fourth = trace.steps
    assert first.active == ["signaal_oost_brabant:verrijken", "signaal_oost_brabant:verrijken_termijn"]
    assert "signaal_oost_brabant:verrijken" not in first.visited
    assert second.visited["signaal_oost_brabant:verrijken"] == 1 and second.element_id == "verrijken"
    assert "overdracht_politie_opvolging:overdracht_politie" in second.active, "the task waits inside its sub-process"
    assert "zorg_en_opvang_opvolging:zorg_en_opvang" in second.active, "care does not wait on the police"
    assert fourth.data == TERUG
    assert "signaal_oost_brabant:terugkoppelen_melder" in fourth.active


def test_only_auditors_step_through_a_case(chain):
    case = chain.report("eersel")
    with pytest.raises(Forbidden):
        trace_of(chain, case, chain.person("af", "eersel"))
    assert len(trace_of(chain, case, chain.person("auditor", "eersel")).steps) == 1


def test_a_step_is_described_by_names_from_its_model_and_labels_from_its_form(chain):
    case = chain.report("eersel")
    chain.do(case, "verrijken", VERRIJKT)
    assert chain.fire_timers(days=30) >= 1
    with unit_of_work(chain.factory) as session:
        trace = replay_trace.trace(session, actor=Actor.system("t"), now=datetime.now(UTC), instance_id=case)
        definitions = [session.get(Case, case).definition]
        texts = [replay_names.describe(session, step, previous=trace.steps[n - 1] if n else None,
                                       definitions=definitions, forms=FORMS) for n, step in enumerate(trace.steps)]
    started, enriched, fired = texts[0], texts[1], texts[-1]
    assert [p.name for p in started.waiting] == [
        "Signaal verrijken en beoordelen", "termijn ‘Termijn verstreken’ bij ‘Signaal verrijken en beoordelen’"]
    assert [(p.name, p.count) for p in started.visited][:2] == [("Signaal ontvangen", 1), ("Acuut gevaar?", 1)]
    assert ("exclusieve gateway na ‘Acuut gevaar?’", 1) in [(p.name, p.count) for p in started.visited], \
        "a nameless gateway by its kind and what leads to it"
    assert enriched.sentence.endswith("rondde ‘Signaal verrijken en beoordelen’ af")
    assert enriched.element == "Signaal verrijken en beoordelen"
    fields = {f.label: f.value for f in enriched.data}
    assert fields["Vorm van uitbuiting"] == "Seksuele uitbuiting (SU)" and fields["Is het slachtoffer bekend?"] == "ja"
    assert fired.sentence.startswith("Termijn verstreken: ‘")
    assert fired.element is not None and fired.element.startswith("termijn ‘Terugkoppeling blijft uit’ bij ‘")
    assert fired.element.endswith("in deelproces ‘Signaal overnemen (politie) met opvolging’") or \
        fired.element.endswith("in deelproces ‘Zorg en opvang regelen met opvolging’")
    for text in texts:
        shown = [text.sentence, text.element or "", *(f.label + f.value for f in text.data),
                 *(p.name for p in [*text.waiting, *text.visited])]
        assert not [s for s in shown if ":" in s.replace(": ", "")], "no process:element key"
