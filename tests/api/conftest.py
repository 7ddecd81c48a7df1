"""An app per test on the test's database, and API tokens for the world's people."""

from __future__ import annotations



