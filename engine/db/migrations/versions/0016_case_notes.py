"""Notes and files on a case: the note row with its readers; the file's bytes live outside the database

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 22:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('author_username', sa.String(length=80), nullable=False),
        sa.Column('author_role', sa.String(length=40), nullable=True),
        sa.Column('author_organisation', sa.String(length=80), nullable=True),
        sa.Column('audience', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
                  nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('file_sha256', sa.String(length=64), nullable=True),
        sa.Column('file_type', sa.String(length=120), nullable=True),
        sa.Column('file_size', sa.Integer(), nullable=True),
        sa.Column('audit_seq', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_case_note_author_id_user_account')),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_case_note_instance_id_instance')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_note')),
    )
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_note_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_note_file_sha256'), ['file_sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_note_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_case_note_instance_id'))
    op.drop_table('case_note')
