"""The "proces" order and the vorm filter: the right tasks in the right order, on every page (issue 19 §1).

Both read copies the task row keeps of its case (migration 0024): the process version's name and the
case's vorm. The copies must follow the case: a step that records a vorm rewrites them in its own
transaction, a new task gets them, and a case moved to another version sorts under that version's name.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Table, insert, select, update

from engine.cases import worklist
from engine.db import unit_of_work
from engine.modelling import migration
from engine.models import HumanTask, ProcessDefinition, TaskState
from tests.support.base import START
from tests.support.helpers import complete, deploy, ready, start
from tests.support.werkbak_rows import Werkbak

TASKS: Table = HumanTask.__table__  # type: ignore[assignment]
DEFINITIONS: Table = ProcessDefinition.__table__  # type: ignore[assignment]
NAMES = ["Arbeidsuitbuiting melden", "Zorgroute", "Bewaken"]


@pytest.fixture
def werkbak(db_url: str) -> Werkbak:
    werkbak = Werkbak(db_url)
    with werkbak.factory.kw["bind"].begin() as conn:  # more process versions, each under its own name
        model = dict(conn.execute(select(DEFINITIONS).limit(1)).one()._mapping)
        del model["id"]
        for number, name in enumerate(NAMES):
            conn.execute(insert(DEFINITIONS), {**model, "process_id": f"proces_{number}", "name": name})
    return werkbak


def _add(werkbak: Werkbak, chance: random.Random, *, process_name: str | None = None,
         due: int | None | str = "random") -> int:
    task_id = werkbak.add(holder=chance.choice([None, None, "af", "af2"]), acuut=chance.random() < 0.2,
                          due=chance.choice([None, -5, 0, 2, 8]) if due == "random" else due,  # type: ignore[arg-type]
                          age=chance.randrange(0, 300))
    values = {"process_name": process_name or chance.choice(NAMES), "vorm": chance.choice(["SU", "AU", "onbekend"])}
    with werkbak.factory.kw["bind"].begin() as conn:
        conn.execute(update(TASKS).where(TASKS.c.id == task_id).values(**values))
    return task_id


def _rows(werkbak: Werkbak, ids: set[int]) -> list[Any]:
    with werkbak.factory.kw["bind"].connect() as conn:
        return list(conn.execute(select(TASKS).where(TASKS.c.id.in_(ids))))


def _term_key(row: Any) -> tuple[Any, ...]:
    """Dated tasks by term, then undated ones by age; ties by age and id."""
    return (row.due_at is None, row.due_at or START, row.created_at, row.id)


@pytest.mark.postgres
@pytest.mark.parametrize("limit", [4, 1000], ids=["keyset", "page numbers"])
def test_the_proces_order_groups_by_process_name_then_term_on_every_page(werkbak, monkeypatch, limit):
    monkeypatch.setattr(worklist, "COUNT_LIMIT", limit)
    chance = random.Random(24)
    ids = {_add(werkbak, chance) for _ in range(30)} | werkbak.existing
    af = werkbak.people["af"]
    expected = [row.id for row in sorted(_rows(werkbak, ids), key=lambda r: (r.process_name, *_term_key(r)))
                if row.state == TaskState.READY]
    params = {"tab": "team", "sorteer": "proces", "per_pagina": "4"}
    forwards, first = werkbak.walk(af, params)
    assert forwards == expected
    assert [item.task.id for item in first.items] == expected[:4]
    backwards, _ = werkbak.walk(af, params, backwards=True)
    assert backwards == list(reversed(expected))


@pytest.mark.postgres
@pytest.mark.parametrize("limit", [4, 1000], ids=["keyset", "page numbers"])
def test_the_vorm_filter_shows_only_that_vorm_in_urgency_order_on_every_page(werkbak, monkeypatch, limit):
    monkeypatch.setattr(worklist, "COUNT_LIMIT", limit)
    chance = random.Random(19)
    ids = {_add(werkbak, chance) for _ in range(30)}
    af = werkbak.people["af"]
    rows = _rows(werkbak, ids)
    for vorm in ("SU", "onbekend"):
        wanted = [r for r in rows if r.vorm == vorm]
        if vorm == "onbekend":  # the generator's own cases have no vorm yet
            wanted += _rows(werkbak, werkbak.existing)
        expected = [r.id for r in sorted(wanted, key=lambda r: (not r.acuut, *_term_key(r)))
                    if r.state == TaskState.READY]
        params = {"tab": "team", "vorm": vorm, "per_pagina": "3"}
        forwards, first = werkbak.walk(af, params)
        assert forwards == expected, vorm
        assert first.counts[worklist.TEAM] == min(len(expected), limit)
        mine = {r.id for r in wanted if r.assignee_id == af.user_id and r.state == TaskState.READY}
        assert first.counts[worklist.MIJN] == min(len(mine), limit)
        assert werkbak.walk(af, params, backwards=True)[0] == list(reversed(expected)), vorm
    assert werkbak.walk(af, {"tab": "team", "vorm": "OV"})[0] == []


@pytest.mark.postgres
def test_a_step_that_records_a_vorm_moves_the_case_s_tasks_into_that_filter(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "drie_taken.bpmn")
    case = start(factory, world.af, at(), "drie_taken", {"bron": "collega"})
    other = start(factory, world.af, at(), "drie_taken", {"bron": "collega"})
    [task] = ready(factory, case).values()

    def listed(actor: Any, **params: str) -> list[int]:
        with unit_of_work(factory) as session:
            found = worklist.search(session, actor=actor, now=at(), query=worklist.query_from_params(params))
        return [item.task.instance_id for item in found.items]

    assert sorted(listed(world.af, vorm="onbekend")) == sorted([case, other]), "no vorm yet: onbekend"
    assert listed(world.af, vorm="SU") == []
    complete(factory, world.af, at.advance(hours=1), forms, task.id,
             {"vorm": "SU", "samenvatting": "Meerdere vrouwen wonen op één adres boven een nagelsalon."})
    [handover] = ready(factory, case).values()
    assert handover.vorm == "SU", "the new task carries the vorm the step recorded"
    assert listed(world.af, tab="mijn", status="afgerond", vorm="SU") == [case], "and so does the completed one"
    assert listed(world.af, vorm="onbekend") == [other]
    for sort in ("oudste", "nieuwste", "proces"):  # these read their own index and the case's vorm
        assert listed(world.af, tab="mijn", status="afgerond", vorm="SU", sorteer=sort) == [case], sort
        assert listed(world.af, vorm="onbekend", sorteer=sort) == [other], sort
    with unit_of_work(factory) as session:
        names = set(session.scalars(select(HumanTask.process_name).where(HumanTask.instance_id == case)))
        definition = session.scalar(select(ProcessDefinition).where(ProcessDefinition.process_id == "drie_taken"))
        assert definition is not None and names == {definition.name or definition.process_id}


def test_positions_keep_working_after_the_last_task_of_a_group_is_completed(werkbak, monkeypatch):
    """A group that empties between two pages is skipped, not an error."""
    monkeypatch.setattr(worklist, "COUNT_LIMIT", 2)
    chance = random.Random(7)
    lone = _add(werkbak, chance, process_name=NAMES[0], due=None)
    for _ in range(6):
        _add(werkbak, chance, process_name=NAMES[1])
    af = werkbak.people["af"]
    first = werkbak.page(af, {"tab": "team", "sorteer": "proces", "per_pagina": "1"})
    assert [item.task.id for item in first.items] == [lone]
    with werkbak.factory.kw["bind"].begin() as conn:
        conn.execute(update(TASKS).where(TASKS.c.id == lone).values(
            state=TaskState.COMPLETED, completed_at=START + timedelta(hours=1)))
    following = werkbak.page(af, first.links["next"])  # type: ignore[arg-type]
    [shown] = following.items
    assert shown.task.id != lone and shown.task.process_name > NAMES[0], "the next group's first task follows"


def test_a_case_moved_to_another_version_sorts_under_that_version_s_name_and_back(factory, world, forms, at):
    deploy(factory, world.regisseur, at(), forms, "migratie_v1.bpmn")
    case = start(factory, world.af, at(), "migratie", {"melding": "b"})
    complete(factory, world.af, at.advance(hours=1), forms, ready(factory, case)["intake"].id, {"x": 1})
    deploy(factory, world.regisseur, at.advance(hours=1), forms, "migratie_v2.bpmn")

    def names() -> set[str]:
        with unit_of_work(factory) as session:
            return set(session.scalars(select(HumanTask.process_name).where(HumanTask.instance_id == case)))

    assert names() == {"Migratie (versie 1)"}
    with unit_of_work(factory) as session:
        migration.migrate(session, actor=world.beheerder, now=at.advance(minutes=1), instance_id=case, to_version=2)
    assert names() == {"Migratie (versie 2)"}, "open and completed tasks alike"
    with unit_of_work(factory) as session:
        found = worklist.search(session, actor=world.af, now=at(), query=worklist.query_from_params(
            {"tab": "team", "sorteer": "proces"}))
    assert [item.process_name for item in found.items] == ["Migratie (versie 2)"]
    with unit_of_work(factory) as session:
        migration.revert(session, actor=world.regisseur, now=at.advance(minutes=1), instance_id=case)
    assert names() == {"Migratie (versie 1)"}
