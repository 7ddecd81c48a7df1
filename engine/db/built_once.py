"""A statement built once at import gets a cache key of its own, so SQLAlchemy compiles it once.

SQLAlchemy 2.0 gives the dialects' ``INSERT ... ON CONFLICT`` no cache key (sqlalchemy issue 10445,
fixed in 2.1), so such a statement, and every statement that contains one (a CTE), is compiled
anew on each execution: the rate limiter's upsert, the audit chain head's and the monitoring
counts' cost more to compile than to run (bench/README.md). A statement that is built once and
never changed afterwards needs no key made from its structure: its identity is one.
"""

from __future__ import annotations

import itertools
from typing import Any, TypeVar

from sqlalchemy.sql.cache_key import CacheKey

_Statement = TypeVar("_Statement")
_numbers = itertools.count()


def built_once(statement: _Statement) -> _Statement:
    """Give ``statement`` (built at import, never changed) a cache key of its own; returns it.

    The key is set the way SQLAlchemy memoizes its own cache keys, so a copy made from the statement
    by a generative method (``.where()``, ``.add_cte()``, ...) drops it and gets its usual one (none,
    for an upsert): only this very object is compiled once per dialect and engine. No bound values
    are extracted from the key: each execution passes its values as parameters.
    """
    key = CacheKey(("signaalroute.built_once", next(_numbers)), [])
    target: Any = statement
    target._set_memoized_attribute("_generate_cache_key", lambda: key)
    return statement
