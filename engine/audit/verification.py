"""Run `audit controleren` and keep its outcome, so the UI can show when the log was last proven intact.

Every run (command line, the scheduler's nightly job, the button on the beheer page) lands as one
``audit_verification`` row in the caller's transaction. Problems are stored as chain, seq, kind and
the fixed message of :mod:`engine.audit.verify`: no event content, so no personal data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import access
from engine.accounts.actors import Actor
from engine.audit import anchor, verify
from engine.audit.anchor import SealRecord
from engine.audit.seal_key import SealKey, SealVerifier
from engine.errors import Forbidden
from engine.models import AuditVerification

CLI, SCHEDULER, WEB = "cli", "planner", "web"
TRIGGER_LABELS = {CLI: "opdrachtregel", SCHEDULER: "planner (nachtelijk)", WEB: "knop in de webtoepassing"}
KIND_LABELS = {"gewijzigd": "gewijzigd", "ontbreekt": "ontbreekt", "volgorde": "volgorde verstoord",
               "ingevoegd": "ingevoegd"}


def _problem(problem: verify.ChainProblem) -> dict[str, Any]:
    case = problem.chain.removeprefix("instance:")
    return {"chain": problem.chain, "instance_id": int(case) if case.isdigit() else None, "seq": problem.seq,
            "kind": problem.kind, "message": problem.message}


@dataclass(frozen=True)
class Check:
    """What one pass over the log found, and how much it read."""

    problems: list[verify.ChainProblem]
    chains: int
    events: int
    seals: int


def check(session: Session, *, verifier: SealVerifier | None, exported: Sequence[SealRecord] | None = None,
          progress: Callable[[str], None] | None = None) -> Check:
    """Check the seals, then every chain against its head row and its newest sealed head; record nothing.

    :param exported: seals read back from the export (``audit controleren --zegels FILE``): each must be
        in the database unchanged, and the chains must still hold the heads they sealed.
    """
    stored = list(anchor.stored_seals(session))
    problems: list[verify.ChainProblem] = list(anchor.seal_problems(stored, verifier))
    sealed = anchor.fold(stored)
    if exported is not None:
        problems += list(_export_problems(stored, exported, verifier))
        sealed = {**sealed, **{chain: head for chain, head in anchor.fold(exported).items()
                               if head[0] >= sealed.get(chain, (0, ""))[0]}}
    chains = events = 0
    for chain, found, checked in verify.check_all(session, sealed):
        problems += found
        chains += 1
        events += checked
        if progress is not None:
            progress(chain)
    return Check(problems, chains, events, len(stored))


def run(session: Session, *, actor: Actor, now: datetime, trigger: str, verifier: SealVerifier | None,
        key: SealKey | None = None, exported: Sequence[SealRecord] | None = None,
        progress: Callable[[str], None] | None = None) -> AuditVerification:
    """Check the whole log (:func:`check`), record the outcome, then seal when given the key.

    Verifying before sealing matters: a chain cut short shows against its head row and the previous
    seal first; and the seal takes the heads from the head rows, never from what is left of a chain,
    so a cut is not sealed in.
    """
    started = time.monotonic()
    found = check(session, verifier=verifier, exported=exported, progress=progress)
    row = AuditVerification(
        checked_at=now, duration_ms=round((time.monotonic() - started) * 1000), trigger=trigger,
        run_by=actor.username, run_by_role=str(actor.role) if actor.role else None,
        chains_checked=found.chains, events_checked=found.events, anchors_checked=found.seals,
        ok=not found.problems, problems=[_problem(p) for p in found.problems],
    )
    session.add(row)
    session.flush()
    if key is not None:
        anchor.seal(session, now=now, key=key)
    return row


def _export_problems(stored: Sequence[SealRecord], exported: Sequence[SealRecord],
                     verifier: SealVerifier | None) -> Iterator[verify.ChainProblem]:
    """The exported seals against the database: none may be missing or different there."""
    by_id = {record.id: record for record in stored}
    yield from anchor.seal_problems(exported, verifier)
    for record in exported:
        own = by_id.get(record.id)
        when = f"{record.created_at:%Y-%m-%d %H:%M:%S}"
        if own is None:
            yield verify.ChainProblem(anchor.SEAL_CHAIN, record.id, "ontbreekt",
                                      f"Geëxporteerde zegel van {when} ontbreekt in de database")
        elif own.digest != record.digest:
            yield verify.ChainProblem(anchor.SEAL_CHAIN, record.id, "gewijzigd",
                                      f"Zegel van {when} in de database wijkt af van de export")


def chains_count(session: Session) -> int:
    """For a progress bar: how many chains a run will read."""
    return len(verify.chains(session))


def run_now(session: Session, *, actor: Actor, now: datetime, key: SealKey | None,
            verifier: SealVerifier | None = None) -> AuditVerification:
    """The beheer page's button: a person asks for a check now; it seals too where this host holds the key."""
    if not access.can_check_audit_log(actor):
        raise Forbidden("Alleen een beheerder of auditor mag het auditlog laten controleren.")
    return run(session, actor=actor, now=now, trigger=WEB, verifier=key.verifier if key else verifier, key=key)


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
