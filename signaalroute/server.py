"""Run the WSGI app under gunicorn, configured from code so ``signaalroute serve`` is one command."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from engine import logs
from engine.config import Settings


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], settings: Settings):
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from webapp import create_app

        logs.configure(self.settings.log_level)
        return create_app(self.settings)


def run(settings: Settings, *, host: str, port: int, workers: int) -> None:
    options = {"bind": f"{host}:{port}", "workers": workers, "threads": 4, "worker_class": "gthread",
               "accesslog": None, "errorlog": "-", "timeout": 60, "limit_request_line": 8190}
    _Gunicorn(options, settings).run()
