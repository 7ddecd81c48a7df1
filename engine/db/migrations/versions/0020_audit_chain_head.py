"""Audit chain heads committed with every event; seals signed with a key outside the database

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-06 22:30:00

``audit_chain_head`` holds each chain's newest (seq, hash), written in the transaction that appends
the event, so deleting the last events of a case shows before any seal. It starts from the events
as they are now, all marked unsealed, so the first seal after the upgrade covers every chain.
Seals get an Ed25519 signature and the id of the key that made it; older seals keep none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0020'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'audit_chain_head',
        sa.Column('chain', sa.String(length=60), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('unsealed', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_chain_head')),
    )
    op.create_index(op.f('ix_audit_chain_head_unsealed'), 'audit_chain_head', ['unsealed'], unique=False)
    op.execute(
        "INSERT INTO audit_chain_head (chain, seq, hash, unsealed) "
        "SELECT e.chain, e.seq, e.hash, true FROM audit_event e "
        "JOIN (SELECT chain, MAX(seq) AS seq FROM audit_event GROUP BY chain) last "
        "ON e.chain = last.chain AND e.seq = last.seq"
    )
    with op.batch_alter_table('audit_anchor', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('key_id', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('exported_at', engine.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_anchor', schema=None) as batch_op:
        batch_op.drop_column('exported_at')
        batch_op.drop_column('key_id')
        batch_op.drop_column('signature')
    op.drop_index(op.f('ix_audit_chain_head_unsealed'), table_name='audit_chain_head')
    op.drop_table('audit_chain_head')
