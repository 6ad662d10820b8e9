"""Insight jobs: reading a tenant's feedback again once its own themes changed."""

from service.extensions import db
from service.insights.analysis import read_everything
from service.jobs.task import task
from service.tenancy import tenant_scope


@task(timeout=1800)
def reread_feedback(tenant_id: str) -> None:
    """Every response and interview of the tenant read again with its themes as they are now
    (HR's corrections kept). Idempotent: reading again replaces what the last reading wrote."""
    with tenant_scope(tenant_id):
        read_everything()
        db.session.commit()
