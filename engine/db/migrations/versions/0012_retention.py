"""Retention: audit hashes over a payload digest (erasable payloads), destruction records

The chain hash of an audit event covered its payload; from now on it covers ``payload_sha256``
(the SHA-256 of the canonical payload), so a payload can be erased when its case's retention period
ends and the chain still verifies. Every existing event gets its digest and a hash under the new
scheme, chain by chain, and the anchors get the new head hashes and digests.

Rehashing must not launder tampering that happened before the upgrade. So validity is carried
forward: only an event whose stored hash matches the *old* scheme gets a fresh hash; an event that
was already broken keeps its stale hash (and stays reported), and a ``prev_hash`` is rewritten only
when it pointed at an event that got a fresh hash. The anchors are treated the same way. The two
hash schemes are frozen here on purpose: later code changes must not change what this migration did.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ERASED = {"vernietigd": True}
_FIELDS = ("chain", "seq", "instance_id", "event_type", "occurred_at", "actor_id", "actor_username", "actor_role",
           "actor_organisation", "definition_id", "task_id")
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

_events = sa.table(
    'audit_event',
    sa.column('id', sa.Integer()), sa.column('chain', sa.String()), sa.column('seq', sa.Integer()),
    sa.column('instance_id', sa.Integer()), sa.column('event_type', sa.String()),
    sa.column('occurred_at', engine.db.UTCDateTime()), sa.column('actor_id', sa.Integer()),
    sa.column('actor_username', sa.String()), sa.column('actor_role', sa.String()),
    sa.column('actor_organisation', sa.String()), sa.column('definition_id', sa.Integer()),
    sa.column('task_id', sa.Integer()), sa.column('payload', _JSON), sa.column('payload_sha256', sa.String()),
    sa.column('prev_hash', sa.String()), sa.column('hash', sa.String()),
)
_anchors = sa.table(
    'audit_anchor',
    sa.column('id', sa.Integer()), sa.column('created_at', engine.db.UTCDateTime()), sa.column('heads', _JSON),
    sa.column('prev_digest', sa.String()), sa.column('digest', sa.String()),
)


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def _sha(fields: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(fields)).hexdigest()


def _base(row: Any) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in _FIELDS}
    fields["occurred_at"] = row.occurred_at.isoformat()
    return fields


def _digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(payload)).hexdigest()


def _old_hash(row: Any, prev_hash: str) -> str:
    """Up to 0011: the hash covered the payload itself."""
    return _sha({**_base(row), "payload": row.payload, "prev_hash": prev_hash})


def _new_hash(row: Any, prev_hash: str) -> str:
    """From 0012: the hash covers the payload's digest."""
    return _sha({**_base(row), "payload_sha256": _digest(row.payload), "prev_hash": prev_hash})


def _anchor_digest(heads: dict[str, Any], prev_digest: str, created_at: Any) -> str:
    return _sha({"heads": heads, "prev": prev_digest, "at": created_at.isoformat()})


def _rehash(valid: Callable[[Any], bool], fresh: Callable[[Any, str], str], *, with_digest: bool) -> None:
    """Give every valid event a fresh hash, chain by chain; carry broken ones forward unchanged."""
    bind = op.get_bind()
    sealed = {str(head[1]) for (heads,) in bind.execute(sa.select(_anchors.c.heads))
              for head in (heads or {}).values()}
    renamed_heads: dict[str, str] = {}
    chains = list(bind.execute(sa.select(_events.c.chain).distinct()).scalars())
    for chain in chains:
        rows = bind.execute(sa.select(_events).where(_events.c.chain == chain)
                            .order_by(_events.c.seq, _events.c.id)).all()
        renamed: dict[str, str] = {}
        updates = []
        for row in rows:
            prev = renamed.get(row.prev_hash, row.prev_hash)
            new_hash = row.hash
            if valid(row):
                new_hash = fresh(row, prev)
                renamed[row.hash] = new_hash
                if row.hash in sealed:
                    renamed_heads[row.hash] = new_hash
            update = {"row_id": row.id, "new_prev": prev, "new_hash": new_hash}
            if with_digest:
                update["new_digest"] = _digest(row.payload)
            updates.append(update)
        if updates:
            values: dict[str, Any] = {"prev_hash": sa.bindparam("new_prev"), "hash": sa.bindparam("new_hash")}
            if with_digest:
                values["payload_sha256"] = sa.bindparam("new_digest")
            bind.execute(_events.update().where(_events.c.id == sa.bindparam("row_id")).values(**values), updates)
    _reseal(renamed_heads)


def _reseal(renamed_heads: dict[str, str]) -> None:
    """Anchors point at head hashes; point them at the new ones and re-chain the valid anchors."""
    bind = op.get_bind()
    renamed: dict[str, str] = {}
    for anchor in bind.execute(sa.select(_anchors).order_by(_anchors.c.id)).all():
        heads = {chain: [head[0], renamed_heads.get(str(head[1]), head[1])] for chain, head in anchor.heads.items()}
        prev = renamed.get(anchor.prev_digest, anchor.prev_digest)
        digest = anchor.digest
        if _anchor_digest(anchor.heads, anchor.prev_digest, anchor.created_at) == anchor.digest:
            digest = _anchor_digest(heads, prev, anchor.created_at)
            renamed[anchor.digest] = digest
        bind.execute(_anchors.update().where(_anchors.c.id == anchor.id)
                     .values(heads=heads, prev_digest=prev, digest=digest))


def upgrade() -> None:
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('payload_sha256', sa.String(length=64), nullable=True))
    _rehash(lambda row: _old_hash(row, row.prev_hash) == row.hash, _new_hash, with_digest=True)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('payload_sha256', existing_type=sa.String(length=64), nullable=False)

    op.create_table(
        'destruction_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('instance_id', sa.Integer(), nullable=False),
        sa.Column('reference', sa.String(length=40), nullable=False),
        sa.Column('process_id', sa.String(length=200), nullable=False),
        sa.Column('outcome', sa.String(length=40), nullable=False),
        sa.Column('decision', sa.String(length=40), nullable=True),
        sa.Column('rule', sa.String(length=300), nullable=False),
        sa.Column('rule_source', sa.Text(), nullable=False),
        sa.Column('period_start', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expired_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('destroyed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('destroyed_by', sa.String(length=80), nullable=False),
        sa.Column('trigger', sa.String(length=20), nullable=False),
        sa.Column('audit_seq', sa.Integer(), nullable=False),
        sa.Column('removed', _JSON, nullable=False),
        sa.ForeignKeyConstraint(['instance_id'], ['instance.id'],
                                name=op.f('fk_destruction_record_instance_id_instance')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_record')),
        sa.UniqueConstraint('instance_id', name=op.f('uq_destruction_record_instance_id')),
    )
    with op.batch_alter_table('destruction_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_destruction_record_destroyed_at'), ['destroyed_at'], unique=False)


def downgrade() -> None:
    """Back to hashes over payloads; impossible once a payload was erased (its content is gone)."""
    bind = op.get_bind()
    erased = bind.execute(sa.select(_events.c.id, _events.c.payload)).all()
    if any(row.payload == ERASED for row in erased):
        raise RuntimeError("Terug naar 0011 kan niet: er zijn zaken vernietigd, hun auditinhoud bestaat niet meer.")
    with op.batch_alter_table('destruction_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_destruction_record_destroyed_at'))
    op.drop_table('destruction_record')

    def valid(row: Any) -> bool:
        return bool(row.payload_sha256 == _digest(row.payload) and _new_hash(row, row.prev_hash) == row.hash)

    _rehash(valid, _old_hash, with_digest=False)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('payload_sha256')
