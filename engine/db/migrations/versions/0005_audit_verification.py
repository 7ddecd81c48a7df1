"""Audit verification runs: when the hash chains were checked, by whom, and what was found

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('run_by', sa.String(length=80), nullable=False),
    sa.Column('run_by_role', sa.String(length=40), nullable=True),
    sa.Column('chains_checked', sa.Integer(), nullable=False),
    sa.Column('events_checked', sa.Integer(), nullable=False),
    sa.Column('anchors_checked', sa.Integer(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('problems', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_verification'))
    )
    with op.batch_alter_table('audit_verification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_verification_checked_at'), ['checked_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_verification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_verification_checked_at'))

    op.drop_table('audit_verification')
