from tests.jobs.conftest import (  # noqa: F401 — the fixtures the job tests use
    _fresh_embedded_state,
    jobs_redis,
    smtp,
    start_worker,
)
