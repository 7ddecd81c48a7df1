"""Gemeenten kept in the web UI (aliases, zorgcoördinator, merges) and the meeting schedule per region

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('aliases', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('zorgcoordinator', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisation_merged_into_id_organisation'), 'organisation',
                                    ['merged_into_id'], ['id'])
    op.create_table(
        'meeting_schedule',
        sa.Column('region', sa.String(length=80), nullable=False),
        sa.Column('weekday', sa.String(length=20), nullable=False),
        sa.Column('time_of_day', sa.String(length=5), nullable=False),
        sa.Column('call_working_days', sa.Integer(), nullable=False),
        sa.Column('freeze_working_days', sa.Integer(), nullable=False),
        sa.Column('updated_by', sa.String(length=80), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('region', name=op.f('pk_meeting_schedule')),
    )


def downgrade() -> None:
    op.drop_table('meeting_schedule')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_merged_into_id_organisation'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('zorgcoordinator')
        batch_op.drop_column('aliases')
