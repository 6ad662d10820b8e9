"""Fixtures for the job and mail tests: a real SMTP server, Redis db 14, real workers."""

import pytest
import redis

from tests.jobs.support import (
    JOBS_REDIS_URL,
    SmtpServer,
    WorkerProcess,
    flush_jobs_redis,
    subprocess_env,
)


@pytest.fixture(autouse=True)
def _fresh_embedded_state(app):
    """The session-wide app keeps in-process retries and slots; each test starts clean."""
    for key in ("exitloop_embedded_jobs", "exitloop_scheduler"):
        app.extensions.pop(key, None)
    yield
    for key in ("exitloop_embedded_jobs", "exitloop_scheduler"):
        app.extensions.pop(key, None)


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server on an ephemeral port, configured as the app's MAIL_SERVER."""
    with SmtpServer() as server:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        monkeypatch.setitem(app.config, "MAIL_DEFAULT_SENDER", "Exitloop <noreply@exitloop.test>")
        yield server


@pytest.fixture
def jobs_redis(app, monkeypatch):
    """Redis db 14, flushed (only it), set as the app's REDIS_URL."""
    try:
        connection = flush_jobs_redis()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {JOBS_REDIS_URL}: {exc}")
    monkeypatch.setitem(app.config, "REDIS_URL", JOBS_REDIS_URL)
    yield connection
    connection.flushdb()


@pytest.fixture
def start_worker(database_url, tmp_path):
    """Start real worker processes; each is stopped at the end of the test."""
    workers = []

    def start(*queues: str, **env: str) -> WorkerProcess:
        worker = WorkerProcess(
            subprocess_env(database_url, REDIS_URL=JOBS_REDIS_URL, **env),
            *queues,
            log_path=tmp_path / f"worker-{len(workers)}.log",
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
