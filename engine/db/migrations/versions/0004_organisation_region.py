"""Organisation belongs to a region profile (processes/regions/<slug>.toml)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisation_region'), ['region'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_region'))
        batch_op.drop_column('region')
