"""Who may see and do what: roles x organisation x participation in a case.

One module, so every entry point (UI, API, CLI) asks the same questions. Denials are shaped
by the caller as 404 where existence itself must not leak.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, or_, select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.models import Case, HumanTask, TaskState

DEPLOYERS = frozenset({Role.PROCESREGISSEUR, Role.BEHEERDER})
NO_CASE_WORK = frozenset({Role.AUDITOR, Role.BEHEERDER})
AUDIT_LOG_CHECKERS = frozenset({Role.AUDITOR, Role.BEHEERDER})
MODEL_READERS = DEPLOYERS | {Role.AUDITOR}
MODEL_AUDITORS = frozenset({Role.AUDITOR, Role.BEHEERDER})


def can_deploy(actor: Actor) -> bool:
    return actor.role in DEPLOYERS


def can_read_models(actor: Actor) -> bool:
    """Read every deployed version, its files, forms and diffs: whoever may deploy, and the auditor read-only.

    Process and form changes are part of the audit trail (they decide where signals go); they hold policy, no
    personal data.
    """
    return actor.role in MODEL_READERS


def can_audit_models(actor: Actor) -> bool:
    """The read-only audit pages of process and form changes: the auditor, and the beheerder who may read
    models anyway. The procesregisseur reads the same history on the modeller's pages."""
    return actor.role in MODEL_AUDITORS


def can_migrate(actor: Actor) -> bool:
    """Move running cases to another process version, and move them back: whoever may deploy."""
    return actor.role in DEPLOYERS


def can_start_cases(actor: Actor) -> bool:
    return actor.role is not None and actor.role not in NO_CASE_WORK


def can_manage(actor: Actor) -> bool:
    """Functional management: users, configuration, the outbox; never case content."""
    return actor.role == Role.BEHEERDER


def can_review_access(actor: Actor) -> bool:
    """The yearly access review (who holds which role, 2FA, tokens): the beheerder, or the operator's CLI.

    It holds no case content, only accounts; someone at the server's command line can read those anyway.
    """
    return actor.is_system or actor.role == Role.BEHEERDER


def can_execute_timers(actor: Actor) -> bool:
    return actor.role == Role.BEHEERDER


def can_audit(actor: Actor) -> bool:
    """Read-only: any case's full history, its access log, and exports of both. Auditors only."""
    return actor.role == Role.AUDITOR


def can_check_audit_log(actor: Actor) -> bool:
    """See and start verifications of the hash chains; no case content is involved."""
    return actor.role in AUDIT_LOG_CHECKERS


def _task_rule(user_id: Any, role: Any, organisation_id: Any) -> ColumnElement[bool]:
    return or_(
        HumanTask.assignee_id == user_id,
        and_(
            HumanTask.assignee_id.is_(None),
            HumanTask.role == role,
            HumanTask.organisation_id == organisation_id,
        ),
    )


def task_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL condition: tasks assigned to the actor, or of their role within their organisation."""
    if task_filter_params(actor) is None:
        return HumanTask.id.is_(None)
    return _task_rule(actor.user_id, str(actor.role), actor.organisation_id)


# The same rule with the actor as bind parameters (values from task_filter_params): a statement
# built once around it skips rebuilding and re-keying the expression on every call.
BOUND_TASK_FILTER = _task_rule(bindparam("actor_user_id"), bindparam("actor_role"), bindparam("actor_organisation_id"))


def task_filter_params(actor: Actor) -> dict[str, Any] | None:
    """Bind values for :data:`BOUND_TASK_FILTER`; None when the actor may work on no task at all."""
    if actor.user_id is None or actor.role in NO_CASE_WORK:
        return None
    return {"actor_user_id": actor.user_id, "actor_role": str(actor.role),
            "actor_organisation_id": actor.organisation_id}


def can_work_on(actor: Actor, task: HumanTask) -> bool:
    if actor.user_id is None or actor.role in NO_CASE_WORK:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == actor.user_id
    return task.role == actor.role and task.organisation_id == actor.organisation_id


def team_of(actor: Actor) -> tuple[str, int] | None:
    """(role, organisation id) of the actor's team, or None for someone who does no case work."""
    if actor.user_id is None or actor.role in NO_CASE_WORK or actor.organisation_id is None:
        return None
    return str(actor.role), actor.organisation_id


def in_team(actor: Actor, task: HumanTask) -> bool:
    """The task is offered to the actor's team (its role in its organisation), whoever holds it now."""
    team = team_of(actor)
    return team is not None and (task.role, task.organisation_id) == team


def worklist_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for the werkbak: what :func:`task_filter` allows, plus the team's open tasks that a
    colleague holds ("Taken van mijn team" shows who has each one in hand, so nothing is left lying).

    A colleague's open task shows as a row (name, case reference, holder); opening it is for the holder
    and, read-only, for a coordinator (:func:`can_view_task`). Completed tasks a colleague held stay theirs.
    """
    team = team_of(actor)
    if team is None:
        return HumanTask.id.is_(None)
    role, organisation_id = team
    return or_(
        HumanTask.assignee_id == actor.user_id,
        and_(HumanTask.role == role, HumanTask.organisation_id == organisation_id,
             or_(HumanTask.state == TaskState.READY, HumanTask.assignee_id.is_(None))),
    )


def can_view_task(actor: Actor, task: HumanTask) -> bool:
    """Open the task page: whoever may work on it, and a coordinator for every task of the team
    (read-only while a colleague holds it, so they can see who has it and hand it on)."""
    return can_work_on(actor, task) or (actor.coordinator and in_team(actor, task))


def case_filter(actor: Actor) -> ColumnElement[bool]:
    """SQL condition for cases the actor may see: the gemeente's AF and the holders of the case's tasks.

    Reporting a signal gives no access to the case it starts (docs/domain.md, "Privacy": need to know). The
    melder reads only the feedback meant for them ("Mijn meldingen"); the case holds the AF's
    assessment and the partners' findings, which a melder must not see, least of all once a criminal
    investigation starts. Found by tests/security/test_matrix.py.
    """
    if actor.role == Role.AUDITOR:
        return Case.id.is_not(None)
    if actor.user_id is None or actor.role == Role.BEHEERDER:
        return Case.id.is_(None)
    participates = exists(
        select(HumanTask.id).where(HumanTask.instance_id == Case.id, task_filter(actor))
    )
    team = team_of(actor)
    if actor.coordinator and team is not None:  # a coordinator answers for every case the team works on
        participates = exists(select(HumanTask.id).where(
            HumanTask.instance_id == Case.id,
            or_(task_filter(actor), and_(HumanTask.role == team[0], HumanTask.organisation_id == team[1]))))
    own_gemeente = Case.organisation_id == actor.organisation_id if actor.role == Role.AF else false()
    return or_(participates, own_gemeente)


def can_see_case(session: Session, actor: Actor, instance_id: int) -> bool:
    found = session.scalar(select(Case.id).where(Case.id == instance_id, case_filter(actor)))
    return found is not None
