"""A seal key for tests and the log's problems split the way a reader asks: per chain, and the seals'."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from engine.audit import verification
from engine.audit.anchor import SEAL_CHAIN
from engine.audit.seal_key import SealKey
from engine.audit.verify import ChainProblem
from engine.db import unit_of_work
from engine.models import AuditEvent

TEST_SEAL_KEY = SealKey(Ed25519PrivateKey.generate())
VALID = {"vorm": "SU", "samenvatting": "Signaal"}


def sql(factory: sessionmaker[Session], statement: str, **params: object) -> None:
    """Tamper as someone with database access would: a raw statement in its own transaction."""
    with unit_of_work(factory) as session:
        session.execute(text(statement), params)


def last_seq(factory: sessionmaker[Session], chain: str) -> int | None:
    with unit_of_work(factory) as session:
        return session.scalar(select(AuditEvent.seq).where(AuditEvent.chain == chain)
                              .order_by(AuditEvent.seq.desc()).limit(1))


def log_problems(factory: sessionmaker[Session]) -> tuple[dict[str, list[ChainProblem]], list[ChainProblem]]:
    """(problems per case or system chain, problems of the seals themselves), as `audit controleren` finds them."""
    with unit_of_work(factory) as session:
        found = verification.check(session, verifier=TEST_SEAL_KEY.verifier).problems
    per_chain: dict[str, list[ChainProblem]] = {}
    for problem in found:
        if problem.chain != SEAL_CHAIN:
            per_chain.setdefault(problem.chain, []).append(problem)
    return per_chain, [p for p in found if p.chain == SEAL_CHAIN]


def seal(factory: sessionmaker[Session], now):  # type: ignore[no-untyped-def]
    from engine.audit import anchor

    with unit_of_work(factory) as session:
        return anchor.seal(session, now=now, key=TEST_SEAL_KEY).id
