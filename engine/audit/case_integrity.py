"""Is this case's history intact? Checked where it is read: history, replay, dossier, exports.

A person reading a history or an exported dossier must not take an altered value as fact. So every
place that shows a case's events checks that case's chain first (its events, its head row and its
newest seal, with the seal's signature) and shows the outcome beside the events: "Intact,
gecontroleerd op … (laatste zegel …)", or "NIET intact" with the affected events flagged in place.
One case's chain is short, so this is cheap enough to do on every read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.audit import anchor, log, verify
from engine.audit.seal_key import SealVerifier
from engine.audit.verify import ChainProblem
from engine.dutch import datum_tijd

KIND_WORDS = {"gewijzigd": "gewijzigd", "ontbreekt": "ontbreekt", "volgorde": "volgorde verstoord",
              "ingevoegd": "ingevoegd", "ongecontroleerd": "niet te controleren"}


@dataclass(frozen=True)
class CaseIntegrity:
    """The outcome of checking one chain (a case's, or the system chain) at ``checked_at``."""

    chain: str
    checked_at: datetime
    events: int
    problems: tuple[ChainProblem, ...]
    last_seal: anchor.LastSeal | None

    @property
    def intact(self) -> bool:
        return not self.problems and (self.last_seal is None or self.last_seal.signature_ok)

    def problems_at(self, seq: int) -> list[str]:
        """What is wrong with the event of this sequence number, in words, to flag it where it is shown."""
        return [f"{KIND_WORDS.get(p.kind, p.kind)}: {p.message}" for p in self.problems if p.seq == seq]

    @property
    def missing(self) -> list[ChainProblem]:
        """Problems that point at events no longer there (a cut tail, a deleted event): shown as gaps."""
        return [p for p in self.problems if p.kind == "ontbreekt"]

    @property
    def seal_text(self) -> str:
        if self.last_seal is None:
            return "nog geen zegel"
        signed = "" if self.last_seal.signature_ok else ", handtekening klopt NIET"
        return f"laatste zegel {datum_tijd(self.last_seal.created_at)}{signed}"

    @property
    def statement(self) -> str:
        """One line for the top of a page or the first line of an export."""
        when = datum_tijd(self.checked_at)
        if self.intact:
            return f"Intact, gecontroleerd op {when} ({self.seal_text}; {self.events} gebeurtenissen)."
        count = len(self.problems) + (0 if self.last_seal is None or self.last_seal.signature_ok else 1)
        return (f"NIET intact: {count} probleem/problemen in de geschiedenis van deze zaak, gecontroleerd op "
                f"{when} ({self.seal_text}). Gemarkeerde gebeurtenissen kunnen gewijzigd zijn; lees ze niet als feit.")


def check_case(session: Session, *, instance_id: int, verifier: SealVerifier | None, now: datetime) -> CaseIntegrity:
    """Check one case's chain against its head row and its newest seal (signature included)."""
    return check_chain(session, chain=log.chain_for_case(instance_id), verifier=verifier, now=now)


def check_chain(session: Session, *, chain: str, verifier: SealVerifier | None, now: datetime) -> CaseIntegrity:
    last_seal = anchor.last_seal_of(session, chain, verifier)
    sealed = (last_seal.seq, last_seal.hash) if last_seal else None
    problems, events = verify.check_chain(session, chain, sealed=sealed)
    return CaseIntegrity(chain, now, events, tuple(problems), last_seal)


def export_statement(checked: Sequence[CaseIntegrity], *, now: datetime) -> list[str]:
    """The first lines of an export over several chains: intact, or which cases are not and where."""
    broken = [c for c in checked if not c.intact]
    if not broken:
        return [f"Integriteit: intact. Alle {len(checked)} keten(s) in deze export zijn gecontroleerd op "
                f"{datum_tijd(now)}."]
    lines = [f"Integriteit: NIET intact. {len(broken)} van {len(checked)} keten(s) in deze export hebben "
             f"problemen (gecontroleerd op {datum_tijd(now)}); gemarkeerde regels kunnen gewijzigd zijn."]
    for found in broken:
        where = f"zaak {found.chain.removeprefix('instance:')}" if found.chain.startswith("instance:") else found.chain
        details = "; ".join(f"gebeurtenis {p.seq} {KIND_WORDS.get(p.kind, p.kind)}" for p in found.problems)
        lines.append(f"NIET intact: {where}: {details or found.seal_text}")
    return lines
