"""Tenants with known feedback, for the insight tests (and the exports' own): a
questionnaire with every question insights read, responses made to measure, read into
insight rows the way the reshuffle job reads them."""

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa

from service.extensions import db
from service.insights import analysis
from service.model_types import utcnow
from service.surveys.document import Choice, Question, Questionnaire, QuestionType, to_json
from service.surveys.models import QuestionTemplate, TemplateVersion
from service.tenancy import tenant_scope
from tests.factories import make_department, make_survey_response, make_tenant


def _texts(text: str) -> dict:
    return {"nl": text, "fr": text, "en": text}


QUESTIONS = (
    Question(
        key="reason",
        type=QuestionType.SINGLE_CHOICE,
        required=False,
        text=_texts("Main reason?"),
        choices=(
            Choice("growth", _texts("No way up")),
            Choice("workload", _texts("Too much work")),
            Choice("moving", _texts("I moved house")),
        ),
    ),
    Question(
        key="pay",
        type=QuestionType.YES_NO,
        required=False,
        text=_texts("Did pay matter?"),
        theme="compensation",
    ),
    Question(
        key="manager",
        type=QuestionType.RATING,
        required=False,
        text=_texts("Did your manager support you?"),
        theme="management",
    ),
    Question(
        key="training",
        type=QuestionType.RATING,
        required=False,
        text=_texts("Were you trained well?"),
    ),
    Question(
        key="recommend",
        type=QuestionType.ENPS,
        required=False,
        text=_texts("Would you recommend us?"),
        role="enps",
    ),
    Question(
        key="back",
        type=QuestionType.YES_NO,
        required=False,
        text=_texts("Would you come back?"),
        role="come_back",
    ),
    Question(
        key="improve",
        type=QuestionType.FREE_TEXT,
        required=False,
        text=_texts("What should we improve?"),
    ),
)
QUESTIONNAIRE = Questionnaire(languages=("nl", "fr", "en"), questions=QUESTIONS)


def insight_version(tenant) -> TemplateVersion:
    """A published version of a template asking QUESTIONS."""
    with tenant_scope(tenant.id):
        template = QuestionTemplate(name="Insight questions", languages=["nl"], origin="blank")
        db.session.add(template)
        db.session.flush()
        version = TemplateVersion(
            template_id=template.id,
            number=1,
            document=to_json(QUESTIONNAIRE),
            published_at=utcnow(),
        )
        db.session.add(version)
        db.session.commit()
        db.session.refresh(version)
        db.session.expunge(version)
        return version


def respond(tenant, version, count: int, answers: dict, **coarse) -> None:
    """`count` responses with the same `answers` and coarse attributes (month: the first
    day of a month; default November 2026)."""
    month = coarse.pop("month", dt.date(2026, 11, 1))
    quarter = f"{month.year}-Q{(month.month - 1) // 3 + 1}"
    for _ in range(count):
        make_survey_response(
            tenant, version, month=month, exit_quarter=quarter, answers=dict(answers), **coarse
        )


def read_all(tenant) -> None:
    """Read the tenant's feedback into insight rows, as the jobs do."""
    with tenant_scope(tenant.id):
        analysis.read_everything()
        db.session.commit()


def count_rows(tenant, model) -> int:
    with tenant_scope(tenant.id):
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.tenant_id == tenant.id)
        )


# --- A department under k: the world of the key proof of issue 13 ----------------------------
#
# For every screen that shows feedback (dashboard, panels, quotes, exports): build the world,
# then hold what the screen renders for each of `small_world_filters` to
# `assert_small_department_hidden`, and the views it agrees to show to
# `assert_no_small_difference`.

SMALL_NAME = "Kleinste ploeg"
SMALL_SECRET = "Kleinste-geheim"  # written only by the small department's leavers


@dataclass
class SmallDepartmentWorld:
    """A tenant (k = 5, quotes from 10) whose department SMALL_NAME has k − 1 = 4 responses
    (November 2026), beside "Sales" (15) and "Kitchen" (10); only the small department's
    leavers raise pay, and only they write SMALL_SECRET. Sales mixes tenure bands (13 of
    2–5 years, 2 under a year), so a filter on Sales and one on Sales with a band differ by
    two responses."""

    tenant: object
    small: object
    sales: object
    kitchen: object
    k: int = 5
    month: dt.date = dt.date(2026, 11, 1)
    sizes: dict = field(default_factory=dict)  # department name → responses


def small_department_world(slug: str = "small-world") -> SmallDepartmentWorld:
    tenant = make_tenant(slug, confidentiality_k=5)
    version = insight_version(tenant)
    world = SmallDepartmentWorld(
        tenant,
        small=make_department(tenant, SMALL_NAME),
        sales=make_department(tenant, "Sales"),
        kitchen=make_department(tenant, "Kitchen"),
    )
    secret = {
        "pay": "yes",
        "recommend": 0,
        "back": "no",
        "manager": 1,
        "improve": f"Het loon was veel te laag. {SMALL_SECRET}",
    }
    busy = {"pay": "no", "recommend": 9, "back": "yes", "improve": "De werkdruk was te hoog"}
    respond(tenant, version, 4, secret, department_id=world.small.id, tenure_band="under_1")
    respond(tenant, version, 13, busy, department_id=world.sales.id, tenure_band="2_5")
    respond(tenant, version, 2, busy, department_id=world.sales.id, tenure_band="under_1")
    respond(tenant, version, 10, busy, department_id=world.kitchen.id, tenure_band="2_5")
    world.sizes = {SMALL_NAME: 4, "Sales": 15, "Kitchen": 10}
    read_all(tenant)
    return world


def small_world_filters(world: SmallDepartmentWorld, first=None, last=None) -> list:
    """Every filter a person can set on the small world's month (or period): the whole,
    each department, each tenure band, and each department with each band."""
    from service.insights.figures import Filter

    departments = (None, world.small.id, world.sales.id, world.kitchen.id)
    bands = (None, "under_1", "2_5")
    return [
        Filter(
            first=first or world.month,
            last=last or world.month,
            department_id=department,
            tenure_band=band,
        )
        for department in departments
        for band in bands
    ]


def visible_views(world: SmallDepartmentWorld, thresholds, first=None, last=None) -> dict:
    """The small world's filters whose dashboard shows figures, with the responses each
    rests on."""
    from service.insights import dashboard, figures

    with tenant_scope(world.tenant.id):
        return {
            view: figures.responses(view)
            for view in small_world_filters(world, first, last)
            if dashboard.build(view, thresholds).allowed
        }


def assert_no_small_difference(shown: dict, k: int) -> None:
    """No two shown views (filter → responses), one narrower than the other, differ by 1 to
    k − 1 responses."""
    for wide, narrow in itertools.permutations(shown, 2):
        if _contains(wide, narrow):
            difference = shown[wide] - shown[narrow]
            assert difference == 0 or difference >= k, (wide, narrow, difference)


def _contains(wide, narrow) -> bool:
    from service.insights.figures import FILTER_FIELDS

    return all(
        getattr(wide, name) is None or getattr(wide, name) == getattr(narrow, name)
        for name in FILTER_FIELDS
    )


def assert_small_department_hidden(world: SmallDepartmentWorld, render: Callable) -> None:
    """`render(filter)` is what a person gets for a filter of the small world (an export's
    text, a page): a filter on the small department never shows what its leavers wrote,
    and no line anywhere puts their words beside the department's name."""
    for view in small_world_filters(world):
        text = render(view)
        if view.department_id == world.small.id:
            assert SMALL_SECRET not in text, view
        for line in text.splitlines():
            assert not (SMALL_SECRET in line and SMALL_NAME in line), line
