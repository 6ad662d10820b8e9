"""Demo confidential responses: one for every demo leaver whose case is answered without
an interview (service/departures/demo.py: fifteen months of closed cases, the month's
response rate answered, and the recent ones whose survey completed), so that the responses
and the departures tell one story.

What they wrote follows their department's voice (demo_writing.VOICES: Het Anker's kitchen
leaves over workload, split shifts and the chef, Maison Lumière's Liège store over its
management and the lack of recognition, Codeway's developers for growth and pay while
praising their colleagues — and, as the voices shift, less over pay once it was raised,
more over roles since the reorganisation), in the leaver's language, on the template
version that was published at the time. The response carries the coarse attributes only.

Deterministic (a random generator seeded with the client's slug, days counted from
``today``) and idempotent: a client that has responses is left alone. Inserted in one
statement per client: seed-demo stays quick.
"""

import datetime as dt
import random
import uuid

import sqlalchemy as sa

from service.departures.models import Departure, DepartureStatus
from service.extensions import db
from service.model_types import as_utc
from service.surveys import demo_writing
from service.surveys.document import from_json
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.invitation_demo import published_versions, version_at
from service.surveys.invitation_models import InvitationStatus, SurveyInvitation
from service.surveys.models import QuestionTemplate
from service.surveys.response_models import SurveyResponse, month_of, quarter_of
from service.tenancy import current_tenant_id, of_current_tenant, tenant_scope
from service.tenants.models import Department, Location


def _answered_on(rng: random.Random, last_day: dt.date, ended, today: dt.date) -> dt.date:
    """When they answered: when their survey completed, else around their last day (the
    first mail goes out a few days before it) and within its month."""
    if ended is not None:
        return min(ended.date(), today)
    day = last_day + dt.timedelta(days=rng.randint(-3, 6))
    return min(max(day, last_day.replace(day=1)), last_day.replace(day=28), today)


def _ids(model) -> dict[str, uuid.UUID]:
    rows = db.session.execute(sa.select(model.name, model.id).where(of_current_tenant(model)))
    return dict(list(rows.tuples()))


def _answered_departures():
    """The answered departures without an interview, each with when its survey ended."""
    interviewed = sa.select(Interview.departure_id).where(
        of_current_tenant(Interview), Interview.status == InterviewStatus.COMPLETED
    )
    completed = (
        sa.select(SurveyInvitation.departure_id, SurveyInvitation.ended_at)
        .where(
            of_current_tenant(SurveyInvitation),
            SurveyInvitation.status == InvitationStatus.COMPLETED,
        )
        .subquery()
    )
    return db.session.execute(
        sa.select(Departure, completed.c.ended_at)
        .outerjoin(completed, completed.c.departure_id == Departure.id)
        .where(
            of_current_tenant(Departure),
            Departure.status == DepartureStatus.ANSWERED,
            Departure.id.not_in(interviewed),
        )
        .order_by(Departure.last_day, Departure.identity_key)
    ).all()


def _rows(tenant, today: dt.date) -> list[dict]:
    slug, sector = tenant.slug, tenant.sector.value
    rng = random.Random(f"responses:{slug}")
    names = {}
    for model in (Department, Location):
        names |= {id_: name for name, id_ in _ids(model).items()}
    template_id = db.session.scalar(
        sa.select(QuestionTemplate.id).where(
            of_current_tenant(QuestionTemplate), QuestionTemplate.is_default
        )
    )
    versions = published_versions([template_id])[template_id]
    documents = {version.id: from_json(version.document) for version in versions}
    rows = []
    for departure, ended in _answered_departures():
        answered = _answered_on(rng, departure.last_day, ended, today)
        department = names.get(departure.department_id)
        voice = demo_writing.voice_of(
            slug, department, names.get(departure.location_id), answered, today
        )
        moment = dt.datetime.combine(answered, dt.time(12), tzinfo=dt.UTC)
        version = version_at(versions, max(moment, as_utc(versions[0].published_at)))
        reasons, liked = demo_writing.pick_themes(rng, voice.reasons, voice.liked)
        leaver = demo_writing.Leaver(
            departure.language, reasons, liked, rng.betavariate(*voice.mood)
        )
        rows.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "tenant_id": current_tenant_id(),
                "month": month_of(answered),
                "department_id": departure.department_id,
                "job_function_id": departure.job_function_id,
                "location_id": departure.location_id,
                "tenure_band": departure.tenure_band,
                "exit_quarter": quarter_of(departure.last_day),
                "exit_type": departure.exit_type,
                "regretted": departure.regretted,
                "language": leaver.language,
                "template_version_id": version.id,
                "answers": demo_writing.answers(rng, sector, documents[version.id], leaver),
            }
        )
    return rows


def seed_tenant_responses(tenant, today: dt.date) -> None:
    if tenant.slug not in demo_writing.VOICES:
        return
    with tenant_scope(tenant.id):
        if db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyResponse)
            .where(of_current_tenant(SurveyResponse))
        ):
            return
        rows = _rows(tenant, today)
        if rows:
            db.session.execute(sa.insert(SurveyResponse), rows)
        db.session.commit()
