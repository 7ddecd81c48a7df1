"""Find active cases that wait for nothing: report them to people, never repair them (a guess could route a signal
wrongly).

Every step already refuses to strand a case (:func:`engine.workflow.runner.can_move`); this catches
what got past that check anyway (a case stored by an older release, a restored backup, a bug). A
stranded case needs a person to look at it; silently completing or restarting it would hide the
cause and change the case without an audited decision.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.cases import case_store
from engine.models import Case, HumanTask, TaskState, Timer, TimerState
from engine.models.cases import CaseStatus
from engine.workflow import runner


def stranded_case_ids(session: Session, *, limit: int = 1000) -> list[int]:
    """Active cases that are not completed and have no ready task, waiting timer or waiting event.

    The task and timer indexes narrow the search without deserializing anything; only the few
    cases they leave are loaded, because a case may wait for a message or signal the indexes
    do not hold.
    """
    candidates = session.scalars(
        select(Case.id)
        .where(Case.status == CaseStatus.ACTIVE,
               ~exists().where(HumanTask.instance_id == Case.id, HumanTask.state == TaskState.READY),
               ~exists().where(Timer.instance_id == Case.id, Timer.state == TimerState.WAITING))
        .order_by(Case.id).limit(limit)
    ).all()
    stranded = []
    for case_id in candidates:
        instance = session.get(Case, case_id)
        if instance is None:
            continue
        if not runner.can_move(case_store.load_workflow(session, instance)):
            stranded.append(case_id)
    return stranded
