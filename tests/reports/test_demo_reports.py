"""Demo reports: every demo client sends its leadership reports, and its archive holds the
last periods' reports as the scan would have sent them, one of them with a bounced copy."""

import datetime as dt

import sqlalchemy as sa

from service.actions.models import Action
from service.demo import STORY_CLIENTS
from service.extensions import db
from service.mail.models import MailStatus, TenantEmail
from service.model_types import as_utc, utcnow
from service.reports import content
from service.reports.models import Report, ReportDelivery, ReportSettings
from service.reports.periods import latest_due
from service.reports.sending import local_today, recipients, send_due_report
from service.tenancy import of_current_tenant, tenant_scope
from service.tenants.models import Membership, Tenant, TenantRole
from tests.conftest import login
from tests.snapshots import demo_data


def _of_tenant(model, order_by):
    return db.session.scalars(sa.select(model).where(of_current_tenant(model)).order_by(order_by))


def test_every_demo_client_reports_to_its_leadership_and_keeps_an_archive(app):
    demo_data("pw")
    now = utcnow()
    cadences, with_pdf, failed = set(), [], []
    for slug in STORY_CLIENTS:
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        with tenant_scope(tenant.id):
            settings = _of_tenant(ReportSettings, ReportSettings.id).one()
            assert settings.enabled, slug
            cadences.add(settings.cadence)
            if settings.attach_pdf:
                with_pdf.append(slug)
            # To the leadership members and one extra address, each in a language of the company.
            leaders = set(
                db.session.scalars(
                    sa.select(Membership.user_id).where(
                        of_current_tenant(Membership), Membership.role == TenantRole.LEADERSHIP
                    )
                )
            )
            listed = recipients()
            assert len([r for r in listed if r.name]) == len(leaders) >= 1, slug
            assert len([r for r in listed if r.name is None]) == 1, slug
            assert {r.language for r in listed} <= set(tenant.languages), slug

            reports = _of_tenant(Report, Report.period_start).all()
            assert len(reports) >= 4, slug
            due, moment = latest_due(settings, tenant.time_zone, now)
            assert reports[-1].period_key == due.key, slug  # the scan has nothing to catch up
            assert as_utc(settings.enabled_at) < as_utc(reports[0].created_at), slug
            for earlier, later in zip(reports, reports[1:], strict=False):
                assert later.period_start == earlier.period_end + dt.timedelta(days=1), slug
            for report in reports:
                figures = report.content["key_figures"]
                assert report.content["shown"], (slug, report.period_key)
                assert figures["departures"]["now"] > 0, (slug, report.period_key)
                assert 0 < figures["response_rate"]["now"] <= 1, (slug, report.period_key)
                assert isinstance(figures["enps"]["now"], int), (slug, report.period_key)
                assert as_utc(report.created_at) < now
                # An action created after the report went out is not in its lists.
                later = set(
                    db.session.scalars(
                        sa.select(Action.title).where(
                            of_current_tenant(Action), Action.created_at > report.created_at
                        )
                    )
                )
                actions = report.content["actions"]
                for name in ("on_track", "overdue", "new"):
                    assert not later & {item["title"] for item in actions[name]["items"]}
            # The latest report's figures are the dashboard's for its period, as of its day.
            latest = reports[-1]
            fresh = content.build(tenant, due, local_today(tenant, moment))
            assert latest.content["key_figures"] == fresh["key_figures"], slug
            assert latest.content["themes"] == fresh["themes"], slug

            # Every copy delivered (or bounced) at its time: nothing left for the relay.
            deliveries = _of_tenant(ReportDelivery, ReportDelivery.address).all()
            emails = {
                email.id: email
                for email in _of_tenant(TenantEmail, TenantEmail.created_at)
                if email.id in {d.email_id for d in deliveries}
            }
            assert len(emails) == len(deliveries), slug
            by_report = {report.id: report for report in reports}
            for delivery in deliveries:
                email = emails[delivery.email_id]
                report = by_report[delivery.report_id]
                assert email.to_address == delivery.address
                assert email.status in (MailStatus.SENT, MailStatus.FAILED), slug
                assert as_utc(email.created_at) == as_utc(report.created_at)
                if email.status == MailStatus.FAILED:
                    failed.append((slug, report.period_key, email))
                else:
                    assert as_utc(report.created_at) < as_utc(email.sent_at) < now
            assert {d.address for d in deliveries if d.report_id == latest.id} == {
                r.address for r in listed
            }, slug

            assert send_due_report(now) is False, slug
            assert _of_tenant(Report, Report.period_start).all() == reports, slug

    assert cadences == {"monthly", "quarterly", "weekly"}
    assert len(with_pdf) == 1
    # One story of a failure: a mistyped address bounced on Het Anker's latest report.
    [(slug, period_key, email)] = failed
    assert slug == "het-anker"
    assert email.last_error == "550 5.1.1 User unknown"
    with tenant_scope(email.tenant_id):
        latest = _of_tenant(Report, Report.period_start.desc()).first()
    assert period_key == latest.period_key
    # Her archive opens on it.
    client = app.test_client()
    login(client, "hr.admin@het-anker.example", "pw")
    page = client.get(f"/t/het-anker/reports/{latest.id}")
    assert page.status_code == 200
    assert "Brasserie Het Anker" in page.get_data(as_text=True)
