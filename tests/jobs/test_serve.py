"""`serve` (what `make run` runs) with REDIS_URL: web, one worker and the scheduler start and
stop together."""

import contextlib
import json
import os
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from service.config import ROOT
from tests.jobs.support import JOBS_REDIS_URL, flask_command, free_port, subprocess_env, wait_for


def _children(pid: int) -> dict[int, str]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = {}
    for child in map(int, children):
        try:
            found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except FileNotFoundError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _health(port: int):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return json.load(response)
    except OSError:
        return None


@pytest.fixture
def serve(app, database_url, jobs_redis, tmp_path):
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen(
        flask_command("serve", "--port", str(port)),
        cwd=ROOT,
        env=subprocess_env(database_url, REDIS_URL=JOBS_REDIS_URL),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    health = wait_for(lambda: _health(port), timeout=40, message="serve to answer /healthz")
    companions = wait_for(
        lambda: len(_children(process.pid)) == 2 and _children(process.pid),
        message="the worker and the scheduler",
    )
    yield process, health, companions
    if process.poll() is None:
        process.kill()
        process.wait()
    for pid in companions:
        # The whole group, its leader dead or not: a killed worker's children outlive it
        # (left running, a worker would take later tests' jobs from this Redis database).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    log.close()


def test_serve_starts_worker_and_scheduler_and_stops_them_with_itself(serve):
    process, health, companions = serve
    assert health["queue"] == "ok"
    commands = sorted(command.split()[-1] for command in companions.values())
    assert commands == ["scheduler", "worker"]

    descendants = [pid for companion in companions for pid in _children(companion)]
    process.send_signal(signal.SIGTERM)
    assert process.wait(15) is not None
    wait_for(lambda: not any(_alive(pid) for pid in companions), message="companions to stop")
    wait_for(lambda: not any(_alive(pid) for pid in descendants), message="no orphan left")


def test_when_the_worker_dies_everything_stops(serve):
    process, _, companions = serve
    (worker,) = [pid for pid, command in companions.items() if command.split()[-1] == "worker"]
    rq_scheduler = wait_for(lambda: list(_children(worker)), message="the worker's RQ scheduler")
    os.kill(worker, signal.SIGKILL)
    assert process.wait(15) is not None
    wait_for(lambda: not any(_alive(pid) for pid in companions), message="companions to stop")
    wait_for(lambda: not any(_alive(pid) for pid in rq_scheduler), message="no orphan left")
