"""Stepping through a real case: visits per element grow step by step and the waiting elements are marked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.accounts.actors import Actor
from engine.audit import replay_trace
from engine.db import unit_of_work
from engine.errors import Forbidden
from tests.support.chain import TERUG, VERRIJKT, ZORG


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
    assert "overdracht_partners:overdracht_politie" in second.active, "the call activity's task waits"
    assert "zorg_regelen:zorg_en_opvang" in second.active, "care does not wait on the police"
    assert fourth.data == TERUG
    assert "signaal_oost_brabant:terugkoppelen_melder" in fourth.active


def test_only_auditors_step_through_a_case(chain):
    case = chain.report("eersel")
    with pytest.raises(Forbidden):
        trace_of(chain, case, chain.person("af", "eersel"))
    assert len(trace_of(chain, case, chain.person("auditor", "eersel")).steps) == 1
