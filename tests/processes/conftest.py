"""Stories through the real schemas use the ``chain`` fixture of tests/chain.py (registered in tests/conftest.py)."""
