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
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.events import EventType
from engine.audit.log import GENESIS, HASHED_FIELDS, SYSTEM_CHAIN, hash_of, is_erased, payload_digest
from engine.models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class ChainProblem:
    chain: str
    seq: int
    kind: str  # "gewijzigd" | "ontbreekt" | "volgorde" | "ingevoegd" | "ongecontroleerd"
    message: str


Head = tuple[int, str]  # (seq, hash)
_COLUMNS = [getattr(AuditEvent, name) for name in (*HASHED_FIELDS, "payload", "hash", "id")]


def chains(session: Session) -> list[str]:
    """Every chain that has events or a head row (a chain whose every event was deleted keeps its head)."""
    with_events = set(session.scalars(select(AuditEvent.chain).distinct()))
    return sorted(with_events | set(session.scalars(select(AuditChainHead.chain))))


def _events(session: Session, chain: str) -> Iterator[Any]:
    query = select(*_COLUMNS).where(AuditEvent.chain == chain).order_by(AuditEvent.seq, AuditEvent.id)
    for row in session.connection().execute(query.execution_options(yield_per=500)):
        yield row._mapping


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


def stored_head(session: Session, chain: str) -> Head | None:
    row = session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.chain == chain)).first()
    return (row.seq, row.hash) if row else None


def check_chain(session: Session, chain: str, *, sealed: Head | None = None) -> tuple[list[ChainProblem], int]:
    """The chain's problems and how many events were read, for the record of a verification run.

    :param sealed: the chain's newest sealed head, when the caller has the seals at hand.
    """
    return _check(session, chain, _events(session, chain), stored_head(session, chain), sealed)


def check_all(session: Session, sealed: dict[str, Head]) -> Iterator[tuple[str, list[ChainProblem], int]]:
    """Every chain's problems in one pass over all events, in (chain, seq) order, streamed.

    Memory grows with the number of chains (their heads), not with the number of events.
    """
    heads = {row.chain: (row.seq, row.hash) for row in session.execute(
        select(AuditChainHead.chain, AuditChainHead.seq, AuditChainHead.hash))}
    query = select(*_COLUMNS).order_by(AuditEvent.chain, AuditEvent.seq, AuditEvent.id)
    seen: set[str] = set()
    rows = (row._mapping for row in session.connection().execute(query.execution_options(yield_per=5000)))
    for chain, events in groupby(rows, key=itemgetter("chain")):
        seen.add(chain)
        problems, checked = _check(session, chain, events, heads.get(chain), sealed.get(chain))
        yield chain, problems, checked
    for chain in sorted((set(heads) | set(sealed)) - seen):
        problems, checked = _check(session, chain, iter(()), heads.get(chain), sealed.get(chain))
        yield chain, problems, checked


def _check(session: Session, chain: str, events: Iterator[Any], head: Head | None,
           sealed: Head | None) -> tuple[list[ChainProblem], int]:
    problems: list[ChainProblem] = []
    expected_seq, previous_hash, previous_id = 1, GENESIS, 0
    checked = 0
    erasure_allowed: bool | None = None  # looked up once, at the first erased payload
    sealed_found = False
    for event in events:  # a RowMapping: key access, no ORM objects (a million events must stream fast)
        checked += 1
        seq, stored_hash, payload = event["seq"], event["hash"], event["payload"]
        if is_erased(payload):
            if erasure_allowed is None:
                erasure_allowed = destruction_recorded(session, chain)
            if not erasure_allowed:
                problems.append(ChainProblem(chain, seq, "gewijzigd",
                                             "Inhoud is gewist, maar de vernietiging van de zaak is niet vastgelegd"))
        elif payload_digest(payload) != event["payload_sha256"]:  # the payload's own hash, under the chain's
            problems.append(ChainProblem(chain, seq, "gewijzigd", "Inhoud komt niet overeen met de vastgelegde hash"))
        if seq != expected_seq:
            kind = "ontbreekt" if seq > expected_seq else "ingevoegd"
            problems.append(ChainProblem(chain, seq, kind,
                                         f"Verwacht volgnummer {expected_seq}, gevonden {seq}"))
        if event["prev_hash"] != previous_hash:
            problems.append(ChainProblem(chain, seq, "volgorde",
                                         "Verwijst niet naar de vorige gebeurtenis in de keten"))
        if hash_of(event) != stored_hash:
            problems.append(ChainProblem(chain, seq, "gewijzigd", "Inhoud komt niet overeen met de vastgelegde hash"))
        if event["id"] < previous_id:
            problems.append(ChainProblem(chain, seq, "volgorde",
                                         "Later opgeslagen dan een gebeurtenis met een hoger volgnummer"))
        if sealed is not None and seq == sealed[0]:
            sealed_found = True
            if stored_hash != sealed[1]:
                problems.append(ChainProblem(chain, seq, "gewijzigd", "Gebeurtenis wijkt af van de zegel"))
        expected_seq, previous_hash, previous_id = seq + 1, stored_hash, event["id"]
    last_seq = expected_seq - 1
    if head is None:
        if checked:
            problems.append(ChainProblem(chain, last_seq, "ontbreekt", "De vastgelegde kop van de keten ontbreekt"))
    elif head[0] > last_seq:
        problems.append(ChainProblem(chain, head[0], "ontbreekt",
                                     f"Gebeurtenis {last_seq + 1} tot en met {head[0]} ontbreken "
                                     "(de kop van de keten verwijst ernaar)"))
    elif head != (last_seq, previous_hash):
        problems.append(ChainProblem(chain, last_seq, "gewijzigd",
                                     "De laatste gebeurtenis wijkt af van de vastgelegde kop van de keten"))
    if sealed is not None and not sealed_found:
        problems.append(ChainProblem(chain, sealed[0], "ontbreekt",
                                     "Gebeurtenis die bij de laatste zegel bestond, ontbreekt"))
    return problems, checked


def verify_all(session: Session, *, progress: Callable[[str], None] | None = None) -> dict[str, list[ChainProblem]]:
    """Problems per chain, only for chains that have any (seals are checked by engine.audit.anchor)."""
    found: dict[str, list[ChainProblem]] = {}
    for chain, problems, _checked in check_all(session, {}):
        if problems:
            found[chain] = problems
        if progress is not None:
            progress(chain)
    return found
