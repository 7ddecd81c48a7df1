"""Run `audit verify` and keep its outcome, so the UI can show when the log was last proven intact.

Every run (command line, the scheduler's nightly job, the button on the beheer page) lands as one
``audit_verification`` row in the caller's transaction. Problems are stored as chain, seq, kind and
the fixed message of :mod:`engine.audit.verify`: no event content, so no personal data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import access
from engine.actors import Actor
from engine.audit import anchor, verify
from engine.errors import Forbidden
from engine.models import AuditAnchor, AuditVerification

CLI, SCHEDULER, WEB = "cli", "planner", "web"
TRIGGER_LABELS = {CLI: "opdrachtregel", SCHEDULER: "planner (nachtelijk)", WEB: "knop in de webtoepassing"}
KIND_LABELS = {"gewijzigd": "gewijzigd", "ontbreekt": "ontbreekt", "volgorde": "volgorde verstoord",
               "ingevoegd": "ingevoegd"}


def _problem(problem: verify.ChainProblem) -> dict[str, Any]:
    case = problem.chain.removeprefix("instance:")
    return {"chain": problem.chain, "instance_id": int(case) if case.isdigit() else None, "seq": problem.seq,
            "kind": problem.kind, "message": problem.message}


def run(session: Session, *, actor: Actor, now: datetime, trigger: str, chains: Sequence[str] | None = None,
        progress: Callable[[str], None] | None = None) -> AuditVerification:
    """Check every chain (or the given ones) and the anchors; record and return the outcome.

    :param chains: pass the list when showing progress, so the bar and the run agree on the total.
    """
    started = time.monotonic()
    names = list(chains) if chains is not None else verify.chains(session)
    problems: list[verify.ChainProblem] = []
    events = 0
    for chain in names:
        found, checked = verify.check_chain(session, chain)
        problems += found
        events += checked
        if progress is not None:
            progress(chain)
    problems += anchor.verify_anchors(session)
    row = AuditVerification(
        checked_at=now, duration_ms=round((time.monotonic() - started) * 1000), trigger=trigger,
        run_by=actor.username, run_by_role=str(actor.role) if actor.role else None,
        chains_checked=len(names), events_checked=events,
        anchors_checked=int(session.scalar(select(func.count()).select_from(AuditAnchor)) or 0),
        ok=not problems, problems=[_problem(p) for p in problems],
    )
    session.add(row)
    session.flush()
    return row


def run_now(session: Session, *, actor: Actor, now: datetime) -> AuditVerification:
    """The beheer page's button: a person asks for a check now."""
    if not access.can_check_audit_log(actor):
        raise Forbidden("Alleen een beheerder of auditor mag het auditlog laten controleren.")
    return run(session, actor=actor, now=now, trigger=WEB)


def recent(session: Session, *, actor: Actor, limit: int = 10) -> list[AuditVerification]:
    """The newest runs first; the first is "the last verification result"."""
    if not access.can_check_audit_log(actor):
        raise Forbidden("Alleen een beheerder of auditor mag de controles van het auditlog zien.")
    query = select(AuditVerification).order_by(AuditVerification.checked_at.desc(), AuditVerification.id.desc())
    return list(session.scalars(query.limit(limit)))


def problems_per_case(row: AuditVerification) -> dict[str, list[dict[str, Any]]]:
    """Problems grouped by chain, in the order found, for display."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for problem in row.problems:
        grouped.setdefault(str(problem["chain"]), []).append(problem)
    return grouped
