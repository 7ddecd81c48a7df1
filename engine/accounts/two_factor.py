"""TOTP two-factor authentication (RFC 6238) with single-use recovery codes.

Mandatory for the roles that can change or read everything (beheerder, auditor, procesregisseur),
optional for everyone else. The TOTP secret is stored encrypted (Fernet, key derived from the
application's secret key with HKDF) and never logged; recovery codes are stored as argon2 hashes.
A code is accepted once: the last accepted 30-second step is kept (RFC 6238 section 5.2).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from datetime import datetime
from typing import Literal

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.accounts import bearer_tokens, login_sessions, passwords, users
from engine.accounts.actors import Actor
from engine.accounts.roles import SECOND_FACTOR_ROLES
from engine.accounts.users import AccountEvent, record_account_event
from engine.errors import DomainError, Forbidden, NotFound, ValidationFailed
from engine.models import User
from engine.models.users import RecoveryCode

REQUIRED_ROLES = SECOND_FACTOR_ROLES
ISSUER = "Signaalroute"
STEP_SECONDS = 30
# One step either side: a phone clock a little off still works; a used step never works again.
WINDOW = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper without doubt
_RECOVERY_LENGTH = 10  # 31^10 ≈ 2^49.5 per code, behind the same lockout as passwords

Method = Literal["totp", "herstelcode"]


class SecondFactorUnavailable(DomainError):
    """The stored secret cannot be decrypted (the secret key changed): only a helpdesk reset helps."""

    code, status = "tweestapsverificatie_onleesbaar", 500


def required_for(role: str) -> bool:
    return role in REQUIRED_ROLES


class SecretBox:
    """Encrypts TOTP secrets at rest with a key derived from the application's secret key.

    A database dump alone does not give anyone the codes. Changing the secret key makes existing
    enrolments unreadable: then every enrolled person needs ``signaalroute gebruikers tweestaps-wissen``.
    """

    def __init__(self, secret_key: str):
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=b"signaalroute/totp-secret/v1").derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise SecondFactorUnavailable(
                "De tweestapsverificatie van dit account kan niet worden gecontroleerd. "
                "Vraag de beheerder om die opnieuw in te stellen.") from exc


def new_secret() -> str:
    """160 random bits in base32, what authenticator apps expect (RFC 4226 recommends 160)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _clean_totp(code: str) -> str | None:
    digits = "".join(code.split())
    return digits if len(digits) == 6 and digits.isascii() and digits.isdigit() else None


def matching_step(secret: str, code: str, *, now: datetime, after: int | None = None) -> int | None:
    """The 30-second step whose code this is (within :data:`WINDOW`), if later than ``after``; else None."""
    digits = _clean_totp(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret)
    current = _step(now)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _new_recovery_codes(session: Session, *, user: User, now: datetime) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=passwords.hash_secret(raw), created_at=now))
    session.flush()
    return codes


def enable(session: Session, *, actor: Actor, now: datetime, user: User, secret: str, code: str,
           box: SecretBox) -> list[str]:
    """Confirm enrolment with the first code from the app; returns the recovery codes, shown once.

    :raises ValidationFailed: when the code does not belong to the secret (now, give or take a step).
    """
    if user.two_factor_enabled:
        raise ValidationFailed("Tweestapsverificatie staat al aan.", {"code": "Tweestapsverificatie staat al aan."})
    step = matching_step(secret, code, now=now)
    if step is None:
        message = "Deze code klopt niet. Vul de zes cijfers in die de app nu toont."
        raise ValidationFailed(message, {"code": message})
    user.totp_secret_encrypted = box.seal(secret)
    user.totp_enabled_at = now
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user=user, now=now)
    record_account_event(session, AccountEvent.TWO_FACTOR_ENABLED, actor=actor, now=now, payload={"user_id": user.id})
    return codes


def verify(session: Session, *, actor: Actor, now: datetime, user: User, code: str, box: SecretBox) -> Method | None:
    """Check the second factor at login: a TOTP code (once) or an unused recovery code (then spent)."""
    if user.totp_secret_encrypted is None:
        return None
    if _clean_totp(code) is not None:
        step = matching_step(box.open(user.totp_secret_encrypted), code, now=now, after=user.totp_last_step)
        if step is None:
            return None
        user.totp_last_step = step
        return "totp"
    normalised = "".join(ch for ch in code.lower() if ch.isalnum())
    if len(normalised) != _RECOVERY_LENGTH:
        return None
    unused = session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                        RecoveryCode.used_at.is_(None))).all()
    for row in unused:
        if passwords.verify_secret(row.code_hash, normalised):
            row.used_at = now
            record_account_event(session, AccountEvent.RECOVERY_CODE_USED, actor=actor, now=now,
                                 payload={"user_id": user.id, "remaining": len(unused) - 1})
            return "herstelcode"
    return None


def remaining_recovery_codes(session: Session, *, user: User) -> int:
    return int(session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0)


def renew_recovery_codes(session: Session, *, actor: Actor, now: datetime, user: User, code: str,
                         box: SecretBox) -> list[str]:
    """New recovery codes (the old ones stop working), after a current code from the app.

    :raises ValidationFailed: when the code is wrong; the caller counts that towards the lockout.
    """
    _require_current_code(user, code, now=now, box=box)
    codes = _new_recovery_codes(session, user=user, now=now)
    record_account_event(session, AccountEvent.RECOVERY_CODES_RENEWED, actor=actor, now=now,
                         payload={"user_id": user.id})
    return codes


def disable(session: Session, *, actor: Actor, now: datetime, user: User, code: str, box: SecretBox) -> None:
    """Turn the second factor off, after a current code; not for the roles that must have it."""
    if required_for(user.role):
        raise Forbidden("Voor uw rol is tweestapsverificatie verplicht; die kan niet uit.")
    _require_current_code(user, code, now=now, box=box)
    _clear(session, user)
    record_account_event(session, AccountEvent.TWO_FACTOR_DISABLED, actor=actor, now=now,
                         payload={"user_id": user.id})


def reset(session: Session, *, actor: Actor, now: datetime, username: str) -> int:
    """The helpdesk: forget the second factor (lost phone), end every session; returns sessions ended.

    The person enrols again at the next login. The helpdesk must make sure first that it is that
    person asking: whoever knows the password can enrol a new app after a reset.
    """
    user = users.user_by_username(session, username)
    if user is None:
        raise NotFound(f"Gebruiker '{username}' bestaat niet.")
    _clear(session, user)
    passwords.record_good_credentials(user)
    ended = login_sessions.end_all_sessions(session, user_id=user.id, now=now)
    # A lost phone may be a stolen one: tokens issued against that factor stop too.
    revoked = bearer_tokens.revoke_tokens(session, actor=actor, now=now, user_id=user.id,
                                  reason="tweestapsverificatie hersteld")
    record_account_event(session, AccountEvent.TWO_FACTOR_RESET, actor=actor, now=now,
                         payload={"user_id": user.id, "sessions_ended": ended, "tokens_revoked": revoked})
    return ended


def verify_app_code(user: User, code: str, *, now: datetime, box: SecretBox) -> int | None:
    """A current code from the person's app (never a recovery code), spent once; its step, or None."""
    if user.totp_secret_encrypted is None:
        return None
    step = matching_step(box.open(user.totp_secret_encrypted), code, now=now, after=user.totp_last_step)
    if step is not None:
        user.totp_last_step = step
    return step


def _require_current_code(user: User, code: str, *, now: datetime, box: SecretBox) -> None:
    message = "Deze code klopt niet. Vul de zes cijfers in die de app nu toont."
    if user.totp_secret_encrypted is None:
        raise ValidationFailed("Tweestapsverificatie staat niet aan.", {"code": "Tweestapsverificatie staat niet aan."})
    if verify_app_code(user, code, now=now, box=box) is None:
        raise ValidationFailed(message, {"code": message})


def _clear(session: Session, user: User) -> None:
    user.totp_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
