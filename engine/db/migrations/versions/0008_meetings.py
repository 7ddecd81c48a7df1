"""Meetings with agendas and minutes; acute flag indexed on the case

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'meeting',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=80), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('starts_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('call_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('freeze_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('participant_roles', sa.String(length=300), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('planned_by', sa.String(length=80), nullable=False),
        sa.Column('called_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('frozen_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('held_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('minutes', sa.Text(), nullable=True),
        sa.Column('minutes_by_id', sa.Integer(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['minutes_by_id'], ['user_account.id'],
                                name=op.f('fk_meeting_minutes_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting')),
        sa.UniqueConstraint('region', 'starts_at', name=op.f('uq_meeting_region')),
    )
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_region'), ['region'], unique=False)
    op.create_table(
        'meeting_item',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('meeting_id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('section', sa.String(length=20), nullable=False),
        sa.Column('acute_after_freeze', sa.Boolean(), nullable=False),
        sa.Column('added_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decision', sa.String(length=40), nullable=True),
        sa.Column('decided_at', engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_meeting_item_instance_id_instance')),
        sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_meeting_item_meeting_id_meeting')),
        sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_meeting_item_task_id_human_task')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_item')),
        sa.UniqueConstraint('meeting_id', 'instance_id', name=op.f('uq_meeting_item_meeting_id')),
    )
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_item_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_item_meeting_id'), ['meeting_id'], unique=False)
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acuut', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_column('acuut')
    with op.batch_alter_table('meeting_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_item_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_meeting_item_instance_id'))
    op.drop_table('meeting_item')
    with op.batch_alter_table('meeting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_region'))
    op.drop_table('meeting')
