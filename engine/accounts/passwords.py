"""Passwords and codes: argon2 hashes, equal timing for unknown users, and the lockout after failed attempts."""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import object_session

from engine.db import keep_on_refusal
from engine.models import User

_hasher = PasswordHasher()

# Verifying against this keeps the time of "no such user" equal to "wrong password".
_DUMMY_HASH = _hasher.hash("signaalroute-timing-equaliser")

MIN_PASSWORD_LENGTH = 12

MAX_FAILED_LOGINS = 5

LOCKOUT = timedelta(minutes=15)


def hash_secret(value: str) -> str:
    """Argon2 for anything a person types that must be checked later (passwords, recovery codes)."""
    return _hasher.hash(value)


def verify_secret(hashed: str, value: str) -> bool:
    try:
        return _hasher.verify(hashed, value)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(user: User | None, password: str) -> bool:
    """Constant-shape check: an unknown user costs the same as a wrong password."""
    if user is None:
        verify_secret(_DUMMY_HASH, password)
        return False
    return verify_secret(user.password_hash, password)


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

