"""Rate limits as token buckets in the database, shared by every worker and host.

Why the database and not memory or Redis: production runs several gunicorn workers on several
hosts over one PostgreSQL (ARCHITECTURE decision 9). A per-process memory store would multiply
every limit by the number of workers; Redis would be a new service to run, secure and back up just
for this. One row per key, updated under ``SELECT ... FOR UPDATE`` (SQLite: the write lock every
transaction takes), costs one short transaction per limited request: on the login that is nothing
next to argon2, on the API it is a primary-key update next to the request's own queries.

Each bucket holds ``per_minute`` tokens and refills evenly (``per_minute / 60`` a second); a request
takes one. Callers run :func:`take` in its *own* unit of work, committed before the request's own
transaction: a refused or failed request must still have spent its token.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.models.users import RateLimitBucket

# A bucket untouched this long is full again whatever its limit; deleting it changes nothing.
STALE = timedelta(hours=1)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # whole seconds until one token is back; 0 when allowed


def take(session: Session, *, key: str, per_minute: int, now: datetime) -> Verdict:
    """Take one token from the bucket ``key``; ``per_minute`` 0 means no limit.

    ``key`` must already be a keyed hash (no usernames or IP addresses in this table).
    """
    if per_minute <= 0:
        return Verdict(True, 0)
    capacity = float(per_minute)
    rate = per_minute / 60.0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    created = session.execute(insert(RateLimitBucket).values(key=key, tokens=capacity, updated_at=now)
                              .on_conflict_do_nothing(index_elements=["key"]))
    if getattr(created, "rowcount", 0):
        # A new key: a good moment to drop buckets that have long been full again.
        session.execute(delete(RateLimitBucket).where(RateLimitBucket.updated_at < now - STALE,
                                                      RateLimitBucket.key != key))
    bucket = session.scalars(select(RateLimitBucket).where(RateLimitBucket.key == key)
                             .with_for_update().execution_options(populate_existing=True)).one()
    elapsed = max((now - bucket.updated_at).total_seconds(), 0.0)
    tokens = min(capacity, bucket.tokens + elapsed * rate)
    bucket.updated_at = max(now, bucket.updated_at)
    if tokens >= 1.0:
        bucket.tokens = tokens - 1.0
        return Verdict(True, 0)
    bucket.tokens = tokens
    return Verdict(False, max(1, math.ceil((1.0 - tokens) / rate)))
