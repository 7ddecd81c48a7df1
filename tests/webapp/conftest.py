from tests.api.conftest import api, app, client  # noqa: F401  (same app fixtures for the web shell)
