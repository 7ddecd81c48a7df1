"""Model drafts, browser-saved form versions and the forms each deployment uses

model_draft: BPMN/DMN files being edited in the modeller, saved on the server.
form_version: a form's JSON Schema as saved in the browser, numbered per form.
deployment_form: the exact form JSON each deployment's tasks use, so an old case keeps its form.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 09:59:34.342424
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('form_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['saved_by_id'], ['user_account.id'], name=op.f('fk_form_version_saved_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_form_version')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_form_version_name'))
    )
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_version_name'), ['name'], unique=False)

    op.create_table('deployment_form',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('form_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_deployment_form_deployment_id_deployment')),
    sa.ForeignKeyConstraint(['form_version_id'], ['form_version.id'], name=op.f('fk_deployment_form_form_version_id_form_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deployment_form')),
    sa.UniqueConstraint('deployment_id', 'name', name=op.f('uq_deployment_form_deployment_id'))
    )
    with op.batch_alter_table('deployment_form', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deployment_form_deployment_id'), ['deployment_id'], unique=False)

    op.create_table('model_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('process_id', sa.String(length=200), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('base_file_id', sa.Integer(), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('checked_sha256', sa.String(length=64), nullable=True),
    sa.Column('check_ok', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('problems', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deployment_id', sa.Integer(), nullable=True),
    sa.Column('deployed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['base_file_id'], ['model_file.id'], name=op.f('fk_model_draft_base_file_id_model_file')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_model_draft_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['deployment_id'], ['deployment.id'], name=op.f('fk_model_draft_deployment_id_deployment')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_model_draft_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_model_draft'))
    )
    with op.batch_alter_table('model_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_model_draft_process_id'), ['process_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('model_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_model_draft_process_id'))

    op.drop_table('model_draft')
    with op.batch_alter_table('deployment_form', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deployment_form_deployment_id'))

    op.drop_table('deployment_form')
    with op.batch_alter_table('form_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_version_name'))

    op.drop_table('form_version')
