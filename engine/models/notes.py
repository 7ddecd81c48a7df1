"""Notes and files people add to a case, each with the roles that may read it (need-to-know)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, JsonDict, Timestamp


class CaseNote(Base):
    """A note, a file, or both, on one case. The file's bytes live in a blob store under ``file_sha256``.

    ``audience`` holds ``{"roles": [...]}``: the roles on the case that may read it besides its author
    (and the auditor, for audit). Rows are deleted when the case is destroyed under its retention rule.
    """

    __tablename__ = "case_note"

    id: Mapped[IntPK]
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), index=True)
    created_at: Mapped[Timestamp]
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    author_username: Mapped[str] = mapped_column(String(80))
    author_role: Mapped[str | None] = mapped_column(String(40), nullable=True)
    author_organisation: Mapped[str | None] = mapped_column(String(80), nullable=True)
    audience: Mapped[JsonDict]
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(200), nullable=True)  # shown and offered, never a path
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    file_type: Mapped[str | None] = mapped_column(String(120), nullable=True)  # the sniffed MIME type
    file_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    audit_seq: Mapped[int] = mapped_column(Integer)  # the note.added event in the case's chain


__all__ = ["CaseNote"]
