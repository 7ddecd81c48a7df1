"""The audit log: event vocabulary and the append-only hash chain."""
