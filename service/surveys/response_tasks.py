"""Response jobs: the confidential responses are rewritten after each submission, so that
the database itself keeps no trace of which response came in with which invitation, and
read into insights in the same transaction (so those rows keep no such trace either)."""

import datetime as dt

from service.extensions import db
from service.insights.analysis import read_survey_month
from service.jobs.task import task
from service.surveys import responses
from service.tenancy import tenant_scope


@task(coalesce=True)
def reshuffle_responses(tenant_id: str, month: str) -> None:
    """Idempotent: rewriting a month's responses again only rewrites them again. Coalesced:
    the submissions of a busy month queue one rewrite while it waits, which reads them all."""
    with tenant_scope(tenant_id):
        day = dt.date.fromisoformat(month)
        responses.reshuffle(day)
        read_survey_month(day)
        db.session.commit()
