"""Login sessions on the server: each browser session has a row, so logging out everywhere and ending a
session on a password reset work across workers."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from engine.accounts.passwords import record_good_credentials
from engine.models import User
from engine.models.users import LoginSession

# Ended sessions (and ones nobody ended, after this long) are deleted when their user logs in again.
SESSION_ROWS_KEPT = timedelta(days=30)

SESSION_WAYS = ("wachtwoord", "oidc")


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

