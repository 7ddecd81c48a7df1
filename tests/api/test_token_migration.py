"""Migration 0015 on a database with tokens from before: every token gets an end date, and the
tokens of roles with a mandatory second factor (issued without a code from the app) stop working."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from engine.db import UTCDateTime, make_engine
from engine.db.migrate import alembic_config, upgrade
from tests.support.base import START

pytestmark = pytest.mark.postgres

TOKEN = sa.table("api_token", sa.column("user_id", sa.Integer), sa.column("token_hash", sa.String),
                 sa.column("label", sa.String), sa.column("created_at", UTCDateTime()),
                 sa.column("revoked", sa.Boolean), sa.column("expires_at", UTCDateTime()))
USER = sa.table("user_account", sa.column("id", sa.Integer), sa.column("username", sa.String))


def test_old_tokens_get_90_days_and_privileged_ones_are_revoked(db_url, world):
    command.downgrade(alembic_config(db_url), "0014")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            for username in ("af", "beheerder"):
                user_id = conn.execute(sa.select(USER.c.id).where(USER.c.username == username)).scalar_one()
                conn.execute(sa.insert(TOKEN).values(
                    user_id=user_id, token_hash=username.ljust(64, "0"), label="", created_at=START, revoked=False))
        upgrade(db_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.select(USER.c.username, TOKEN.c.revoked, TOKEN.c.created_at, TOKEN.c.expires_at)
                                .join_from(TOKEN, USER, TOKEN.c.user_id == USER.c.id)
                                .order_by(USER.c.username)).all()
    finally:
        engine.dispose()
    assert [(r.username, bool(r.revoked)) for r in rows] == [("af", False), ("beheerder", True)]
    assert {r.expires_at - r.created_at for r in rows} == {timedelta(days=90)}
