"""Stories through the real schemas use the ``chain`` fixture of tests/support/chain.py (a pytest plugin)."""
