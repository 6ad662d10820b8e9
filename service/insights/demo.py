"""Demo insights: the demo tenants' responses and interviews read into themes, so the
dashboard opens on a year of feedback."""

import sqlalchemy as sa

from service.extensions import db
from service.insights.analysis import read_everything
from service.insights.models import Feedback
from service.tenancy import of_current_tenant, tenant_scope


def seed_tenant_insights(tenant) -> None:
    with tenant_scope(tenant.id):
        if db.session.scalar(sa.select(Feedback.id).where(of_current_tenant(Feedback)).limit(1)):
            return
        read_everything()
        db.session.commit()
