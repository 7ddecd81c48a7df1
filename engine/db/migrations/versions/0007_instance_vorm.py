"""Index the form of exploitation on the case, so work lists filter without reading workflow state

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('vorm', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_instance_vorm'), ['vorm'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instance_vorm'))
        batch_op.drop_column('vorm')
