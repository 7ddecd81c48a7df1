"""Stories through the real schemas use the ``chain`` fixture of tests/support/chain.py (a plugin in tests/conftest.py)."""
