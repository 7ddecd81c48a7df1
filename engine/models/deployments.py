"""Deployed process models: immutable deployments, their exact files and the processes they define."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.types import IntPK, Timestamp


class Deployment(Base):
    """One immutable upload: a set of BPMN/DMN files stored byte for byte."""

    __tablename__ = "deployment"

    id: Mapped[IntPK]
    sha256: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str] = mapped_column(Text, default="")
    deployed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), nullable=True)
    deployed_at: Mapped[Timestamp]

    files: Mapped[list[ModelFile]] = relationship(
        back_populates="deployment", order_by="ModelFile.id", lazy="select",
        foreign_keys="ModelFile.deployment_id",
    )
    definitions: Mapped[list[ProcessDefinition]] = relationship(
        back_populates="deployment", order_by="ProcessDefinition.id", lazy="selectin"
    )


class ModelFile(Base):
    """A file of a deployment. ``included`` files were copied in to resolve call activities."""

    __tablename__ = "model_file"
    __table_args__ = (UniqueConstraint("deployment_id", "filename"),)

    id: Mapped[IntPK]
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(10))  # "bpmn" | "dmn"
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    included_from_id: Mapped[int | None] = mapped_column(ForeignKey("deployment.id"), nullable=True)

    deployment: Mapped[Deployment] = relationship(back_populates="files", foreign_keys=[deployment_id])


class ProcessDefinition(Base):
    """An executable process of a deployment, numbered per BPMN process id (v1, v2, ...)."""

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_id", "version"),)

    id: Mapped[IntPK]
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployment.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    default_role: Mapped[str] = mapped_column(String(40))

    # Joined: every engine step needs the deployment's hash to find its cached specs.
    deployment: Mapped[Deployment] = relationship(back_populates="definitions", lazy="joined")
