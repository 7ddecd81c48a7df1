"""Personal API tokens: issued once, stored as a hash, always with an end date, revocable.

A bearer token is one factor. For the roles that must log in with a second factor (beheerder,
auditor, procesregisseur) a token would otherwise be a way around it, so for them a token is issued
only against a current code from that person's authenticator app, lives at most
:data:`PRIVILEGED_MAX_DAYS` days, and stops working when their second factor is reset.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts import bearer_tokens, two_factor, users
from engine.accounts.actors import Actor
from engine.accounts.bearer_tokens import TOKEN_PREFIX, token_hash
from engine.accounts.roles import SECOND_FACTOR_ROLES
from engine.audit.events import EventType
from engine.dutch import local_iso
from engine.errors import NotFound, ValidationFailed
from engine.models import ApiToken, User

DEFAULT_DAYS = 90
MAX_DAYS = 365
PRIVILEGED_DEFAULT_DAYS = 30
PRIVILEGED_MAX_DAYS = 30


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never the token, never its hash."""

    id: int
    label: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


def needs_second_factor(user: User) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def issue(session: Session, *, actor: Actor, now: datetime, username: str, label: str = "",
          days: int | None = None, code: str | None = None, box: two_factor.SecretBox | None = None) -> str:
    """Create a token and return it (shown once); only its SHA-256 is kept.

    :raises ValidationFailed: a validity outside the limits of the person's role, or, for a role with a
        mandatory second factor, no second factor yet or no current code from the app.
    """
    user = users.user_by_username(session, username)
    if user is None:
        raise NotFound(f"Gebruiker '{username}' bestaat niet.")
    privileged = needs_second_factor(user)
    limit = PRIVILEGED_MAX_DAYS if privileged else MAX_DAYS
    validity = days if days is not None else (PRIVILEGED_DEFAULT_DAYS if privileged else DEFAULT_DAYS)
    if not 1 <= validity <= limit:
        message = f"Een API-token van deze rol is 1 tot en met {limit} dagen geldig."
        raise ValidationFailed(message, {"dagen": message})
    if privileged:
        _require_app_code(user, code, now=now, box=box)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_hash(token), label=label, created_at=now,
                   expires_at=now + timedelta(days=validity), revoked=False)
    session.add(row)
    session.flush()
    users.record_account_event(session, EventType.TOKEN_CREATED, actor=actor, now=now, payload={
        "user_id": user.id, "token_id": row.id, "expires_at": local_iso(now + timedelta(days=validity))})
    return token


def _require_app_code(user: User, code: str | None, *, now: datetime, box: two_factor.SecretBox | None) -> None:
    if user.totp_secret_encrypted is None:
        message = ("Voor deze rol is tweestapsverificatie verplicht: de gebruiker moet eerst inloggen en de "
                   "authenticator-app instellen; daarna kan een API-token worden aangemaakt.")
        raise ValidationFailed(message, {"code": message})
    if code is None or box is None or two_factor.verify_app_code(user, code, now=now, box=box) is None:
        message = "Vul de zes cijfers in die de authenticator-app van de gebruiker nu toont."
        raise ValidationFailed(message, {"code": message})


def list_tokens(session: Session, *, username: str) -> list[TokenInfo]:
    user = users.user_by_username(session, username)
    if user is None:
        raise NotFound(f"Gebruiker '{username}' bestaat niet.")
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)).all()
    return [TokenInfo(row.id, row.label, row.created_at, row.expires_at, row.last_used_at, row.revoked) for row in rows]


def revoke(session: Session, *, actor: Actor, now: datetime, username: str, token_id: int | None = None,
           reason: str = "ingetrokken") -> int:
    """Revoke one token of the person (or all with ``token_id=None``); returns how many stopped working."""
    user = users.user_by_username(session, username)
    if user is None:
        raise NotFound(f"Gebruiker '{username}' bestaat niet.")
    return bearer_tokens.revoke_tokens(session, actor=actor, now=now, user_id=user.id, token_id=token_id, reason=reason)
