"""Demo confidential responses: a year of online survey answers per demo client, so that the
responses list and later insights have patterns to find.

Who answered follows the client's departures (service/departures/demo.py PROFILES: the same
departments, functions, locations, exit types, months and tenures, in the same proportions);
what they wrote follows their department's voice (demo_writing.VOICES: Het Anker's kitchen
leaves over workload, split shifts and the chef, Maison Lumière's Liège store over its
management and the lack of recognition, Codeway's developers for growth and pay while
praising their colleagues), in the leaver's language, on the template version that was
published at the time.

Deterministic (a random generator seeded with the client's slug, months counted from
``today``) and idempotent: a client that has responses is left alone. Inserted in one
statement per client: seed-demo stays quick.
"""

import datetime as dt
import random
import uuid

import sqlalchemy as sa

from service.departures.demo import PROFILES, Group
from service.departures.models import tenure_band
from service.extensions import db
from service.surveys import demo_writing
from service.surveys.document import from_json
from service.surveys.invitation_demo import published_versions, version_at
from service.surveys.models import QuestionTemplate
from service.surveys.response_models import SurveyResponse, month_of, quarter_of
from service.tenancy import current_tenant_id, of_current_tenant, tenant_scope
from service.tenants.models import Department, JobFunction, Location

# Responses per client over the year: more than its recorded departures (the demo's
# departures list is a sample; a brasserie's seasonal staff turns over fast).
RESPONSES = {"het-anker": 320, "maison-lumiere": 280, "codeway": 240}


def _language(slug: str, location: str, rng: random.Random) -> str:
    """The language they answered in: as the client's departures speak (Antwerp in Dutch,
    Codeway in all three)."""
    if slug == "het-anker":
        return "nl"
    if slug == "maison-lumiere":
        return "nl" if location == "Antwerpen Meir" or rng.random() < 0.08 else "fr"
    return rng.choices(["en", "nl", "fr"], [6, 3, 1])[0]


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def _exit_day(rng: random.Random, group: Group, today: dt.date) -> dt.date:
    """A last day in the past year, in one of the group's months."""
    months = []
    for back in range(12):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        months.append((year, month + 1))
    year, month = rng.choices(months, [group.months.get(m, 0) for _y, m in months])[0]
    return min(dt.date(year, month, rng.randint(1, 28)), today)


def _ids(model) -> dict[str, uuid.UUID]:
    rows = db.session.execute(sa.select(model.name, model.id).where(of_current_tenant(model)))
    return dict(list(rows.tuples()))


def _rows(tenant, today: dt.date) -> list[dict]:
    slug, sector = tenant.slug, tenant.sector.value
    rng = random.Random(f"responses:{slug}")
    departments, functions, locations = _ids(Department), _ids(JobFunction), _ids(Location)
    template_id = db.session.scalar(
        sa.select(QuestionTemplate.id).where(
            of_current_tenant(QuestionTemplate), QuestionTemplate.is_default
        )
    )
    versions = published_versions([template_id])[template_id]
    documents = {version.id: from_json(version.document) for version in versions}
    groups = PROFILES[slug]
    rows = []
    for _ in range(RESPONSES[slug]):
        group = rng.choices(groups, [g.count for g in groups])[0]
        location = _weighted(rng, group.locations)
        voice = demo_writing.voice_of(slug, group.department, location)
        last_day = _exit_day(rng, group, today)
        # Answered around the last day: the first mail goes out a few days before it.
        answered = min(last_day + dt.timedelta(days=rng.randint(-3, 6)), today)
        moment = dt.datetime.combine(answered, dt.time(12), tzinfo=dt.UTC)
        version = version_at(versions, moment) or versions[0]
        reasons, liked = demo_writing.pick_themes(rng, voice.reasons, voice.liked)
        leaver = demo_writing.Leaver(
            _language(slug, location, rng), reasons, liked, rng.betavariate(*voice.mood)
        )
        hired = last_day - dt.timedelta(days=rng.randint(*group.tenure_days))
        rows.append(
            {
                "id": uuid.UUID(int=rng.getrandbits(128), version=4),
                "tenant_id": current_tenant_id(),
                "month": month_of(answered),
                "department_id": departments.get(group.department),
                "job_function_id": functions.get(group.function) if group.function else None,
                "location_id": locations.get(location),
                "tenure_band": tenure_band(hired, last_day) if rng.random() < 0.9 else None,
                "exit_quarter": quarter_of(last_day),
                "exit_type": _weighted(rng, group.exits),
                "regretted": rng.random() < group.regretted,
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
        db.session.execute(sa.insert(SurveyResponse), _rows(tenant, today))
        db.session.commit()
