"""Case migrations between process versions, kept so a migration can be reverted exactly

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('case_migration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('from_definition_id', sa.Integer(), nullable=False),
    sa.Column('to_definition_id', sa.Integer(), nullable=False),
    sa.Column('state_before', sa.Text(), nullable=False),
    sa.Column('serializer_version_before', sa.String(length=20), nullable=False),
    sa.Column('state_before_sha256', sa.String(length=64), nullable=False),
    sa.Column('state_after_sha256', sa.String(length=64), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('migrated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('migrated_by_id', sa.Integer(), nullable=True),
    sa.Column('reverted_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reverted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['from_definition_id'], ['process_definition.id'], name=op.f('fk_case_migration_from_definition_id_process_definition')),
    sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_case_migration_instance_id_instance')),
    sa.ForeignKeyConstraint(['migrated_by_id'], ['user_account.id'], name=op.f('fk_case_migration_migrated_by_id_user_account')),
    sa.ForeignKeyConstraint(['reverted_by_id'], ['user_account.id'], name=op.f('fk_case_migration_reverted_by_id_user_account')),
    sa.ForeignKeyConstraint(['to_definition_id'], ['process_definition.id'], name=op.f('fk_case_migration_to_definition_id_process_definition')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_migration'))
    )
    with op.batch_alter_table('case_migration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_migration_instance_id'), ['instance_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_migration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_migration_instance_id'))

    op.drop_table('case_migration')
