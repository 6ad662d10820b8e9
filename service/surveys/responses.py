"""Confidential online responses: HR's de-identified list, a page at a time, and the
rewrite that keeps the database from linking a response to its invitation.

Responses are listed by month, newest first, and within a month by their random id, so the
list never reveals in what order they came in.

PostgreSQL itself would: every row carries the id of the transaction that wrote it (xmin),
and a response is written in the transaction that also ends its invitation and marks its
departure answered, so ``JOIN departures d ON d.xmin = r.xmin`` would find the leaver; its
physical place (ctid) follows the order of writing too. :func:`reshuffle` therefore
rewrites a month's responses in one later transaction, in the order of their random ids:
afterwards they all carry that transaction's id, and sit in an order that means nothing.
"""

import datetime as dt
import uuid

import sqlalchemy as sa

from service.extensions import db
from service.listing import paginate
from service.surveys.document import Questionnaire, from_json
from service.surveys.models import TemplateVersion
from service.surveys.response_models import SurveyResponse
from service.tenancy import current_tenant_id, of_current_tenant
from service.tenants.models import Department, JobFunction, Location


def response_page(page: int, before: dt.date):
    """A page of the responses of the months before `before` (the month in progress is not
    listed: HR sees who has just answered, so one response of this month would name them)."""
    query = (
        sa.select(SurveyResponse)
        .where(of_current_tenant(SurveyResponse), SurveyResponse.month < before)
        .order_by(SurveyResponse.month.desc(), SurveyResponse.id)
    )
    return paginate(query, page)


def questionnaires(responses) -> dict[uuid.UUID, Questionnaire]:
    """The questionnaire each response answered, by template version."""
    ids = {response.template_version_id for response in responses}
    if not ids:
        return {}
    versions = db.session.scalars(
        sa.select(TemplateVersion).where(
            of_current_tenant(TemplateVersion), TemplateVersion.id.in_(ids)
        )
    )
    return {version.id: from_json(version.document) for version in versions}


def structure_names() -> dict[uuid.UUID, str]:
    """Every department, function and location of the tenant, by id."""
    names = {}
    for model in (Department, JobFunction, Location):
        rows = db.session.execute(sa.select(model.id, model.name).where(of_current_tenant(model)))
        names.update({row.id: row.name for row in rows})
    return names


def reshuffle(month) -> None:
    """Rewrite the tenant's responses of ``month`` in random-id order; the caller commits
    (with what else it derives from them: the insights of service/insights/analysis.py)."""
    if db.engine.dialect.name == "postgresql":  # two rewrites of one month take turns
        key = f"survey_responses:{current_tenant_id()}:{month.isoformat()}"
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    in_month = (of_current_tenant(SurveyResponse), SurveyResponse.month == month)
    rows = list(db.session.scalars(sa.select(SurveyResponse).where(*in_month)))
    columns = [column.key for column in SurveyResponse.__table__.columns]
    copies = sorted(({key: getattr(row, key) for key in columns} for row in rows), key=_by_id)
    for row in rows:
        db.session.expunge(row)
    db.session.execute(
        sa.delete(SurveyResponse).where(*in_month).execution_options(synchronize_session=False)
    )
    db.session.add_all(SurveyResponse(**values) for values in copies)
    db.session.flush()


def _by_id(values: dict) -> uuid.UUID:
    return values["id"]
