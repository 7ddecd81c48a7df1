"""Case figures: one row of categories and lead times per case, and counts per month, for the dashboard

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-07 01:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'case_figure',
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('region', sa.String(length=80), nullable=True),
        sa.Column('route', sa.String(length=200), nullable=False),
        sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('acuut', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('bron', sa.String(length=40), nullable=True),
        sa.Column('vorm', sa.String(length=20), nullable=True),
        sa.Column('uitkomst', sa.String(length=40), nullable=True),
        sa.Column('geslacht', sa.String(length=20), nullable=True),
        sa.Column('leeftijdsgroep', sa.String(length=20), nullable=True),
        sa.Column('nationaliteitsgroep', sa.String(length=20), nullable=True),
        sa.Column('verrijkt_s', sa.Integer(), nullable=True),
        sa.Column('overgedragen_s', sa.Integer(), nullable=True),
        sa.Column('partner_terugkoppeling_s', sa.Integer(), nullable=True),
        sa.Column('melder_terugkoppeling_s', sa.Integer(), nullable=True),
        sa.Column('afgesloten_s', sa.Integer(), nullable=True),
        sa.Column('overleg_wachttijd_s', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'], name=op.f('fk_case_figure_instance_id_instance')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_case_figure_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('instance_id', name=op.f('pk_case_figure')),
    )
    with op.batch_alter_table('case_figure', schema=None) as batch_op:
        batch_op.create_index('ix_case_figure_region_period', ['region', 'year', 'month'], unique=False)
        batch_op.create_index('ix_case_figure_gemeente_period', ['organisation_id', 'year', 'month'], unique=False)
    op.create_table(
        'case_count',
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('category', sa.String(length=40), nullable=False),
        sa.Column('region', sa.String(length=80), nullable=True),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_case_count_organisation_id_organisation')),
        sa.PrimaryKeyConstraint('organisation_id', 'year', 'month', 'field', 'category', name=op.f('pk_case_count')),
    )
    with op.batch_alter_table('case_count', schema=None) as batch_op:
        batch_op.create_index('ix_case_count_region_year', ['region', 'year', 'month'], unique=False)
        batch_op.create_index('ix_case_count_region_month', ['region', 'month'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('case_count', schema=None) as batch_op:
        batch_op.drop_index('ix_case_count_region_month')
        batch_op.drop_index('ix_case_count_region_year')
    op.drop_table('case_count')
    with op.batch_alter_table('case_figure', schema=None) as batch_op:
        batch_op.drop_index('ix_case_figure_gemeente_period')
        batch_op.drop_index('ix_case_figure_region_period')
    op.drop_table('case_figure')
