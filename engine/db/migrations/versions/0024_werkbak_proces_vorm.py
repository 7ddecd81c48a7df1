"""The werkbak's "proces" order and vorm filter as index ranges: the case's vorm and process name on its tasks

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 04:30:00

Before, the "proces" order looked up each task's case to see its process version, and first found the
versions with cases by reading the whole case table; the vorm filter looked up the case of every task
in the branch range. Both grew with the number of cases (issue 19 §1). Now each task row carries its
case's vorm ("onbekend" while the case has none) and its process version's name (the process id when
the version has none), kept in the step's transaction, and each access branch has an index with
either as an equality prefix, in the order the werkbak reads.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# (name, leading columns, partial-index condition), as in 0021.
_BRANCHES = [
    ('team', ['role', 'organisation_id'], None),
    ('holder', ['assignee_id'], 'assignee_id IS NOT NULL'),
    ('done', ['completed_by_id'], 'completed_by_id IS NOT NULL'),
]
_TAILS = {'proces': ['state', 'process_name', 'due_at', 'created_at', 'id'],
          'vorm': ['state', 'vorm', 'acuut', 'due_at', 'created_at', 'id']}


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('vorm', sa.String(length=20), server_default='onbekend', nullable=False))
        batch.add_column(sa.Column('process_name', sa.String(length=200), server_default='', nullable=False))
    op.execute("UPDATE human_task SET "
               "vorm = COALESCE((SELECT instance.vorm FROM instance WHERE instance.id = human_task.instance_id), "
               "'onbekend'), "
               "process_name = COALESCE((SELECT COALESCE(NULLIF(process_definition.name, ''), "
               "process_definition.process_id) FROM instance JOIN process_definition "
               "ON process_definition.id = instance.definition_id WHERE instance.id = human_task.instance_id), '')")
    for name, lead, where in _BRANCHES:
        for tail_name, tail in _TAILS.items():
            if where is None:
                op.create_index(f'ix_human_task_{name}_{tail_name}', 'human_task', [*lead, *tail])
            else:
                op.create_index(f'ix_human_task_{name}_{tail_name}', 'human_task', [*lead, *tail],
                                sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def downgrade() -> None:
    for name, _lead, _where in _BRANCHES:
        for tail_name in _TAILS:
            op.drop_index(f'ix_human_task_{name}_{tail_name}', table_name='human_task')
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('process_name')
        batch.drop_column('vorm')
