"""The gunicorn server (``signaalroute webserver``) against clients that misbehave on the wire.

Attack: a URL or a header far longer than any page needs; a request that announces a body and then
never sends it (one such request per thread would take the whole server down).
Expected refusal: the JSON error shape with a Dutch message (414, 431, 408), and a stalled body is
given up after ``SIGNAALROUTE_READ_TIMEOUT_SECONDS``, not held for ever.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from engine.db.migrate import upgrade
from tests.support.base import FIXTURES

READ_TIMEOUT = 2


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    root = tmp_path_factory.mktemp("server")
    url = f"sqlite:///{root / 'db.sqlite'}"
    upgrade(url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SIGNAALROUTE_SECRET_KEY": "s" * 64, "SIGNAALROUTE_DATABASE_URL": url,
           "SIGNAALROUTE_INSTANCE_DIR": str(root), "SIGNAALROUTE_FORMS_DIR": str(FIXTURES / "forms"),
           "SIGNAALROUTE_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT)}
    script = "from signaalroute.cli import main; main()"
    process = subprocess.Popen([sys.executable, "-c", script, "webserver", "--poort", str(port), "--workers", "1"],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/gezond", timeout=2):
                    break
            except OSError:
                assert process.poll() is None, "server exited"
                assert time.monotonic() < deadline, "server did not come up"
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


def exchange(port: int, raw: bytes, *, wait: float = 10) -> tuple[int, dict[str, str], bytes, float]:
    """Send raw bytes, read until the server closes or answers; status, headers, body and seconds taken."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as conn:
        conn.sendall(raw)
        received = b""
        while b"\r\n\r\n" not in received or len(received.partition(b"\r\n\r\n")[2]) < _length(received):
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body, time.monotonic() - started


def _length(received: bytes) -> int:
    for line in received.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 0


def test_an_over_long_url_gets_414_in_the_json_error_shape(server):
    status, headers, body, _ = exchange(server, f"GET /api/v1/tasks?q={'a' * 9000} HTTP/1.1\r\n"
                                                f"Host: x\r\n\r\n".encode())
    assert status == 414
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"error": {"code": "adres_te_lang", "message": "Het adres (URL) is te lang.",
                                          "details": None}}


def test_an_over_long_header_gets_431_in_the_json_error_shape(server):
    status, headers, body, _ = exchange(server, f"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\n"
                                                f"X-Veel: {'b' * 9000}\r\n\r\n".encode())
    assert status == 431
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "kopregels_te_groot"


def test_a_body_that_never_arrives_is_given_up_after_the_read_timeout(server):
    request = (b"POST /inloggen HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n"
               b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ngebruikersnaam=a")
    status, _, body, seconds = exchange(server, request, wait=READ_TIMEOUT + 20)
    assert status == 408, body
    assert json.loads(body)["error"]["message"] == "Het verzoek kwam niet op tijd binnen. Probeer het opnieuw."
    assert READ_TIMEOUT - 0.5 <= seconds < READ_TIMEOUT + 10


def test_headers_that_never_finish_do_not_hold_a_thread(server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server), timeout=READ_TIMEOUT + 10) as conn:
        conn.sendall(b"GET /gezond HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        assert conn.recv(65536) == b"", "the server closes the stalled connection without an answer"
    assert time.monotonic() - started >= READ_TIMEOUT - 0.5, "but only after the read timeout"
