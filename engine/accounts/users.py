"""Organisations, accounts, passwords (argon2), login sessions, OIDC identities and personal API tokens."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, object_session

from engine import access
from engine.accounts.actors import Actor
from engine.accounts.roles import ROLE_LABELS, SECOND_FACTOR_ROLES, Role, parse_role
from engine.audit import log
from engine.audit.events import EventType
from engine.db import keep_on_refusal
from engine.dutch import local_iso
from engine.errors import Conflict, Forbidden, NotFound, ValidationFailed
from engine.models import ApiToken, Organisation, User
from engine.models.users import LoginSession
from engine.notify import is_address

_hasher = PasswordHasher()
# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("signaalroute-timing-equaliser")
MIN_PASSWORD_LENGTH = 12
TOKEN_USE_RESOLUTION = timedelta(minutes=5)
TOKEN_PREFIX = "sr_"  # noqa: S105 - a visible prefix so leaked tokens are recognisable
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Ended sessions (and ones nobody ended, after this long) are deleted when their user logs in again.
SESSION_ROWS_KEPT = timedelta(days=30)
SESSION_WAYS = ("wachtwoord", "oidc")


# Account events live in the one event vocabulary; the alias keeps the call sites readable.
AccountEvent = EventType


def record_account_event(session: Session, event: AccountEvent, *, actor: Actor, now: datetime,
                         payload: dict[str, Any]) -> None:
    log.record(session, event_type=event, actor=actor, now=now, payload=payload)


def hash_secret(value: str) -> str:
    """Argon2 for anything a person types that must be checked later (passwords, recovery codes)."""
    return _hasher.hash(value)


def verify_secret(hashed: str, value: str) -> bool:
    try:
        return _hasher.verify(hashed, value)
    except (VerificationError, InvalidHashError):
        return False


def actor_for(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=Role(user.role),
        organisation_id=user.organisation_id,
        organisation_slug=user.organisation.slug,
        coordinator=user.coordinator,
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
    if user is None:
        verify_secret(_DUMMY_HASH, password)
        return False
    return verify_secret(user.password_hash, password)


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def is_locked(user: User, *, now: datetime) -> bool:
    return user.locked_until is not None and user.locked_until > now


def record_failed_login(user: User | None, *, now: datetime) -> None:
    """One more wrong password or code; the fifth locks the account for :data:`LOCKOUT`.

    Password and second factor share the counter: knowing the password buys no extra guesses at the code.
    """
    if user is None:
        return
    session = object_session(user)
    if session is not None:
        keep_on_refusal(session, "failed-login counter")
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0


def record_good_credentials(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def start_session(session: Session, *, user: User, now: datetime, method: str) -> str:
    """A complete login (password or OIDC, and the second factor where it applies): a new session id.

    Only its hash is stored; the id goes into the (signed) session cookie. Old rows of this user go.
    """
    if method not in SESSION_WAYS:
        raise ValueError(f"unknown login method {method!r}")
    session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id,
        or_(LoginSession.ended_at.is_not(None), LoginSession.created_at < now - SESSION_ROWS_KEPT)))
    sid = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, sid_hash=_sid_hash(sid), method=method, created_at=now))
    user.last_login_at = now
    record_good_credentials(user)
    session.flush()
    return sid


def user_for_session(session: Session, *, user_id: int, sid: str) -> User | None:
    """The account of a live session, or None when it ended, expired, or belongs to someone else."""
    row = session.scalar(select(LoginSession).where(LoginSession.sid_hash == _sid_hash(sid),
                                                    LoginSession.ended_at.is_(None)))
    if row is None or row.user_id != user_id:
        return None
    user = session.get(User, user_id)
    return user if user is not None and user.active else None


def end_session(session: Session, *, sid: str, now: datetime) -> None:
    session.execute(update(LoginSession).where(LoginSession.sid_hash == _sid_hash(sid),
                                               LoginSession.ended_at.is_(None)).values(ended_at=now))


def end_all_sessions(session: Session, *, user_id: int, now: datetime) -> int:
    """Log a person out everywhere (a helpdesk reset); returns how many sessions ended."""
    result = session.execute(update(LoginSession).where(LoginSession.user_id == user_id,
                                                        LoginSession.ended_at.is_(None)).values(ended_at=now))
    return int(getattr(result, "rowcount", 0) or 0)


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


@dataclass(frozen=True)
class AccessRow:
    """One line of the yearly access review: who holds which rights, never any case content."""

    username: str
    name: str
    role: str
    organisation: str
    active: bool
    two_factor: bool
    last_login_at: datetime | None
    oidc_linked: bool
    api_tokens: int


ACCESS_REVIEW_COLUMNS = ("gebruikersnaam", "naam", "rol", "organisatie", "actief", "tweestapsverificatie",
                         "laatst_ingelogd", "oidc_gekoppeld", "api_tokens")


def access_review(session: Session, *, actor: Actor, now: datetime) -> list[AccessRow]:
    """Every account with its role, organisation and ways in (tokens that still work), for the yearly review.

    :raises Forbidden: for anyone but a beheerder.
    """
    if not access.can_review_access(actor):
        raise Forbidden("Alleen een beheerder mag het overzicht van rechten zien.")
    tokens: dict[int, int] = {
        user_id: count for user_id, count in session.execute(
            select(ApiToken.user_id, func.count()).where(ApiToken.revoked.is_(False), ApiToken.expires_at > now)
            .group_by(ApiToken.user_id))}
    rows = session.execute(select(User, Organisation.name).join(Organisation, User.organisation_id == Organisation.id)
                           .order_by(Organisation.name, User.username)).all()
    return [AccessRow(username=user.username, name=user.display_name,
                      role=_role_label(user.role),
                      organisation=organisation, active=user.active, two_factor=user.two_factor_enabled,
                      last_login_at=user.last_login_at, oidc_linked=user.oidc_subject is not None,
                      api_tokens=int(tokens.get(user.id, 0)))
            for user, organisation in rows]


def _role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def access_review_csv(session: Session, *, actor: Actor, now: datetime) -> bytes:
    """The review as CSV for Dutch spreadsheets (``;``, UTF-8 with BOM, formulas neutralised); audited."""
    from engine.audit.audit_export import neutralise  # its CSV conventions, not its columns

    rows = access_review(session, actor=actor, now=now)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(ACCESS_REVIEW_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in (
            row.username, row.name, row.role, row.organisation, "ja" if row.active else "nee",
            "aan" if row.two_factor else "uit", local_iso(row.last_login_at) if row.last_login_at else "",
            "ja" if row.oidc_linked else "nee", row.api_tokens)])
    record_account_event(session, AccountEvent.ACCESS_REVIEW_EXPORTED, actor=actor, now=now,
                         payload={"rows": len(rows), "format": "CSV"})
    return buffer.getvalue().encode("utf-8-sig")


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
