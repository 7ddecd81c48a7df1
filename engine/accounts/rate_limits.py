"""Rate limits as token buckets in the database, shared by every worker and host.

Why the database and not memory or Redis: production runs several gunicorn workers on several
hosts over one PostgreSQL (docs/architecture.md, decision 9). A per-process memory store would multiply
every limit by the number of workers; Redis would be a new service to run, secure and back up just
for this. One row per key.

Each bucket holds ``per_minute`` tokens and refills evenly (``per_minute / 60`` a second); a request
takes one. Spending is one statement, ``INSERT ... ON CONFLICT DO UPDATE ... WHERE ... RETURNING``:
the row lock of the upsert serializes concurrent spends of one key, the refill is computed in SQL
from the bucket's time in integer microseconds (exact on both databases, no date arithmetic), and
the update only happens when a whole token is there. No row back means refused; only then is the
bucket read again, for ``Retry-After``. Callers run :func:`take` so that it commits *before* the
request's own transaction (on PostgreSQL in autocommit, one round trip): a refused or failed request
must still have spent its token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Float,
    Select,
    Table,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    true,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.db.built_once import built_once
from engine.models.users import RateLimitBucket

# A bucket untouched this long is full again whatever its limit; deleting it changes nothing.
STALE = timedelta(hours=1)
# Each process sweeps stale buckets at most this often (one DELETE), piggybacking on a request.
SWEEP_EVERY = timedelta(minutes=1)
MICROS_PER_MINUTE = 60_000_000.0


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until one token is back; 0 when allowed
    read: Any = None  # the row of take()'s ``reading``, if one was asked for and found


def micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch, exactly (no float on the way)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=moment.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def refilled(tokens: float, updated_us: int, *, now_us: int, per_minute: int) -> float:
    """The bucket's tokens at ``now_us``: what the upsert computes in SQL, in Python (for Retry-After)."""
    elapsed = max(now_us - updated_us, 0)
    return min(float(per_minute), tokens + float(elapsed) * per_minute / MICROS_PER_MINUTE)


_BUCKETS = cast(Table, RateLimitBucket.__table__)


def _refill_sql() -> ColumnElement[Any]:
    """:func:`refilled` as a SQL expression over the stored row (same order of operations)."""
    now_us = bindparam("now_us", type_=BigInteger)
    full = bindparam("full", type_=Float)
    elapsed = case((now_us > _BUCKETS.c.updated_us, now_us - _BUCKETS.c.updated_us), else_=0)
    grown = _BUCKETS.c.tokens + sql_cast(elapsed, Float) * bindparam("per_minute", type_=Float) / MICROS_PER_MINUTE
    return case((grown > full, full), else_=grown)


def _spend_statement(insert: Any) -> Any:
    refill = _refill_sql()
    now_us = bindparam("now_us", type_=BigInteger)
    statement = insert(_BUCKETS).values(key=bindparam("key"), tokens=bindparam("full", type_=Float) - 1.0,
                                        updated_us=now_us)
    return statement.on_conflict_do_update(
        index_elements=[_BUCKETS.c.key],
        set_={"tokens": refill - 1.0,
              "updated_us": case((now_us > _BUCKETS.c.updated_us, now_us), else_=_BUCKETS.c.updated_us)},
        where=refill >= 1.0,
    ).returning(_BUCKETS.c.tokens)


# Built once per dialect, and compiled once (an upsert has no cache key of its own: engine.db.built_once).
_SPEND = {"postgresql": built_once(_spend_statement(pg_insert)), "sqlite": built_once(_spend_statement(sqlite_insert))}
_READ = select(_BUCKETS.c.tokens, _BUCKETS.c.updated_us).where(_BUCKETS.c.key == bindparam("key"))
_DROP_STALE = delete(_BUCKETS).where(_BUCKETS.c.updated_us < bindparam("before_us", type_=BigInteger))
_next_sweep_us = 0


_SPENT, _FOUND = "rate_limit_spent", "rate_limit_found"


@cache
def _spend_reading(read: Select[Any]) -> Any:
    """PostgreSQL: the spend as a data-modifying CTE of one row: whether it spent, and ``read``'s row (or NULLs).

    Built once per read statement (a statement compares by identity: the caller's must be built once too).
    """
    spend = _spend_statement(pg_insert).cte("spend")
    spent = select(func.count()).select_from(spend).scalar_subquery().label(_SPENT)
    rows = read.add_columns(literal(1).label(_FOUND)).subquery("read")
    one = select(literal(1).label("one")).subquery("one")
    return built_once(select(spent, *rows.c).select_from(one.outerjoin(rows, true())).add_cte(spend))


def take(connection: Connection, *, key: str, per_minute: int, now: datetime,
         reading: tuple[Select[Any], dict[str, Any]] | None = None) -> Verdict:
    """Take one token from the bucket ``key``; ``per_minute`` 0 means no limit.

    ``key`` must already be a keyed hash (no usernames or IP addresses in this table). An allowed
    request costs one statement; a refused one a second (the read for ``Retry-After``).

    ``reading``: a statement (built once) and its parameters to read along, in the same round trip
    on PostgreSQL (a data-modifying CTE), or right after the spend in its transaction on SQLite; its
    first row is the verdict's ``read`` (None when it found none). The API reads the caller's token so.
    """
    global _next_sweep_us
    if per_minute <= 0:
        return Verdict(True, 0)
    now_us = micros(now)
    if now_us >= _next_sweep_us:  # buckets long full again change nothing: drop them now and then
        _next_sweep_us = now_us + micros_of(SWEEP_EVERY)
        connection.execute(_DROP_STALE, {"before_us": now_us - micros_of(STALE)})
    dialect = "postgresql" if connection.dialect.name == "postgresql" else "sqlite"
    params = {"key": key, "now_us": now_us, "full": float(per_minute), "per_minute": float(per_minute)}
    read: Any = None
    if reading is not None and dialect == "postgresql":
        row = connection.execute(_spend_reading(reading[0]), {**reading[1], **params}).one()
        allowed = bool(row._mapping[_SPENT])
        read = row if row._mapping[_FOUND] is not None else None
    else:
        allowed = connection.execute(_SPEND[dialect], params).first() is not None
        if reading is not None:
            read = connection.execute(reading[0], reading[1]).first()
    if allowed:
        return Verdict(True, 0, read)
    bucket = connection.execute(_READ, {"key": key}).first()
    tokens = refilled(bucket.tokens, bucket.updated_us, now_us=now_us, per_minute=per_minute) if bucket else 0.0
    return Verdict(False, max(1, math.ceil((1.0 - tokens) / (per_minute / 60.0))), read)


def micros_of(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds
