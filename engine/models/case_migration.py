"""A case moved to another process version, with what it takes to move it back exactly."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, OptionalTimestamp, Timestamp


class CaseMigration(Base):
    """One migration of one case (engine.modelling.migration).

    ``state_before`` is the stored state text as it was: a revert writes it back byte for byte.
    It lives here and not in the audit payload, so exports and the auditor's history stay
    readable; the audit event carries the hashes that tie this row to the chain.
    """

    __tablename__ = "case_migration"

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    from_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    to_definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    state_before: Mapped[str] = mapped_column(Text)
    serializer_version_before: Mapped[str] = mapped_column(String(20))
    state_before_sha256: Mapped[str] = mapped_column(String(64))
    state_after_sha256: Mapped[str] = mapped_column(String(64))
    audit_seq: Mapped[int] = mapped_column(Integer)  # the instance.migrated event in the case's chain
    migrated_at: Mapped[Timestamp]
    migrated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    reverted_at: Mapped[OptionalTimestamp]
    reverted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
