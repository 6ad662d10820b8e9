"""What the job and mail tests share: a real SMTP server, Redis db 14, workers, polling."""

import asyncio
import contextlib
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis
from aiosmtpd.controller import Controller

from service.config import ROOT

# The job tests flush their Redis database: each pytest-xdist worker (gw0, gw1 …) has its
# own (13 is the limiter's, 15 the other tests'). TEST_JOBS_REDIS_URL names one for a
# single-process run beside another (a second checkout's suite).
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
JOBS_REDIS_URL = os.environ.get(
    "TEST_JOBS_REDIS_URL", f"redis://127.0.0.1:6379/{(14, 12, 11, 10, 9, 8, 7, 6)[_WORKER]}"
)


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.05, message: str = ""):
    """Poll until ``predicate()`` is truthy; its value, or AssertionError at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message or predicate}")
        time.sleep(interval)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that records accepted messages and can refuse on demand."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refusals: list[str] = []  # replies to give, in order, before accepting again
        self.refuse_always: str | None = None
        self.delay = 0.0  # seconds spent in DATA: lets two relays overlap
        self.conversations = 0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        with self._lock:
            self.conversations += 1
            refusal = self.refuse_always or (self.refusals.pop(0) if self.refusals else None)
        if self.delay:
            await asyncio.sleep(self.delay)
        if refusal:
            return refusal
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 2.0.0 Message accepted"

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def flush_jobs_redis() -> redis.Redis:
    connection = redis.Redis.from_url(JOBS_REDIS_URL, socket_connect_timeout=2)
    connection.flushdb()
    return connection


def subprocess_env(database_url: str, **extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("MAIL_", "REDIS_", "DATABASE_"))
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="test-secret-key",
        PASSWORD_HASH_COST="cheap",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def children(pid: int) -> list[tuple[int, int]]:
    """(pid, process group) of each child of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            found.append((int(entry.name), int(fields[2])))
    return found


def flask_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def run_flask(env: dict, *args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run(
        flask_command(*args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


class WorkerProcess:
    """A real ``flask --app wsgi worker`` against the test database and Redis db 14."""

    def __init__(self, env: dict, *queues: str, log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("w")
        self.process = subprocess.Popen(
            flask_command("worker", *queues),
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its group, which `stop` ends whole
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def work_horse(self) -> int | None:
        """The worker forks its work-horse into a process group of its own (its scheduler,
        also a child, stays in the worker's group)."""
        horses = [pid for pid, group in children(self.process.pid) if pid == group]
        return horses[0] if len(horses) == 1 else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # What it left running (its RQ scheduler, when a test killed the worker itself) would
        # take later tests' jobs from this Redis database.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._log.close()
