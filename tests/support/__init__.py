"""What tests share: constants, helpers and fixture plugins (loaded by ``pytest_plugins`` in tests/conftest.py).

Test modules import from here, never from one another (tests/test_suite_rules.py checks it).
"""
