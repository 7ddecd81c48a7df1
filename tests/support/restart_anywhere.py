"""Run one case three ways and say what it ended as (Zeebe's replay property: restoring on any worker gives the same
case).

A *driver* decides every step from what the database shows (ready tasks, waiting timers), so the
same decisions are taken however the steps are executed:

* ``straight``: every step in this process, caches warm;
* ``fresh``: this process, but with every spec cache emptied before each step, as a newly started
  worker has them. Honest limit: the interpreter is the same one (SpiffWorkflow's modules stay
  imported); a genuinely new interpreter is what ``workers`` gives;
* ``workers``: the steps alternate between two separate Python processes (spawned, like two gunicorn
  workers), each with its own caches, so a child created on one is completed on the other.

Steps are plain tuples, so they cross process boundaries; :func:`perform` executes one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import users
from engine.cases import case_store, intake, lifecycle, timers
from engine.cases.lifecycle import ModelError
from engine.db import make_session_factory, unit_of_work
from engine.modelling import specs
from engine.modelling.forms import FormRepository
from engine.models import AuditEvent, Case, HumanTask, Organisation, TaskState, Timer, TimerState
from engine.models.users import User
from engine.regions.regions import Region, load_regions
from engine.workflow import runner, task_ids
from tests.support.base import shared_engine

ROOT = Path(__file__).resolve().parents[2]
CONSTRUCTS = Path(__file__).resolve().parents[1] / "fixtures" / "constructs"
ROUTE_FORMS = FormRepository(ROOT / "forms")
TEST_FORMS = FormRepository(Path(__file__).resolve().parents[1] / "fixtures" / "forms")
MAX_STEPS = 60
Step = tuple[Any, ...]


@cache
def _regions() -> dict[str, Region]:
    return load_regions(ROOT / "processes" / "regions")


def _factory(db_url: str) -> sessionmaker[Session]:
    return make_session_factory(shared_engine(db_url))


def _actor(session: Session, username: str) -> Any:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None, username
    return users.actor_for(user)


def perform(db_url: str, step: Step) -> str:
    """Execute one step in its own unit of work; returns "ok" or the Dutch model error."""
    factory = _factory(db_url)
    kind, *args = step
    try:
        if kind == "forget":  # a new case: empty caches, and no connection to the last test's database file
            specs.forget_all()
            shared_engine(db_url).dispose()
        elif kind == "start":
            process_id, data, username, now = args
            with unit_of_work(factory) as session:
                return str(lifecycle.start_case(session, actor=_actor(session, username), now=now,
                                                    process_id=process_id, data=data).id)
        elif kind == "report":
            gemeente, melding, username, now = args
            with unit_of_work(factory) as session:
                return str(intake.report_signal(session, actor=_actor(session, username), now=now, regions=_regions(),
                                                forms=ROUTE_FORMS, melding=melding, gemeente=gemeente).id)
        elif kind == "complete":
            task_id, username, data, now, catalogue = args
            with unit_of_work(factory) as session:
                lifecycle.complete_task(session, actor=_actor(session, username), now=now, task_id=task_id,
                                        data=data, forms=TEST_FORMS if catalogue else ROUTE_FORMS)
        elif kind == "advice":
            gemeente, vraag, username, now = args
            with unit_of_work(factory) as session:
                return str(intake.ask_advice(session, actor=_actor(session, username), now=now, regions=_regions(),
                                             vraag=vraag, gemeente=gemeente).id)
        elif kind == "fire":  # this case's due timers, each in its own unit of work as the scheduler does
            case, now = args
            with unit_of_work(factory) as session:
                due = list(session.scalars(select(Timer.id).where(
                    Timer.instance_id == case, Timer.state == TimerState.WAITING, Timer.due_at <= now)
                    .order_by(Timer.due_at, Timer.id)))
            for timer_id in due:
                with unit_of_work(factory) as session:
                    timers.fire_timer_if_due(session, timer_id=timer_id, now=now)
        else:
            raise ValueError(kind)
    except ModelError as exc:
        return f"fout: {exc.message}"
    return "ok"


class Executor:
    """Where steps run; ``before_step`` lets the fresh mode empty the caches."""

    def __init__(self, db_url: str, run: Callable[[str, Step], str], before_step: Callable[[], None] = lambda: None):
        self.db_url = db_url
        self._run = run
        self._before = before_step

    def __call__(self, step: Step) -> str:
        self._before()
        return self._run(self.db_url, step)


def straight(db_url: str) -> Executor:
    return Executor(db_url, perform)


def fresh(db_url: str) -> Executor:
    return Executor(db_url, perform, before_step=specs.forget_all)


def alternating(db_url: str, pools: tuple[ProcessPoolExecutor, ProcessPoolExecutor]) -> Executor:
    """Steps go to worker A, B, A, B, ...; both start the case with empty caches."""
    for pool in pools:
        pool.submit(perform, db_url, ("forget",)).result()
    turn = iter(range(10**6))

    def run(url: str, step: Step) -> str:
        return pools[next(turn) % 2].submit(perform, url, step).result()

    return Executor(db_url, run)


@dataclass
class Scenario:
    """A case to run: how it starts and how a task is answered."""

    name: str
    first_step: Callable[[datetime], Step]
    answer: Callable[[HumanTask, int, random.Random], dict[str, Any]]
    holder: Callable[[Session, HumanTask], str]
    catalogue: bool
    seed: int = 0
    timer_every: int = 2  # every so many steps a waiting timer fires, if there is one
    max_steps: int = MAX_STEPS
    prepare: Callable[[str], None] = lambda _username: None  # make sure the account exists


def drive(factory: sessionmaker[Session], execute: Executor, scenario: Scenario, start: datetime) -> int:
    """Run the scenario's case to its end (or ``max_steps``); returns the case id.

    Every ``timer_every`` steps a waiting timer fires when there is one, so timers on ready tasks really fire;
    otherwise the ready task with the smallest (element id, row id) is completed.
    """
    rng = random.Random(scenario.seed)
    now = start
    result = execute(scenario.first_step(now))
    assert result.isdigit(), f"{scenario.name}: the case did not start: {result}"
    case = int(result)
    for step in range(1, scenario.max_steps):
        now += timedelta(minutes=10)
        with unit_of_work(factory) as session:
            status = session.get(Case, case).status  # type: ignore[union-attr]
            tasks = list(session.scalars(select(HumanTask).where(HumanTask.instance_id == case,
                                                                 HumanTask.state == TaskState.READY)
                                         .order_by(HumanTask.element_id, HumanTask.id)))
            due = session.scalar(select(Timer.due_at).where(Timer.instance_id == case,
                                                            Timer.state == TimerState.WAITING)
                                 .order_by(Timer.due_at, Timer.id).limit(1))
            chosen = tasks[0].id if tasks else None
            who = scenario.holder(session, tasks[0]) if tasks else ""
            answer = scenario.answer(tasks[0], step, rng) if tasks else {}
        if status != "active":
            break
        if due is not None and (chosen is None or step % scenario.timer_every == 1):
            now = max(now, due)
            execute(("fire", case, now))
            continue
        if chosen is not None:
            scenario.prepare(who)
            execute(("complete", chosen, who, answer, now, scenario.catalogue))
        else:
            break
    return case


def outcome(factory: sessionmaker[Session], case: int) -> dict[str, Any]:
    """What a user (or auditor) would compare: status, tasks, timers, events and the case data."""
    with unit_of_work(factory) as session:
        instance = case_store.lock_case(session, case)
        assert instance is not None
        workflow = case_store.load_workflow(session, instance)
        data = {k: v for k, v in workflow.data.items() if k != task_ids.KEY}
        return {
            "status": instance.status,
            "error": instance.error_message,
            "tasks": [(t.element_id, t.state) for t in session.scalars(
                select(HumanTask).where(HumanTask.instance_id == case).order_by(HumanTask.id))],
            "timers": [(t.element_id, t.state, t.due_at) for t in session.scalars(
                select(Timer).where(Timer.instance_id == case).order_by(Timer.id))],
            "events": [e.event_type for e in session.scalars(
                select(AuditEvent).where(AuditEvent.instance_id == case).order_by(AuditEvent.seq))],
            "workflow_data": data,
            "case_data": runner.case_data(workflow),
            "ready_in_workflow": sorted(t.element_id for t in runner.ready_human_tasks(workflow)),
        }


# --- the catalogue of constructs ---------------------------------------------------------------

def catalogue_answer(task: HumanTask, step: int, _rng: random.Random) -> dict[str, Any]:
    """Every answer carries the step (loop conditions read it) and an output item for multi-instance."""
    return {"stap": step, "uitkomst": f"{task.element_id}-{step}", f"gedaan_{task.element_id}": step}


def catalogue_holder(_session: Session, _task: HumanTask) -> str:
    return "af"  # no lanes: every task goes to the definition's default role, the AF of the case's gemeente


def organisation_holder(session: Session, task: HumanTask) -> str:
    """The account tests.support.chain creates for (role, organisation)."""
    slug = session.scalar(select(Organisation.slug).where(Organisation.id == task.organisation_id))
    return f"{task.role}.{slug}"


def report_start(gemeente: str, melding: dict[str, Any]) -> Callable[[datetime], Step]:
    return lambda now: ("report", gemeente, melding, f"melder.{gemeente}", now)


def advice_start(gemeente: str, vraag: str) -> Callable[[datetime], Step]:
    return lambda now: ("advice", gemeente, vraag, f"melder.{gemeente}", now)


def process_start(process_id: str, data: dict[str, Any]) -> Callable[[datetime], Step]:
    return lambda now: ("start", process_id, data, "af", now)


START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
