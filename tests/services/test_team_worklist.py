"""The team's werkbak: every open task of the team with who holds it, acute signals first, and the
coordinator who hands a colleague's task on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.accounts.actors import Actor
from engine.cases import assignment, lifecycle, worklist
from engine.db import unit_of_work
from engine.errors import Forbidden, NotFound
from engine.models import AccessLogEntry, AuditEvent
from tests.support.chain import FORMS, VERRIJKT
from tests.support.helpers import colleague  # noqa: F401


def listing(chain, actor: Actor, **params: str) -> worklist.Worklist:
    with unit_of_work(chain.factory) as session:
        query = worklist.query_from_params(params)
        return worklist.search(session, actor=actor, now=chain.at(), query=query)


def refs(found: worklist.Worklist) -> list[str]:
    return [item.reference for item in found.items]


def act(chain, fn, **kwargs):
    with unit_of_work(chain.factory) as session:
        return fn(session, **kwargs)


def test_the_team_tab_lists_a_task_a_colleague_took_with_who_holds_it(chain):
    first, second = chain.report("eersel"), chain.report("eersel")
    anne = colleague(chain, "anne")
    bram = colleague(chain, "bram")
    act(chain, assignment.claim, actor=anne, now=chain.at(), task_id=chain.ready(first)["verrijken"].id)
    team = listing(chain, bram, tab="team")
    holders = {item.task.instance_id: item.assignee_name for item in team.items}
    assert holders == {first: "Anne", second: None}, "Anne's task stays in view for the team, with her name"
    assert team.counts == {"mijn": 0, "team": 2}
    assert [i.task.instance_id for i in listing(chain, anne, tab="mijn").items] == [first]
    outsider = listing(chain, colleague(chain, "carla", "bergeijk"), tab="team")
    assert outsider.items == [] and outsider.counts == {"mijn": 0, "team": 0}, "another gemeente sees nothing"


def test_a_colleagues_completed_task_stays_out_of_the_team_tab(chain):
    case = chain.report("eersel")
    anne, bram = colleague(chain, "anne"), colleague(chain, "bram")
    task = chain.ready(case)["verrijken"]
    act(chain, assignment.claim, actor=anne, now=chain.at(), task_id=task.id)
    act(chain, lifecycle.complete_task, actor=anne, now=chain.at(), task_id=task.id, data=VERRIJKT, forms=FORMS)
    assert listing(chain, bram, tab="team", status="afgerond").items == []
    assert [i.task.id for i in listing(chain, anne, tab="mijn", status="afgerond").items] == [task.id]


def test_acute_signals_come_first_in_every_tab_then_the_earliest_due_date(chain):
    calm_early = chain.report("eersel")
    chain.do(calm_early, "verrijken", VERRIJKT)  # AVIM's task, due first
    chain.at.advance(days=1)
    calm_late = chain.report("eersel")
    chain.do(calm_late, "verrijken", VERRIJKT)
    chain.at.advance(days=1)
    acute = chain.report("eersel", acuut=True)  # the police get the acute task at once
    avim = chain.person("politie", "oost-brabant-avim")
    for tab in ("team", "alle"):
        found = listing(chain, avim, tab=tab)
        ids = [item.task.instance_id for item in found.items]
        assert ids[0] == acute, f"{tab}: the acute signal leads"
        assert ids.index(calm_early) < ids.index(calm_late), f"{tab}: then the earliest due date"
        assert [item.acuut for item in found.items] == [item.task.instance_id == acute for item in found.items]
    for task in chain.ready(acute).values():
        if task.role == "politie":
            act(chain, assignment.claim, actor=avim, now=chain.at(), task_id=task.id)
    assert [item.task.instance_id for item in listing(chain, avim, tab="mijn").items][0] == acute
    newest = [item.task.instance_id for item in listing(chain, avim, tab="team", sorteer="oudste").items]
    assert newest[0] == calm_early, "a sort the user chose explicitly is honoured as chosen"


def test_a_coordinator_hands_a_colleagues_task_to_another_colleague_audited(chain):
    case = chain.report("eersel")
    coordinator = chain.person("af", "eersel")  # the chain's people coordinate their team
    anne, bram = colleague(chain, "anne"), colleague(chain, "bram")
    task = chain.ready(case)["verrijken"]
    act(chain, assignment.claim, actor=anne, now=chain.at(), task_id=task.id)
    act(chain, assignment.assign, actor=coordinator, now=chain.at(), task_id=task.id, username="bram")
    assert [i.task.id for i in listing(chain, bram, tab="mijn").items] == [task.id]
    assert listing(chain, anne, tab="mijn").items == []
    with unit_of_work(chain.factory) as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "task.assigned")).one()
        assert (event.actor_username, event.payload["assignee"], event.payload["previous_assignee"]) == (
            "af.eersel", "bram", "anne")
    with pytest.raises(NotFound):  # a colleague who is not a coordinator cannot even reach Bram's task
        act(chain, assignment.assign, actor=anne, now=chain.at(), task_id=task.id, username="anne")
    with pytest.raises(NotFound):  # nor can a coordinator of another gemeente
        act(chain, assignment.assign, actor=chain.person("af", "bergeijk"), now=chain.at(), task_id=task.id,
            username="af.bergeijk")


def test_only_a_coordinator_assigns_a_free_task(chain):
    case = chain.report("eersel")
    anne = colleague(chain, "anne")
    colleague(chain, "bram")
    with pytest.raises(Forbidden):
        act(chain, assignment.assign, actor=anne, now=chain.at(), task_id=chain.ready(case)["verrijken"].id,
            username="bram")


def test_a_coordinator_reads_a_held_task_and_the_read_is_logged(chain):
    case = chain.report("eersel")
    coordinator = chain.person("af", "eersel")
    anne, bram = colleague(chain, "anne"), colleague(chain, "bram")
    task = chain.ready(case)["verrijken"]
    act(chain, assignment.claim, actor=anne, now=chain.at(), task_id=task.id)
    seen = act(chain, assignment.view_held_task, actor=coordinator, now=chain.at(), task_id=task.id)
    assert seen.id == task.id
    with unit_of_work(chain.factory) as session:
        reads = session.scalars(select(AccessLogEntry.username).where(AccessLogEntry.instance_id == case)).all()
    assert "af.eersel" in reads
    for refused in (bram, chain.person("af", "bergeijk")):
        with pytest.raises(NotFound):
            act(chain, assignment.view_held_task, actor=refused, now=chain.at(), task_id=task.id)
