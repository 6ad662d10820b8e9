"""The worker's warm-up: done once in the parent before any work-horse is forked, it builds
and words a report without keeping or sending anything."""

import datetime as dt

import sqlalchemy as sa

from service.extensions import db
from service.jobs.worker import warm_up
from service.mail.models import TenantEmail
from service.model_types import utcnow
from service.reports.models import Report, ReportSettings
from service.tenancy import tenant_scope, unscoped
from tests.factories import make_tenant


def _rows() -> tuple[int, int]:
    with unscoped("a test looks across tenants"):
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (Report, TenantEmail)
        )


def test_the_warm_up_compiles_a_report_and_keeps_nothing(app, caplog):
    tenant = make_tenant("acme")
    with tenant_scope(tenant.id):
        db.session.add(ReportSettings(enabled=True, enabled_at=utcnow() - dt.timedelta(days=40)))
        db.session.commit()
    before = _rows()
    read = []

    def count(_connection, _cursor, statement, *_args):
        read.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        warm_up(app)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert "warm-up" not in caplog.text  # no warm-up failed
    assert _rows() == before
    # The report's figures and actions were read (so their statements are compiled) …
    assert any("FROM insight_feedback" in statement for statement in read)
    assert any("FROM actions" in statement for statement in read)
    # … and nothing was written.
    assert not [s for s in read if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
