"""OpenID Connect identities linked to accounts: never a new account, one account per identity."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accounts.actors import Actor
from engine.accounts.users import AccountEvent, actor_for, record_account_event, user_by_username
from engine.db import keep_on_refusal
from engine.errors import Conflict, NotFound, ValidationFailed
from engine.models import User


def user_for_oidc(session: Session, *, now: datetime, issuer: str, subject: str, username: str | None) -> User | None:
    """The account an OpenID Connect identity may log in to, or None: never a new account.

    First the identity the beheerder linked (issuer + sub). Otherwise, only for an account the
    beheerder marked with ``oidc_link_by_username`` and that has no identity yet, the username claim
    links it once (audited); after that only issuer + sub count, so a renamed IdP user keeps the account
    and a new IdP user with a recycled name gets nothing.
    """
    user = session.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if user is not None:
        return user if user.active else None
    if not username:
        return None
    candidate = user_by_username(session, username)
    if (candidate is None or not candidate.active or not candidate.oidc_link_by_username
            or candidate.oidc_subject is not None):
        return None
    candidate.oidc_issuer, candidate.oidc_subject = issuer, subject
    candidate.oidc_link_by_username = False
    session.flush()
    keep_on_refusal(session, "identity linked by its username claim")  # stays linked if the login is refused
    record_account_event(session, AccountEvent.OIDC_LINKED, actor=actor_for(candidate), now=now,
                         payload={"user_id": candidate.id, "issuer": issuer, "how": "gebruikersnaam"})
    return candidate


def link_oidc(session: Session, *, actor: Actor, now: datetime, username: str, issuer: str, subject: str) -> User:
    """The beheerder registers the identity (issuer + sub) a person logs in with; one account per identity."""
    user = user_by_username(session, username)
    if user is None:
        raise NotFound(f"Gebruiker '{username}' bestaat niet.")
    issuer, subject = issuer.strip(), subject.strip()
    if not issuer.startswith("https://") or not subject:
        raise ValidationFailed("Geef de issuer (https://…) en de sub van de identiteit.",
                               {"issuer": "Begint met https://.", "subject": "Verplicht."})
    owner = session.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if owner is not None and owner.id != user.id:
        raise Conflict(f"Deze identiteit is al gekoppeld aan '{owner.username}'; accounts worden niet gedeeld.")
    user.oidc_issuer, user.oidc_subject, user.oidc_link_by_username = issuer, subject, False
    session.flush()
    record_account_event(session, AccountEvent.OIDC_LINKED, actor=actor, now=now,
                         payload={"user_id": user.id, "issuer": issuer, "how": "beheerder"})
    return user


def allow_oidc_link(session: Session, *, actor: Actor, now: datetime, username: str) -> User:
    """Let the next OIDC login whose username claim equals this username link the account, once."""
    user = user_by_username(session, username)
    if user is None:
        raise NotFound(f"Gebruiker '{username}' bestaat niet.")
    if user.oidc_subject is not None:
        raise Conflict(f"'{username}' is al gekoppeld aan een OIDC-identiteit.")
    user.oidc_link_by_username = True
    record_account_event(session, AccountEvent.OIDC_LINK_ALLOWED, actor=actor, now=now, payload={"user_id": user.id})
    return user

