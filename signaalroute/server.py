"""Run the WSGI app under gunicorn, configured from code so ``signaalroute webserver`` is one command.

Two things gunicorn does not do by itself, done here for hostile clients:

- A request whose headers or body stop arriving holds a thread of the gthread worker for ever
  (its sockets block without a timeout). :class:`TimedThreadWorker` gives every connection a read
  timeout (``SIGNAALROUTE_READ_TIMEOUT_SECONDS``); the app answers a stalled body with 408.
- Refusals gunicorn writes itself, before the app sees a request (URL longer than
  ``limit_request_line``, headers over ``limit_request_field_size``, malformed request lines), are
  HTML. The worker writes them in the app's JSON error shape with Dutch messages instead.
"""

from __future__ import annotations

import importlib
import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from engine import logs
from engine.config import Settings


def write_json_error(sock: socket.socket, status_int: int, reason: str, _mesg: str) -> None:
    """gunicorn's ``util.write_error`` with the API's error shape; gunicorn's English text is dropped."""
    from webapp.errors import http_message

    code, message = http_message(status_int)
    body = json.dumps({"error": {"code": code, "message": message, "details": None}}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1")
    util.write_nonblock(sock, head + body)


class TimedThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker with a read timeout on every connection and JSON refusals."""

    read_timeout: float = 30.0  # set by run() before the arbiter forks the workers

    def init_process(self) -> None:
        # This process is ours (forked by the arbiter): gunicorn writes its refusals only through here.
        util.write_error = write_json_error
        super().init_process()

    def handle(self, conn: Any) -> Any:
        if not getattr(conn, "read_timeout_set", False):
            # TConn.init() puts the socket in blocking mode (no timeout) on every request of the
            # connection; the timeout is set right after, each time, before anything is read.
            init, timeout = conn.init, self.read_timeout

            def timed_init() -> None:
                init()
                conn.sock.settimeout(timeout)

            conn.init, conn.read_timeout_set = timed_init, True
        return super().handle(conn)


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


def gunicorn_options(settings: Settings, *, host: str, port: int, workers: int) -> dict[str, Any]:
    return {"bind": f"{host}:{port}", "workers": workers, "threads": 4,
            "worker_class": f"{__name__}.TimedThreadWorker", "accesslog": None, "errorlog": "-",
            "timeout": 60, "limit_request_line": 8190, "limit_request_field_size": 8190,
            "limit_request_fields": 100}


def run(settings: Settings, *, host: str, port: int, workers: int) -> None:
    TimedThreadWorker.read_timeout = float(settings.read_timeout_seconds)
    # The master imports the app's code once (half a second of CPU); every worker it forks, at the start and
    # after a crash, inherits it and only builds its own app (database engine and pool included) in load().
    importlib.import_module("webapp")
    _Gunicorn(gunicorn_options(settings, host=host, port=port, workers=workers), settings).run()
