"""Forms edited in the browser, and the exact form each deployment's tasks use.

``forms/`` on disk is the seed (like ``processes/``); a form saved in the browser becomes a new
:class:`FormVersion` that takes precedence for later deployments. Every deployment keeps a copy
of each form its tasks name (:class:`DeploymentForm`), so a case keeps the form of the version it
runs on, whatever happens to ``forms/`` or to later form versions.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import IntPK, Timestamp


class FormVersion(Base):
    """One saved version of a form's JSON Schema (exact bytes), numbered per form name."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(160), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    saved_at: Mapped[Timestamp]


class DeploymentForm(Base):
    """The form JSON a deployment's user tasks name, stored with the deployment byte for byte."""

    __tablename__ = "deployment_form"
    __table_args__ = (UniqueConstraint("deployment_id", "name"),)

    id: Mapped[IntPK]
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    # Where it came from: a browser-saved version, or None for the file in forms/.
    form_version_id: Mapped[int | None] = mapped_column(ForeignKey("form_version.id"), nullable=True)


__all__ = ["DeploymentForm", "FormVersion"]
