"""Personal API tokens expire: short-lived for the roles that must use a second factor

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 12:40:00

Tokens made before this revision get 90 days from their creation; the application refuses a token
without an expiry date, so nothing outlives this rule by accident. Tokens of beheerders, auditors
and procesregisseurs were issued without a code from their app: they are revoked.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

LEGACY_VALIDITY = timedelta(days=90)
PRIVILEGED_ROLES = ('beheerder', 'auditor', 'procesregisseur')  # as engine.accounts.roles.SECOND_FACTOR_ROLES today


def upgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', engine.db.UTCDateTime(timezone=True), nullable=True))
    token = sa.table('api_token', sa.column('id', sa.Integer),
                     sa.column('created_at', engine.db.UTCDateTime(timezone=True)),
                     sa.column('expires_at', engine.db.UTCDateTime(timezone=True)))
    user = sa.table('user_account', sa.column('id', sa.Integer), sa.column('role', sa.String))
    connection = op.get_bind()
    for row in connection.execute(sa.select(token.c.id, token.c.created_at)).all():  # few rows; portable
        connection.execute(token.update().where(token.c.id == row.id)
                           .values(expires_at=row.created_at + LEGACY_VALIDITY))
    privileged = sa.select(user.c.id).where(user.c.role.in_(PRIVILEGED_ROLES))
    connection.execute(sa.table('api_token', sa.column('user_id', sa.Integer), sa.column('revoked', sa.Boolean))
                       .update().where(sa.column('user_id').in_(privileged)).values(revoked=True))


def downgrade() -> None:
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('expires_at')
