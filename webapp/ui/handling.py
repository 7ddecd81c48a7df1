"""Who holds a task and what the person looking at it may do about it, for the task pages.

Everyone in the team can take a free task or give theirs back; a coordinator also hands a task of
the team to a colleague, or takes it back from one. The rules themselves live
in engine.access and engine.cases.assignment; this only gathers what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.cases import assignment
from engine.models import HumanTask, TaskState, User


@dataclass(frozen=True)
class Colleague:
    username: str
    name: str


@dataclass(frozen=True)
class TaskHandling:
    open: bool  # the task still waits for someone
    mine: bool  # the viewer holds it
    holder_name: str | None  # the colleague who holds it (None: free or mine)
    may_take: bool
    may_give_back: bool
    colleagues: list[Colleague] = field(default_factory=list)  # whom a coordinator can assign it to

    @property
    def free(self) -> bool:
        return self.open and not self.mine and self.holder_name is None

    @property
    def may_assign(self) -> bool:
        return bool(self.colleagues)


def task_handling(session: Session, *, actor: Actor, task: HumanTask) -> TaskHandling:
    ready = task.state == TaskState.READY
    mine = task.assignee_id is not None and task.assignee_id == actor.user_id
    holder = session.get(User, task.assignee_id) if task.assignee_id is not None and not mine else None
    candidates = assignment.colleagues(session, actor=actor, task=task) if ready else []
    return TaskHandling(
        open=ready, mine=mine, holder_name=holder.display_name if holder is not None else None,
        may_take=ready and task.assignee_id is None and access.can_work_on(actor, task),
        may_give_back=ready and mine,
        colleagues=[Colleague(u.username, u.display_name) for u in candidates if u.id != task.assignee_id],
    )
