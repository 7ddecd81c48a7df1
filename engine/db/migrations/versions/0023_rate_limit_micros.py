"""Rate-limit buckets keep their time as integer microseconds, so one upsert can spend a token

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-07 01:40:00

``engine.services.rate_limits`` now spends a token with one ``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING`` statement on both databases; the refill is computed in SQL from ``updated_us``
(microseconds since the Unix epoch), exact integer arithmetic on both. Buckets are short-lived
counters, not records: the table is recreated empty (every bucket starts full again).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0023'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('rate_limit_bucket')
    op.create_table(
        'rate_limit_bucket',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('tokens', sa.Float(), nullable=False),
        sa.Column('updated_us', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_bucket')),
    )
    op.create_index(op.f('ix_rate_limit_bucket_updated_us'), 'rate_limit_bucket', ['updated_us'], unique=False)


def downgrade() -> None:
    op.drop_table('rate_limit_bucket')
    op.create_table(
        'rate_limit_bucket',
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('tokens', sa.Float(), nullable=False),
        sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_bucket')),
    )
    op.create_index(op.f('ix_rate_limit_bucket_updated_at'), 'rate_limit_bucket', ['updated_at'], unique=False)
