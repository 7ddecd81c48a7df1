"""Task rows in any combination of holder, completer, state and team, on the benchmark's people (issue 19).

Shared by the werkbak tests (tests/services/test_werkbak_access.py, test_werkbak_proces_vorm.py): the
people and templates come from ``bench/werkbak.py``; rows are copies of its service-made task row.
"""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, or_, select

from engine import access
from engine.accounts.actors import Actor
from engine.cases import worklist
from engine.db import unit_of_work
from engine.models import HumanTask, Organisation, TaskState
from tests.support.base import START, shared_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import werkbak as generator  # noqa: E402  (bench/werkbak.py: people af, af2 (Eersel), leeg (Bladel), avim (politie))

TASKS: Table = HumanTask.__table__  # type: ignore[assignment]
STATES = [TaskState.READY, TaskState.COMPLETED, TaskState.CANCELLED]
STATUS_OF = {"open": [TaskState.READY], "afgerond": [TaskState.COMPLETED], "vervallen": [TaskState.CANCELLED],
             "alle": STATES}


class Werkbak:
    """People, a case to hang task rows on, and a way to add rows in any combination."""

    def __init__(self, db_url: str):
        # The process's engine for the URL: the walks' many statement shapes compile once, not once per test.
        self.factory, self.people, templates = generator.build(db_url, shared_engine(db_url))
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
