"""Bearer tokens as a request meets them: recognise, look up, note their use, revoke.

Separate from issuing (:mod:`engine.accounts.api_tokens`), which needs the second factor: revoking
is also what resetting a second factor does, so the two must not import each other.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.roles import SECOND_FACTOR_ROLES
from engine.accounts.users import record_account_event
from engine.audit.events import EventType
from engine.errors import NotFound
from engine.models import ApiToken, User

TOKEN_USE_RESOLUTION = timedelta(minutes=5)


TOKEN_PREFIX = "sr_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: a statement's cache key is memoized on the object, and rebuilding it per API call cost
# more than running it (bench/profile_step.py --api). The token's user and organisation join eagerly.
_TOKEN_LOOKUP = select(ApiToken).where(ApiToken.token_hash == bindparam("token_hash"))


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    """The token's owner, or None for an unknown, revoked or expired token or an inactive account.

    A role with a mandatory second factor whose second factor was reset gets nothing either: the
    token was issued against that factor (see :mod:`engine.accounts.api_tokens`).
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(_TOKEN_LOOKUP, {"token_hash": token_hash(token)})
    if row is None or row.revoked or not row.user.active:
        return None
    if row.expires_at is None or now >= row.expires_at:
        return None
    if row.user.role in SECOND_FACTOR_ROLES and row.user.totp_secret_encrypted is None:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # coarse on purpose: not a write on every API call
    return row.user


def revoke_tokens(session: Session, *, actor: Actor, now: datetime, user_id: int, token_id: int | None = None,
                  reason: str) -> int:
    """Revoke one of the person's tokens (or all, ``token_id=None``); returns how many stopped working."""
    query = select(ApiToken.id).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    ids = list(session.scalars(query))
    if token_id is not None and not ids:
        raise NotFound(f"Geen geldig API-token met nummer {token_id} voor deze gebruiker.")
    if ids:
        session.execute(update(ApiToken).where(ApiToken.id.in_(ids)).values(revoked=True))
    for revoked_id in ids:
        record_account_event(session, EventType.TOKEN_REVOKED, actor=actor, now=now,
                             payload={"user_id": user_id, "token_id": revoked_id, "reason": reason})
    return len(ids)

