"""Werkbak indexes: one per access branch and sort order, and the case's acute flag on its tasks

Revision ID: 0021
Revises: 0022
Create Date: 2026-12-07 02:00:00

The werkbak reads each branch of its access rule (the tasks I hold, the tasks I completed, my
team's tasks) as its own index range in the order of the chosen sort, so a page costs the same at
1,000 and at 100,000 cases (issue 19 §1). "Urgentie" sorts acute signals first; the flag is copied
from the case onto its tasks (it is set once, at intake) so that sort can come from the index too.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0022'
branch_labels = None
depends_on = None

# (name, leading columns, partial-index condition): each with the two sort tails below.
_BRANCHES = [
    ('team', ['role', 'organisation_id'], None),
    ('holder', ['assignee_id'], 'assignee_id IS NOT NULL'),
    ('done', ['completed_by_id'], 'completed_by_id IS NOT NULL'),
]
_TAILS = {'term': ['state', 'acuut', 'due_at', 'created_at', 'id'], 'made': ['state', 'created_at', 'id']}
# PostgreSQL estimates "holder = me AND state = ready" as if the two were independent; most of a
# person's tasks are completed ones, so without these it expects thousands of rows where there are few.
_STATISTICS = {'st_human_task_holder': 'assignee_id, state', 'st_human_task_done': 'completed_by_id, state',
               'st_human_task_team': 'role, organisation_id, state'}
_REMIND = "state = 'ready' AND reminded_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.add_column(sa.Column('acuut', sa.Boolean(), server_default=sa.false(), nullable=False))
        # (state, role, organisation_id) is the team indexes' prefix now. (state, due_at) becomes the
        # reminder scheduler's own partial index: a werkbak query could pick the old one and then sort
        # every overdue task before its LIMIT; it cannot use one that requires reminded_at IS NULL.
        batch.drop_index('ix_human_task_work')
        batch.drop_index('ix_human_task_due')
    op.create_index('ix_human_task_remind', 'human_task', ['due_at'], sqlite_where=sa.text(_REMIND),
                    postgresql_where=sa.text(_REMIND))
    op.execute("UPDATE human_task SET acuut = (SELECT instance.acuut FROM instance "
               "WHERE instance.id = human_task.instance_id)")
    for name, lead, where in _BRANCHES:
        for tail_name, tail in _TAILS.items():
            if where is None:
                op.create_index(f'ix_human_task_{name}_{tail_name}', 'human_task', [*lead, *tail])
            else:
                op.create_index(f'ix_human_task_{name}_{tail_name}', 'human_task', [*lead, *tail],
                                sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    if op.get_bind().dialect.name == 'postgresql':
        for name, columns in _STATISTICS.items():
            op.execute(f'CREATE STATISTICS {name} (dependencies, mcv) ON {columns} FROM human_task')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name in _STATISTICS:
            op.execute(f'DROP STATISTICS IF EXISTS {name}')
    op.drop_index('ix_human_task_remind', table_name='human_task')
    for name, _lead, _where in _BRANCHES:
        for tail_name in _TAILS:
            op.drop_index(f'ix_human_task_{name}_{tail_name}', table_name='human_task')
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('acuut')
        batch.create_index('ix_human_task_work', ['state', 'role', 'organisation_id'], unique=False)
        batch.create_index('ix_human_task_due', ['state', 'due_at'], unique=False)
