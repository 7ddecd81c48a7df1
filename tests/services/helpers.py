"""Steps tests repeat (deploy, start, complete), each in its own unit of work as an edge would."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts.actors import Actor
from engine.cases import lifecycle
from engine.db import unit_of_work
from engine.modelling import deployments
from engine.modelling.forms import FormRepository
from engine.models import Case, HumanTask, TaskState
from tests.conftest import model_files


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
