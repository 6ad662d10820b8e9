"""HR's list of confidential online responses: de-identified, a page at a time.

Responses are listed by month, newest first, and within a month by their random id, so the
list never reveals in what order they came in.
"""

import uuid

import sqlalchemy as sa

from service.extensions import db
from service.listing import paginate
from service.surveys.document import Questionnaire, from_json
from service.surveys.models import TemplateVersion
from service.surveys.response_models import SurveyResponse
from service.tenancy import of_current_tenant
from service.tenants.models import Department, JobFunction, Location


def response_page(page: int):
    query = (
        sa.select(SurveyResponse)
        .where(of_current_tenant(SurveyResponse))
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
