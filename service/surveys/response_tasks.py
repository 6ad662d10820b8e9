"""Response jobs: the confidential responses are rewritten after each submission, so that
the database itself keeps no trace of which response came in with which invitation."""

import datetime as dt

from service.jobs.task import task
from service.surveys import responses
from service.tenancy import tenant_scope


@task()
def reshuffle_responses(tenant_id: str, month: str) -> None:
    """Idempotent: rewriting a month's responses again only rewrites them again."""
    with tenant_scope(tenant_id):
        responses.reshuffle(dt.date.fromisoformat(month))
