"""Where a person lands after logging in: the page their role needs first.

Every login goes to ``/`` (or the page it was asked for); ``/`` is the werkbak for the people who
handle cases. Auditors and beheerders have no werkbak (they do no case work, engine.access), and a
melder usually has no tasks: they go on to their own start page instead of an empty list.
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import Role
from engine.models import Case, HumanTask, TaskState

# The first page of each role without a werkbak (endpoint names).
AUDIT_START = "audit.zaken"
BEHEER_START = "beheer.post"
MELDEN = "melden.melden"
MIJN_MELDINGEN = "melden.mijn_meldingen"


def _has_reports(session: Session, actor: Actor) -> bool:
    return bool(session.scalar(select(exists().where(Case.started_by_id == actor.user_id))))


def _has_tasks(session: Session, actor: Actor) -> bool:
    ready = exists().where(access.worklist_filter(actor), HumanTask.state == TaskState.READY)
    return bool(session.scalar(select(ready)))


def start_page(session: Session, actor: Actor) -> str:
    """The endpoint a person of this role starts on."""
    if actor.role == Role.AUDITOR:
        return AUDIT_START
    if actor.role == Role.BEHEERDER:
        return BEHEER_START
    if actor.role == Role.MELDER and not _has_tasks(session, actor):
        return MIJN_MELDINGEN if _has_reports(session, actor) else MELDEN
    return "ui.werkbak"


def elsewhere(session: Session, actor: Actor, *, plain: bool) -> str | None:
    """The endpoint to send a visitor of the bare werkbak address to, or None to show the werkbak.

    ``plain``: the address carries no query; a link with filters is always answered with the werkbak.
    Auditors and beheerders go on in any case: a werkbak of theirs is empty by definition.
    """
    if actor.role in access.NO_CASE_WORK or (plain and actor.role == Role.MELDER):
        target = start_page(session, actor)
        return None if target == "ui.werkbak" else target
    return None
