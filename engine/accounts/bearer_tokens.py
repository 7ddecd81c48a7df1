"""Bearer tokens as a request meets them: recognise, look up, note their use, revoke.

Separate from issuing (:mod:`engine.accounts.api_tokens`), which needs the second factor: revoking
is also what resetting a second factor does, so the two must not import each other.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.accounts.actors import Actor
from engine.accounts.roles import SECOND_FACTOR_ROLES, Role
from engine.accounts.users import record_account_event
from engine.audit.events import EventType
from engine.errors import NotFound
from engine.models import ApiToken, Organisation, User

TOKEN_USE_RESOLUTION = timedelta(minutes=5)


TOKEN_PREFIX = "sr_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Built once: a statement's cache key is memoized on the object, and rebuilding it per API call cost
# more than running it (bench/profile_step.py --api). Token, account and organisation in one Core row.
_TOKEN_ACTOR = (
    select(ApiToken.id, ApiToken.revoked, ApiToken.expires_at, ApiToken.last_used_at,
           User.id.label("user_id"), User.username, User.role, User.active, User.organisation_id,
           User.coordinator, User.totp_secret_encrypted.is_not(None).label("has_second_factor"),
           Organisation.slug.label("organisation_slug"))
    .join(User, User.id == ApiToken.user_id)
    .join(Organisation, Organisation.id == User.organisation_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)
_TOKEN_USED = update(ApiToken).where(ApiToken.id == bindparam("token_id")).values(last_used_at=bindparam("now"))


def token_reading(token: str) -> tuple[Any, dict[str, Any]] | None:
    """The statement (built once) and parameters that read the token's row for :func:`actor_from_row`.

    None for a string that is no token of ours. The API's rate limiter reads it along with its spend
    (one round trip on PostgreSQL, engine.accounts.rate_limits.take): in autocommit just before the
    request's transaction, which under READ COMMITTED sees the same committed revocations.
    """
    if not token.startswith(TOKEN_PREFIX):
        return None
    return _TOKEN_ACTOR, {"token_hash": token_hash(token)}


def actor_for_token(session: Session, token: str, *, now: datetime) -> Actor | None:
    """The token's owner as an actor, or None for an unknown, revoked or expired token or an inactive account.

    Read in the caller's transaction, so a revocation committed before it is seen at once.
    """
    reading = token_reading(token)
    if reading is None:
        return None
    session.flush()
    return actor_from_row(session, session.connection().execute(*reading).first(), now=now)


def actor_from_row(session: Session, row: Any, *, now: datetime) -> Actor | None:
    """The actor of a row read with :func:`token_reading` (None: no such token), noting the token's use.

    None for a revoked or expired token or an inactive account. A role with a mandatory second factor
    whose second factor was reset gets nothing either: the token was issued against that factor (see
    :mod:`engine.accounts.api_tokens`).
    """
    if row is None or row.revoked or not row.active:
        return None
    if row.expires_at is None or now >= row.expires_at:
        return None
    if row.role in SECOND_FACTOR_ROLES and not row.has_second_factor:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        # Coarse on purpose: not a write on every API call.
        session.flush()
        session.connection().execute(_TOKEN_USED, {"token_id": row.id, "now": now})
        loaded = session.identity_map.get(identity_key(ApiToken, row.id))
        if loaded is not None:  # a Core UPDATE changed the row: an object of it the session holds must reload
            session.expire(loaded, ["last_used_at"])
    return Actor(user_id=row.user_id, username=row.username, role=Role(row.role),
                 organisation_id=row.organisation_id, organisation_slug=row.organisation_slug,
                 coordinator=row.coordinator)


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

