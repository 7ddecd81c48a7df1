"""Check the audit log's hash chains: report edited, deleted, inserted or reordered events.

Each chain (one per case, plus ``system``) must run seq 1..n without gaps, every event's
``prev_hash`` must equal its predecessor's ``hash``, every ``hash`` must match a fresh
computation over the event's own fields and payload digest, and every payload must match its
digest. Any edit breaks at least one of these.

A payload may be erased (``{"vernietigd": true}``) only in the chain of a case whose destruction
under a retention rule is recorded on the system chain; its digest stays and is still covered by
the hash, so an edited digest or an erasure with another content's digest still shows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.events import EventType
from engine.audit.log import GENESIS, SYSTEM_CHAIN, event_hash, is_erased, payload_digest
from engine.models import AuditEvent


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    seq: int
    kind: str  # "gewijzigd" | "ontbreekt" | "volgorde" | "ingevoegd"
    message: str


def chains(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.chain).distinct().order_by(AuditEvent.chain)))


def _events(session: Session, chain: str) -> Iterator[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq, AuditEvent.id)
    yield from session.scalars(query.execution_options(yield_per=500))


def verify_chain(session: Session, chain: str) -> list[ChainProblem]:
    """Every problem in one chain, in order; an empty list means intact."""
    return check_chain(session, chain)[0]


def destruction_recorded(session: Session, chain: str) -> bool:
    """True when the system chain records the destruction of the case this chain belongs to."""
    case = chain.removeprefix("instance:")
    if chain == SYSTEM_CHAIN or not case.isdigit():
        return False
    found = session.scalar(select(AuditEvent.id).where(
        AuditEvent.chain == SYSTEM_CHAIN, AuditEvent.event_type == EventType.INSTANCE_DESTROYED,
        AuditEvent.payload["instance_id"].as_integer() == int(case)).limit(1))
    return found is not None


def check_chain(session: Session, chain: str) -> tuple[list[ChainProblem], int]:
    """The chain's problems and how many events were read, for the record of a verification run."""
    problems: list[ChainProblem] = []
    expected_seq, previous_hash, previous_id = 1, GENESIS, 0
    checked = 0
    erasure_allowed: bool | None = None  # looked up once, at the first erased payload
    for event in _events(session, chain):
        checked += 1
        if is_erased(event.payload):
            if erasure_allowed is None:
                erasure_allowed = destruction_recorded(session, chain)
            if not erasure_allowed:
                problems.append(ChainProblem(chain, event.seq, "gewijzigd",
                                             "Inhoud is gewist, maar de vernietiging van de zaak is niet vastgelegd"))
        elif payload_digest(event.payload) != event.payload_sha256:  # the payload's own hash, under the chain's
            problems.append(ChainProblem(chain, event.seq, "gewijzigd",
                                         "Inhoud komt niet overeen met de vastgelegde hash"))
        if event.seq != expected_seq:
            kind = "ontbreekt" if event.seq > expected_seq else "ingevoegd"
            problems.append(ChainProblem(chain, event.seq, kind,
                                         f"Verwacht volgnummer {expected_seq}, gevonden {event.seq}"))
        if event.prev_hash != previous_hash:
            problems.append(ChainProblem(chain, event.seq, "volgorde",
                                         "Verwijst niet naar de vorige gebeurtenis in de keten"))
        if event_hash(event) != event.hash:
            problems.append(ChainProblem(chain, event.seq, "gewijzigd",
                                         "Inhoud komt niet overeen met de vastgelegde hash"))
        if event.id < previous_id:
            problems.append(ChainProblem(chain, event.seq, "volgorde",
                                         "Later opgeslagen dan een gebeurtenis met een hoger volgnummer"))
        expected_seq, previous_hash, previous_id = event.seq + 1, event.hash, event.id
    return problems, checked


def verify_all(session: Session, *, progress: Callable[[str], None] | None = None) -> dict[str, list[ChainProblem]]:
    """Problems per chain, only for chains that have any."""
    found: dict[str, list[ChainProblem]] = {}
    for chain in chains(session):
        problems = verify_chain(session, chain)
        if problems:
            found[chain] = problems
        if progress is not None:
            progress(chain)
    return found
