"""The destruction record: which case was destroyed, when, by whom, under which retention rule.

No content: the case's number and reference, the outcome category that chose the rule, the rule as
it read at the time, and how many rows of each kind were wiped. It outlives the case on purpose —
it is the proof that the retention policy was applied (AVG art. 5 lid 2, verantwoordingsplicht).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, Timestamp


class DestructionRecord(Base):
    """One destroyed case. Append-only; one row per case."""

    __tablename__ = "destruction_record"

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), unique=True)
    reference: Mapped[str] = mapped_column(String(40))  # SR-2026-00042: a number, no content
    process_id: Mapped[str] = mapped_column(String(200))  # the route, for statistics after destruction
    outcome: Mapped[str] = mapped_column(String(40))  # engine.retention.retention_rules.Outcome
    decision: Mapped[str | None] = mapped_column(String(40), nullable=True)  # last meeting decision, if any
    rule: Mapped[str] = mapped_column(String(300))  # as it read then: "Geen mensenhandel: 1 jaar na afsluiting …"
    rule_source: Mapped[str] = mapped_column(Text)  # its source note from the retention file, at that time
    period_start: Mapped[Timestamp]  # the closure or the last activity the period ran from
    expired_at: Mapped[Timestamp]
    destroyed_at: Mapped[Timestamp] = mapped_column(index=True)
    destroyed_by: Mapped[str] = mapped_column(String(80))  # "planner", "cli"
    trigger: Mapped[str] = mapped_column(String(20))  # planner | cli
    audit_seq: Mapped[int] = mapped_column(Integer)  # seq of the instance.destroyed event on the system chain
    removed: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))  # kind -> count


__all__ = ["DestructionRecord"]
