"""Steps tests repeat (deploy, start, complete), each in its own unit of work as an edge would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import users
from engine.accounts.actors import Actor
from engine.cases import lifecycle
from engine.db import unit_of_work
from engine.modelling import deployments
from engine.modelling.forms import FormRepository
from engine.models import Case, HumanTask, TaskState, Timer
from tests.support.base import PASSWORD, model_files
from tests.support.chain import SYSTEM


def deploy(factory: sessionmaker[Session], actor: Actor, now: datetime, forms: FormRepository, *names: str,
           comment: str = "test") -> int:
    with unit_of_work(factory) as session:
        return deployments.deploy(session, actor=actor, now=now, files=model_files(*names), comment=comment,
                                  forms=forms).id


def start(factory: sessionmaker[Session], actor: Actor, now: datetime, process_id: str,
          data: dict[str, Any] | None = None, **kwargs: Any) -> int:
    with unit_of_work(factory) as session:
        return lifecycle.start_case(session, actor=actor, now=now, process_id=process_id,
                                        data=data or {}, **kwargs).id


def ready(factory: sessionmaker[Session], instance_id: int) -> dict[str, HumanTask]:
    """Ready tasks of a case by element id."""
    with unit_of_work(factory) as session:
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id,
                                                       HumanTask.state == TaskState.READY))
        return {row.element_id: row for row in rows}


def complete(factory: sessionmaker[Session], actor: Actor, now: datetime, forms: FormRepository, task_id: int,
             data: dict[str, Any] | None = None) -> str:
    with unit_of_work(factory) as session:
        return lifecycle.complete_task(session, actor=actor, now=now, task_id=task_id, data=data or {},
                                       forms=forms).status


def status(factory: sessionmaker[Session], instance_id: int) -> str:
    with unit_of_work(factory) as session:
        row = session.get(Case, instance_id)
        assert row is not None
        return row.status


def strand(factory, world, at, forms) -> tuple[int, int, str]:
    """Take the side path, then finish the other branch: the join waits for a branch that never comes."""
    deploy(factory, world.regisseur, at(), forms, "vastgelopen.bpmn")
    case = start(factory, world.af, at(), "vastgelopen")
    tasks = ready(factory, case)
    complete(factory, world.af, at.advance(minutes=1), forms, tasks["tweede"].id, {"samen": False})
    with unit_of_work(factory) as session:
        state_before = session.get(Case, case).state
    return case, ready(factory, case)["eerste"].id, state_before


def colleague(chain, username: str, organisation: str = "eersel", *, role: str = "af",
              coordinator: bool = False) -> Actor:
    """A second person in a team; ``chain.person`` makes coordinators, this one usually is not."""
    with unit_of_work(chain.factory) as session:
        user = users.create_user(session, actor=SYSTEM, now=chain.at(), username=username, password=PASSWORD,
                                 role=role, organisation_slug=organisation, display_name=username.title(),
                                 coordinator=coordinator)
        return users.actor_for(user)


PROCESS = "terugkoppeling_bewaken"


def waiting(factory, case):
    with unit_of_work(factory) as session:
        return list(session.scalars(select(Timer).where(Timer.instance_id == case, Timer.state == "waiting")))
