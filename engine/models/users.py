"""Organisations, people and their personal API tokens."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.types import IntPK, Name, OptionalTimestamp, Timestamp


class Organisation(Base):
    """A gemeente or a chain partner (police unit, zorgcoördinator, inspectorate, ZVH, RIEC)."""

    __tablename__ = "organisation"

    id: Mapped[IntPK]
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[Name]
    kind: Mapped[str] = mapped_column(String(20))  # "gemeente" | "partner"
    # Slug of the region profile (processes/regions/<slug>.toml) it belongs to; None outside one.
    region: Mapped[str | None] = mapped_column(String(80), nullable=True, index=True)


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[IntPK]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[Name]
    # Work address for notifications (a link only, never case content); None: no e-mail.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[OptionalTimestamp]
    created_at: Mapped[Timestamp]

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ApiToken(Base):
    """A personal token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_token"
    __table_args__ = (UniqueConstraint("token_hash"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[Timestamp]
    last_used_at: Mapped[OptionalTimestamp]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")
