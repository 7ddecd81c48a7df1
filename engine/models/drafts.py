"""Drafts of process models: work in progress of a procesregisseur, kept on the server until deployed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, OptionalTimestamp, Timestamp


class ModelDraft(Base):
    """One BPMN or DMN file being edited; deploying it makes an immutable :class:`Deployment`.

    ``content`` is untrusted XML (it came from a browser or an upload): every save passes the
    same parser rules as an upload. ``checked_sha256``/``check_ok`` remember the last full
    validation, but deploying validates again; they only tell the page what the server last said.
    ``revision`` guards against two people overwriting each other's edits (lost update -> 409).
    """

    __tablename__ = "model_draft"

    id: Mapped[IntPK]
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # "bpmn" | "dmn"
    # The first executable process of a BPMN draft (to list it with its versions); None for a DMN draft.
    process_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # The stored file this draft was opened from (None: a new or uploaded model).
    base_file_id: Mapped[int | None] = mapped_column(ForeignKey("model_file.id"), nullable=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    checked_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    check_ok: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    created_at: Mapped[Timestamp]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    updated_at: Mapped[Timestamp]
    # Set once the draft became a version; a deployed draft is closed and no longer editable.
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"), nullable=True)
    deployed_at: Mapped[OptionalTimestamp]

    # Bumped by hand on every content save (not when only the check result is stored); the UPDATE
    # still carries ``WHERE revision = <loaded>``, so two saves racing past the check cannot both win.
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}


__all__ = ["ModelDraft"]
