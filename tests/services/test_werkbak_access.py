"""The werkbak's indexed queries show exactly what the access rule allows, and paging reaches every task once.

The service splits :func:`engine.access.worklist_filter` into index branches (holder, completed-by,
team) and pages by position beyond :data:`worklist.COUNT_LIMIT` (issue 19). The oracle here is the
rule as one SQL condition, as the werkbak evaluated it before: every combination of holder
(me, a colleague, someone of another gemeente, nobody), completer, state and team must give the
same set of tasks in every tab and status, walked page by page forwards and backwards.
"""

from __future__ import annotations

import itertools
import random
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, insert, or_, select

from engine import access
from engine.accounts.actors import Actor
from engine.cases import worklist
from engine.db import unit_of_work
from engine.errors import ValidationFailed
from engine.models import HumanTask, Organisation, TaskState

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import werkbak as generator  # noqa: E402  (bench/werkbak.py: people af, af2 (Eersel), leeg (Bladel), avim (politie))

from tests.support.base import START  # noqa: E402

TASKS: Table = HumanTask.__table__  # type: ignore[assignment]
STATES = [TaskState.READY, TaskState.COMPLETED, TaskState.CANCELLED]
STATUS_OF = {"open": [TaskState.READY], "afgerond": [TaskState.COMPLETED], "vervallen": [TaskState.CANCELLED],
             "alle": STATES}


class Werkbak:
    """People, a case to hang task rows on, and a way to add rows in any combination."""

    def __init__(self, db_url: str):
        self.factory, self.people, templates = generator.build(db_url)
        self.template = templates["open"]["tasks"][0]
        with unit_of_work(self.factory) as session:
            self.org = {slug: session.scalar(select(Organisation.id).where(Organisation.slug == slug))
                        for slug in ("eersel", "bladel")}
        with unit_of_work(self.factory) as session:
            self.existing = set(session.scalars(select(HumanTask.id)))  # the generator's service-made tasks
        self.teams = {"mijn team": ("af", self.org["eersel"]), "af elders": ("af", self.org["bladel"]),
                      "politie hier": ("politie", self.org["eersel"])}

    def add(self, *, team: str = "mijn team", holder: str | None = None, completer: str | None = None,
            state: str = TaskState.READY, acuut: bool = False, due: int | None = 3, age: int = 0) -> int:
        role, organisation = self.teams[team]
        created = START + timedelta(minutes=age)
        row = {**self.template, "spiff_task_id": str(uuid.uuid4()), "role": role, "organisation_id": organisation,
               "assignee_id": self.people[holder].user_id if holder else None,
               "completed_by_id": self.people[completer].user_id if completer else None, "state": state,
               "acuut": acuut, "created_at": created, "due_at": None if due is None else created + timedelta(days=due),
               "completed_at": None if state == TaskState.READY else created}
        del row["id"]
        with self.factory.kw["bind"].begin() as conn:
            return conn.execute(insert(TASKS).returning(TASKS.c.id), row).scalar_one()

    def allowed(self, actor: Actor, tab: str, status: str) -> set[int]:
        """The rule as one condition (the oracle): worklist_filter, the tab's own condition, the status."""
        conditions = [access.worklist_filter(actor), HumanTask.state.in_(STATUS_OF[status])]
        if tab == worklist.MIJN:
            conditions.append(or_(HumanTask.assignee_id == actor.user_id, HumanTask.completed_by_id == actor.user_id))
        elif tab == worklist.TEAM:
            role, organisation = access.team_of(actor) or ("", -1)
            conditions += [HumanTask.role == role, HumanTask.organisation_id == organisation]
        with unit_of_work(self.factory) as session:
            return set(session.scalars(select(HumanTask.id).where(*conditions)))

    def page(self, actor: Actor, params: dict[str, str]) -> worklist.Worklist:
        with unit_of_work(self.factory) as session:
            return worklist.search(session, actor=actor, now=START, query=worklist.query_from_params(params))

    def walk(self, actor: Actor, params: dict[str, str], *, backwards: bool = False,
             between: Any = None) -> tuple[list[int], worklist.Worklist]:
        """Every task id met by following next links (or previous links from the last page)."""
        first = self.page(actor, params)
        listing = self.page(actor, first.links["last"]) if backwards else first  # type: ignore[arg-type]
        seen: list[int] = []
        while True:
            ids = [item.task.id for item in listing.items]
            seen += list(reversed(ids)) if backwards else ids
            following = listing.links["previous" if backwards else "next"]
            if following is None:
                return seen, first
            if between is not None:
                between()
            listing = self.page(actor, following)


@pytest.fixture
def werkbak(db_url):
    return Werkbak(db_url)


@pytest.fixture
def every_combination(werkbak):
    """108 tasks: each holder x completer x state x team, with acute flags and terms mixed in."""
    holders = ["af", "af2", "leeg", None]
    completers = ["af", "af2", None]
    for number, (holder, completer, state, team) in enumerate(
            itertools.product(holders, completers, STATES, werkbak.teams)):
        werkbak.add(team=team, holder=holder, completer=completer, state=state, acuut=number % 5 == 0,
                    due=[None, -2, 4, 9][number % 4], age=number * 7 % 50)
    return werkbak


@pytest.mark.parametrize("limit", [3, 1000], ids=["keyset beyond 3", "page numbers"])
@pytest.mark.parametrize("who", ["af", "af2", "leeg", "avim"])
def test_every_tab_and_status_shows_exactly_what_the_access_rule_allows(every_combination, monkeypatch, limit, who):
    werkbak = every_combination
    monkeypatch.setattr(worklist, "COUNT_LIMIT", limit)
    actor = werkbak.people[who]
    for tab, status in itertools.product((worklist.MIJN, worklist.TEAM, worklist.ALLE), STATUS_OF):
        allowed = werkbak.allowed(actor, tab, status)
        for sort in worklist.SORTERINGEN:
            params = {"tab": tab, "status": status, "sorteer": sort, "per_pagina": "5"}
            seen, first = werkbak.walk(actor, params)
            assert sorted(seen) == sorted(allowed), (who, tab, status, sort)
            assert first.total == min(len(allowed), limit) and first.exact == (len(allowed) <= limit)
            if first.exact:
                continue  # numbered pages: the same links both ways
            back, _ = werkbak.walk(actor, params, backwards=True)
            assert sorted(back) == sorted(allowed), ("backwards", who, tab, status, sort)


def test_holder_team_and_completer_each_decide_their_own_part(werkbak):
    mine_elsewhere = werkbak.add(team="af elders", holder="af")
    colleague_open = werkbak.add(holder="af2")
    colleague_done = werkbak.add(holder="af2", completer="af2", state=TaskState.COMPLETED)
    done_by_me_unclaimed = werkbak.add(completer="af", state=TaskState.COMPLETED)
    done_by_me_held_by_colleague = werkbak.add(holder="af2", completer="af", state=TaskState.COMPLETED)
    free_in_team = werkbak.add()
    other_gemeente = werkbak.add(team="af elders")
    other_role = werkbak.add(team="politie hier")
    af = werkbak.people["af"]

    def ids(**params: str) -> set[int]:
        return set(werkbak.walk(af, {"per_pagina": "100", **params})[0]) - werkbak.existing

    assert ids(tab="mijn") == {mine_elsewhere}, "held by me counts wherever the task is offered"
    assert ids(tab="team") == {colleague_open, free_in_team}, "the team sees a colleague's open task, with holder"
    assert ids(tab="mijn", status="afgerond") == {done_by_me_unclaimed}, (
        "done without claiming is mine; done while a colleague held it stays the colleague's")
    assert ids(tab="team", status="afgerond") == {done_by_me_unclaimed}
    assert colleague_done not in ids(status="alle") and done_by_me_held_by_colleague not in ids(status="alle")
    assert not ids(status="alle") & {other_gemeente, other_role}, "role and organisation must both match"
    assert ids(status="alle") == {mine_elsewhere, colleague_open, free_in_team, done_by_me_unclaimed}
    bladel = set(werkbak.walk(werkbak.people["leeg"], {"status": "alle"})[0]) - werkbak.existing
    assert bladel == {mine_elsewhere, other_gemeente}, "Bladel's AF sees Bladel's open tasks, also the one I hold"


@pytest.mark.parametrize("sort", list(worklist.SORTERINGEN))
def test_paging_meets_every_task_once_while_tasks_are_added_between_pages(werkbak, monkeypatch, sort):
    """New tasks land anywhere in the order between two page requests; no task is skipped or shown twice."""
    monkeypatch.setattr(worklist, "COUNT_LIMIT", 5)
    chance = random.Random(19)

    def add_some() -> int:
        return werkbak.add(holder=chance.choice([None, "af", "af2"]), acuut=chance.random() < 0.2,
                           due=chance.choice([None, -5, 0, 2, 8, 20]), age=chance.randrange(0, 400))

    before = {add_some() for _ in range(40)}
    added: list[int] = []
    for backwards in (False, True):
        seen, _ = werkbak.walk(werkbak.people["af"], {"tab": "team", "sorteer": sort, "per_pagina": "3"},
                               backwards=backwards, between=lambda: added.extend([add_some(), add_some()]))
        assert len(seen) == len(set(seen)), "no task twice"
        direction = "backwards" if backwards else "forwards"
        assert before <= set(seen), f"every task that was there from the start is met ({direction})"
        before |= set(added)


def test_a_position_from_another_sort_order_or_an_edited_one_is_refused(werkbak, monkeypatch):
    monkeypatch.setattr(worklist, "COUNT_LIMIT", 2)
    for age in range(6):
        werkbak.add(age=age)
    af = werkbak.people["af"]
    following = werkbak.page(af, {"tab": "team", "per_pagina": "2"}).links["next"]
    assert following is not None and "na" in following
    with pytest.raises(ValidationFailed) as refused:
        werkbak.page(af, {**following, "sorteer": "nieuwste"})
    assert "na" in (refused.value.details or {})
    with pytest.raises(ValidationFailed):
        werkbak.page(af, {**following, "na": following["na"][:-4] + "AAAA"})
    with pytest.raises(ValidationFailed) as beyond:
        werkbak.page(af, {"tab": "team", "per_pagina": "2", "pagina": "3"})
    assert "pagina" in (beyond.value.details or {}), "page numbers stop where the count stops"
