"""Use cases: ``(session, *, actor, now, ...) -> result``. They flush, never commit (decision 1)."""
