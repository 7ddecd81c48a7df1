"""Personal API tokens for the tests' people, the way they are issued in production.

For a role with a mandatory second factor a token needs a current code from the person's app: the
person is enrolled first when needed (as at their first login) and the code is computed from the
stored secret, for a 30-second step the app has not spent yet.
"""

from __future__ import annotations

from datetime import datetime

import pyotp
from sqlalchemy.orm import Session, sessionmaker

from engine.accounts import api_tokens, two_factor, users
from engine.accounts.actors import Actor
from engine.db import unit_of_work

ISSUER = Actor.system("test")


def issue_token(factory: sessionmaker[Session], *, username: str, now: datetime, secret_key: str,
                days: int | None = None) -> str:
    box = two_factor.SecretBox(secret_key)
    with unit_of_work(factory) as session:
        user = users.user_by_username(session, username)
        assert user is not None, username
        code = None
        if api_tokens.needs_second_factor(user):
            if user.totp_secret_encrypted is None:
                secret = two_factor.new_secret()
                two_factor.enable(session, actor=ISSUER, now=now, user=user, secret=secret,
                                  code=pyotp.TOTP(secret).at(int(now.timestamp())), box=box)
            code = unspent_code(box.open(user.totp_secret_encrypted), user.totp_last_step, now)
        return api_tokens.issue(session, actor=ISSUER, now=now, username=username, code=code, box=box, days=days)


def unspent_code(secret: str, last_step: int | None, now: datetime) -> str:
    step = int(now.timestamp()) // two_factor.STEP_SECONDS
    target = step if last_step is None or last_step < step else last_step + 1
    assert target <= step + two_factor.WINDOW, "every code of this moment is spent: move the test clock on"
    return pyotp.TOTP(secret).generate_otp(target)
