"""Rate limits as token buckets in the database, shared by every worker and host.

Why the database and not memory or Redis: production runs several gunicorn workers on several
hosts over one PostgreSQL (docs/architecture.md, decision 9). A per-process memory store would multiply
every limit by the number of workers; Redis would be a new service to run, secure and back up just
for this. One row per key, updated under ``SELECT ... FOR UPDATE`` (SQLite: the write lock every
transaction takes), costs one short transaction per limited request: on the login that is nothing
next to argon2, on the API it is a primary-key update next to the request's own queries.

Each bucket holds ``per_minute`` tokens and refills evenly (``per_minute / 60`` a second); a request
takes one. Callers run :func:`take` in its *own* transaction (a plain connection: no ORM session is
needed for two statements), committed before the request's own transaction: a refused or failed
request must still have spent its token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from engine.models.users import RateLimitBucket

# A bucket untouched this long is full again whatever its limit; deleting it changes nothing.
STALE = timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until one token is back; 0 when allowed


_BUCKETS = cast(Table, RateLimitBucket.__table__)
# Built once (a statement memoizes its cache key); Core rows, no ORM object per request.
_LOCK = select(_BUCKETS.c.tokens, _BUCKETS.c.updated_at).where(_BUCKETS.c.key == bindparam("key")).with_for_update()
_SPEND = update(_BUCKETS).where(_BUCKETS.c.key == bindparam("bucket")).values(
    tokens=bindparam("left"), updated_at=bindparam("at"))
_CREATE = {
    dialect: insert(_BUCKETS).values(key=bindparam("key"), tokens=bindparam("full"), updated_at=bindparam("at"))
    .on_conflict_do_nothing(index_elements=["key"])
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_DROP_STALE = delete(_BUCKETS).where(_BUCKETS.c.updated_at < bindparam("before"), _BUCKETS.c.key != bindparam("key"))


def take(connection: Connection, *, key: str, per_minute: int, now: datetime) -> Verdict:
    """Take one token from the bucket ``key``; ``per_minute`` 0 means no limit.

    ``key`` must already be a keyed hash (no usernames or IP addresses in this table). A known
    key costs two statements: the row read under its lock, and the update.
    """
    if per_minute <= 0:
        return Verdict(True, 0)
    capacity = float(per_minute)
    rate = per_minute / 60.0
    bucket = connection.execute(_LOCK, {"key": key}).first()
    if bucket is None:
        dialect = "postgresql" if connection.dialect.name == "postgresql" else "sqlite"
        created = connection.execute(_CREATE[dialect], {"key": key, "full": capacity, "at": now})
        if created.rowcount:
            # A new key: a good moment to drop buckets that have long been full again.
            connection.execute(_DROP_STALE, {"before": now - STALE, "key": key})
        bucket = connection.execute(_LOCK, {"key": key}).one()
    elapsed = max((now - bucket.updated_at).total_seconds(), 0.0)
    tokens = min(capacity, bucket.tokens + elapsed * rate)
    updated_at = max(now, bucket.updated_at)
    allowed = tokens >= 1.0
    connection.execute(_SPEND, {"bucket": key, "left": tokens - 1.0 if allowed else tokens, "at": updated_at})
    if allowed:
        return Verdict(True, 0)
    return Verdict(False, max(1, math.ceil((1.0 - tokens) / rate)))
