"""Fixtures for the report tests: the job tests' real SMTP server, Redis db 14 and workers."""

from tests.jobs.conftest import (  # noqa: F401 — fixtures
    _fresh_embedded_state,
    jobs_redis,
    smtp,
    start_worker,
)
