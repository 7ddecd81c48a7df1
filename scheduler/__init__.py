"""The scheduler process: ``python -m scheduler``. Jobs call core services; no Flask."""
