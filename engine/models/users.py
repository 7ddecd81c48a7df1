"""Organisations, people, their second factor, login sessions and personal API tokens; rate-limit buckets."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
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
    # Gemeenten only, kept by the beheerder in the web UI (engine/regions/gemeenten.py) and never
    # overwritten by loading the profile again: former names, one per line ("Landerd"); the partner slug
    # of the zorgcoördinator when the beheerder chose one (None: the profile's table decides); and, for a
    # gemeente merged into another, the surviving gemeente (its row stays so a reload cannot revive it).
    aliases: Mapped[str] = mapped_column(Text, default="", server_default="")
    zorgcoordinator: Mapped[str | None] = mapped_column(String(80), nullable=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), nullable=True)

    def alias_list(self) -> list[str]:
        return [a for a in self.aliases.splitlines() if a.strip()]


class User(Base):
    __tablename__ = "user_account"
    # One OpenID Connect identity belongs to at most one account: no shared accounts.
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[IntPK]
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[Name]
    # Work address for notifications (a link only, never case content); None: no e-mail.
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40))
    # Coordinates the team's work: may assign a task of the team to a colleague (someone must be able to
    # move work when a colleague is away). Set by the beheerder.
    coordinator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[OptionalTimestamp]
    created_at: Mapped[Timestamp]
    last_login_at: Mapped[OptionalTimestamp]
    # TOTP (engine.accounts.two_factor): the secret encrypted with a key derived from the secret key,
    # never in plain text; the last accepted 30-second step, so a code works only once.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(String(500), nullable=True)
    totp_enabled_at: Mapped[OptionalTimestamp]
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # OpenID Connect: the identity (issuer + sub) the beheerder linked, or allowed to be linked once
    # by the username claim (oidc_link_by_username); never created by logging in.
    oidc_issuer: Mapped[str | None] = mapped_column(String(500), nullable=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    oidc_link_by_username: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_secret_encrypted is not None


class RecoveryCode(Base):
    """A single-use code for when the authenticator app is lost; only its argon2 hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[Timestamp]
    used_at: Mapped[OptionalTimestamp]


class LoginSession(Base):
    """A browser session after a complete login; the cookie carries the id, the table its SHA-256.

    The session cookie itself is signed but lives in the browser; this row is what logout (and a
    helpdesk reset) ends, so a copied cookie stops working the moment its session ends.
    """

    __tablename__ = "login_session"
    __table_args__ = (UniqueConstraint("sid_hash"),)

    id: Mapped[IntPK]
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    sid_hash: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(20))  # "wachtwoord" | "oidc"
    created_at: Mapped[Timestamp]
    ended_at: Mapped[OptionalTimestamp]


class RateLimitBucket(Base):
    """A token bucket (engine.accounts.rate_limits); the key is a keyed hash, never a name or an address."""

    __tablename__ = "rate_limit_bucket"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[Timestamp] = mapped_column(index=True)


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
    expires_at: Mapped[OptionalTimestamp]  # None only before migration 0015 filled it: refused
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")
