"""Accounts: create them, find them, and say who acts; the events every account change is recorded with."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.passwords import MIN_PASSWORD_LENGTH, hash_secret
from engine.accounts.roles import Role, parse_role
from engine.audit import log
from engine.audit.events import EventType
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.models import Organisation, User
from engine.notify import is_address

# Account events live in the one event vocabulary; the alias keeps the call sites readable.
AccountEvent = EventType


def record_account_event(session: Session, event: AccountEvent, *, actor: Actor, now: datetime,
                         payload: dict[str, Any]) -> None:
    log.record(session, event_type=event, actor=actor, now=now, payload=payload)


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        organisation_slug=user.organisation.slug,
        coordinator=user.coordinator,
    )


def create_user(session: Session, *, actor: Actor, now: datetime, username: str, password: str, role: str,
                organisation_slug: str, display_name: str | None = None, email: str | None = None,
                coordinator: bool = False) -> User:
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
        coordinator=coordinator,
        password_hash=hash_secret(password),
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


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))

