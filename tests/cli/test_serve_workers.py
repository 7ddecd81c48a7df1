"""The gunicorn server completes loops and multi-instance cases whatever worker takes a step.

Between two steps the server's workers are replaced (killed; gunicorn's master starts new ones),
so every child of a loop or multi-instance task is completed by a process that
did not create it and has never seen the case: the strongest form of "steps alternate workers",
and exactly what a restart does.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.db import unit_of_work
from engine.modelling import deployments
from engine.workflow.bundle import SourceFile
from tests.support.base import FIXTURES
from tests.support.restart_anywhere import CONSTRUCTS, outcome
from tests.support.tokens import issue_token

SECRET = "s" * 64
WORKERS = 2


def _children(pid: int) -> set[int]:
    """gunicorn's workers: the master's child processes (Linux lists them per thread)."""
    found: set[int] = set()
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        found.update(int(child) for child in listing.read_text().split())
    return found


class Server:
    def __init__(self, db_url: str, instance_dir: Path, token: str):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "SIGNAALROUTE_SECRET_KEY": SECRET, "SIGNAALROUTE_DATABASE_URL": db_url,
               "SIGNAALROUTE_INSTANCE_DIR": str(instance_dir), "SIGNAALROUTE_FORMS_DIR": str(FIXTURES / "forms"),
               "SIGNAALROUTE_LOG_LEVEL": "WARNING"}
        script = "from signaalroute.cli import main; main()"
        self.process = subprocess.Popen(
            [sys.executable, "-c", script, "webserver", "--poort", str(self.port), "--workers", str(WORKERS)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.token = token
        try:
            self._wait_until(lambda: len(_children(self.process.pid)) == WORKERS and self._healthy())
        except BaseException:
            self.stop()  # never leave a server behind for the tests that follow
            raise

    def _healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/gezond", timeout=2) as response:
                return response.read() == b"ok"
        except OSError:
            return False

    def _wait_until(self, ready, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            assert self.process.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not come up"
            time.sleep(0.1)

    def new_workers(self) -> None:
        """Replace every worker: the next request lands on a process that never saw the case.

        SIGKILL, as a crash would: gunicorn's master starts new workers at once (a graceful HUP
        waits for the old ones to finish and costs seconds per step).
        """
        old = _children(self.process.pid)
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        self._wait_until(lambda: not (old & _children(self.process.pid))
                         and len(_children(self.process.pid)) == WORKERS and self._healthy())

    def post(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/v1{path}", data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            for worker in _children(self.process.pid):
                os.kill(worker, signal.SIGKILL)
            self.process.kill()
            self.process.wait(timeout=30)


@pytest.fixture
def server(factory, db_url, world, at, forms, tmp_path):
    with unit_of_work(factory) as session:
        deployments.deploy(session, actor=world.regisseur, now=at(), comment="catalogus", forms=forms,
                           files=[SourceFile(name, (CONSTRUCTS / name).read_bytes())
                                  for name in ("lus_zonder_voorwaarde.bpmn", "mi_parallel_verzameling.bpmn")])
    # The server runs on the real clock, so the token is issued by it too.
    token = issue_token(factory, username="af", now=datetime.now(UTC), secret_key=SECRET)
    running = Server(db_url, tmp_path / "instance", token)
    yield running
    running.stop()


def _run_on_fresh_workers(server: Server, process_id: str, data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    status, case = server.post("/instances", {"process_id": process_id, "data": data})
    assert status == 201, case
    done = []
    for step in range(10):
        if case["status"] != "active":
            break
        task = case["ready_tasks"][0]
        if task["element_id"] != "afronden":
            server.new_workers()
        status, case = server.post(f"/tasks/{task['id']}/complete",
                                   {"data": {"stap": step, "uitkomst": f"uitkomst-{step}"}})
        assert status == 200, case
        done.append(task["element_id"])
    return case, done


@pytest.mark.timeout(400)
def test_loops_and_multi_instance_complete_when_every_child_is_taken_by_a_new_worker(server, factory):
    """One server for both cases: starting gunicorn costs more than the steps."""
    case, done = _run_on_fresh_workers(server, "lus_zonder_voorwaarde", {})
    assert case["status"] == "completed", case
    assert done == ["ronde", "ronde", "ronde", "afronden"]
    assert outcome(factory, case["id"])["workflow_data"]["stap"] == 3

    case, done = _run_on_fresh_workers(server, "mi_parallel_verzameling", {"items": ["a", "b"]})
    assert case["status"] == "completed", case
    assert done == ["per_item", "per_item", "afronden"]
    assert outcome(factory, case["id"])["workflow_data"]["uitkomsten"] == ["uitkomst-0", "uitkomst-1"]


def test_the_master_imports_the_app_once_and_each_worker_builds_its_own(tmp_path):
    """A worker started after a crash inherits the imported code instead of importing it again (half a second of
    CPU each), and no database engine crosses the fork: the master only imports, each worker's load() builds."""
    script = f"""
import sys
from engine.config import Settings
from signaalroute import server
before = "webapp" in sys.modules
built = []
server._Gunicorn.load = lambda self: built.append(self)
server._Gunicorn.run = lambda self: print(before, "webapp" in sys.modules, len(built))
server.run(Settings(instance_dir={str(tmp_path)!r}, database_url="sqlite:///{tmp_path}/x.sqlite", secret_key="s" * 64),
           host="127.0.0.1", port=0, workers=1)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "True", "0"], done.stdout + done.stderr
