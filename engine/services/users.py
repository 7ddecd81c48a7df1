"""Organisations, accounts, passwords (argon2) and personal API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.actors import Actor
from engine.audit import log
from engine.audit.events import EventType
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.models import ApiToken, Organisation, User
from engine.notify import is_address
from engine.roles import Role, parse_role

_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("signaalroute-timing-equaliser")
MIN_PASSWORD_LENGTH = 12
TOKEN_USE_RESOLUTION = timedelta(minutes=5)
TOKEN_PREFIX = "sr_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        organisation_slug=user.organisation.slug,
    )


def get_or_create_organisation(session: Session, *, slug: str, name: str, kind: str,
                               region: str | None = None) -> Organisation:
    organisation = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        organisation = Organisation(slug=slug, name=name, kind=kind, region=region)
        session.add(organisation)
        session.flush()
    return organisation


def create_user(session: Session, *, actor: Actor, now: datetime, username: str, password: str, role: str,
                organisation_slug: str, display_name: str | None = None, email: str | None = None) -> User:
    """Create an account; the password is stored only as an argon2 hash."""
    try:
        parsed_role = parse_role(role)
    except ValueError as exc:
        raise ValidationFailed(str(exc), {"role": str(exc)}) from exc
    if len(password) < MIN_PASSWORD_LENGTH:
        message = f"Het wachtwoord moet minstens {MIN_PASSWORD_LENGTH} tekens hebben."
        raise ValidationFailed(message, {"password": message})
    if email is not None and not is_address(email):
        message = "Vul een geldig e-mailadres in."
        raise ValidationFailed(message, {"email": message})
    organisation = session.scalar(select(Organisation).where(Organisation.slug == organisation_slug))
    if organisation is None:
        raise NotFound(f"Organisatie '{organisation_slug}' bestaat niet.")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"Gebruikersnaam '{username}' is al in gebruik.")
    user = User(
        username=username,
        display_name=display_name or username,
        email=email or None,
        password_hash=_hasher.hash(password),
        role=str(parsed_role),
        organisation_id=organisation.id,
        active=True,
        failed_logins=0,
        created_at=now,
    )
    session.add(user)
    session.flush()
    log.record(session, event_type=EventType.USER_CREATED, actor=actor, now=now,
               payload={"user_id": user.id, "role": str(parsed_role), "organisation": organisation.slug})
    return user


def verify_password(user: User | None, password: str) -> bool:
    """Constant-shape check: an unknown user costs the same as a wrong password."""
    try:
        if user is None:
            _hasher.verify(_DUMMY_HASH, password)
            return False
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, *, actor: Actor, now: datetime, username: str, label: str = "") -> str:
    """Create a personal API token and return it; only its hash is kept."""
    user = user_by_username(session, username)
    if user is None:
        raise NotFound(f"Gebruiker '{username}' bestaat niet.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label, created_at=now,
                         revoked=False))
    session.flush()
    log.record(session, event_type=EventType.TOKEN_CREATED, actor=actor, now=now, payload={"user_id": user.id})
    return token


def user_for_token(session: Session, token: str, *, now: datetime) -> User | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # coarse on purpose: not a write on every API call
    return row.user
