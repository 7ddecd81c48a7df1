"""Outcomes of `audit controleren` runs, so a beheerder sees when the log was last proven intact."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, Timestamp


class AuditVerification(Base):
    """One run over every chain and the anchors. Append-only.

    ``problems`` holds per problem the chain (``instance:12``, ``system``, ``anker``), its case id,
    seq, kind and the fixed Dutch message of :mod:`engine.audit.verify`: never event content, so
    no personal data lands here.
    """

    __tablename__ = "audit_verification"

    id: Mapped[IntPK]
    checked_at: Mapped[Timestamp] = mapped_column(index=True)
    duration_ms: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(20))  # "cli" | "planner" | "web"
    run_by: Mapped[str] = mapped_column(String(80))  # a username, or the system's name ("cli", "planner")
    run_by_role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    chains_checked: Mapped[int] = mapped_column(Integer)
    events_checked: Mapped[int] = mapped_column(Integer)
    anchors_checked: Mapped[int] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
