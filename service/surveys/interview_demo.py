"""Demo interviews: at each demo client, one face-to-face interview coming up with the
furthest-off leaver (at the agency's clients, with the agency's consultant: the neutral
third party of "My interviews") and one completed, with its answers and the interviewer's
notes, for a recent leaver who had not answered online (their departure is answered).

Deterministic (a random generator seeded with the client's slug, dates counted from
``today``) and idempotent: a client that has interviews is left alone.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from service.accounts.models import User
from service.departures.models import Channel, Departure, DepartureStatus
from service.extensions import db
from service.surveys import demo_writing
from service.surveys.document import from_json
from service.surveys.interview_models import Interview, InterviewStatus
from service.surveys.invitation_demo import published_versions, version_at
from service.surveys.invitation_models import SurveyInvitation
from service.tenancy import of_current_tenant, tenant_scope
from service.tenants.models import Department

BRUSSELS = ZoneInfo("Europe/Brussels")
CONSULTANT = "consultant@talentbrug.example"
# Who interviews at each client: (the upcoming interview, the completed one).
INTERVIEWERS = {
    "het-anker": (CONSULTANT, "interviewer@het-anker.example"),
    "maison-lumiere": (CONSULTANT, CONSULTANT),
    "codeway": ("interviewer@codeway.example", "interviewer@codeway.example"),
}
PLACES = {
    "het-anker": {"place": "Kantoor boven de zaak, Korenmarkt 12, Gent"},
    "maison-lumiere": {"place": "Salle de réunion du siège, avenue Louise 120, Bruxelles"},
    "codeway": {"video_link": "https://meet.codeway.example/exit-interview"},
}


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), BRUSSELS).astimezone(dt.UTC)


def _user_id(email: str):
    return db.session.scalar(sa.select(User.id).where(User.email == email))


def seed_tenant_interviews(tenant, today: dt.date) -> None:
    if tenant.slug not in INTERVIEWERS:
        return
    with tenant_scope(tenant.id):
        if db.session.scalar(
            sa.select(sa.func.count()).select_from(Interview).where(of_current_tenant(Interview))
        ):
            return
        rng = random.Random(f"interviews:{tenant.slug}")
        candidates = sa.select(Departure).where(
            of_current_tenant(Departure),
            Departure.status != DepartureStatus.CANCELLED,
            Departure.channel.in_([Channel.INTERVIEW, Channel.BOTH]),
            Departure.template_id.is_not(None),
        )
        upcoming = db.session.scalar(
            candidates.order_by(Departure.last_day.desc(), Departure.full_name)
        )
        if upcoming is None:
            return
        surveyed = sa.select(SurveyInvitation.departure_id).where(
            of_current_tenant(SurveyInvitation)
        )
        done = db.session.scalar(
            candidates.where(
                Departure.last_day < today,
                Departure.id.not_in(surveyed),
                # When no leaver is still to go (late February at Maison Lumière), the
                # latest one is interviewed next and another one was interviewed before.
                Departure.id != upcoming.id,
            ).order_by(Departure.last_day.desc(), Departure.full_name)
        )
        if done is None:
            return
        versions = published_versions({upcoming.template_id, done.template_id})
        planned_for, interviewer = INTERVIEWERS[tenant.slug]

        when = _at(max(today + dt.timedelta(days=2), upcoming.last_day - dt.timedelta(days=2)), 14)
        db.session.add(
            Interview(
                departure_id=upcoming.id,
                interviewer_user_id=_user_id(planned_for),
                scheduled_at=when,
                template_version_id=version_at(versions[upcoming.template_id], when).id,
                created_at=_at(today - dt.timedelta(days=3), 10),
                **PLACES[tenant.slug],
            )
        )
        upcoming.status = DepartureStatus.INTERVIEW_PLANNED

        when = _at(done.last_day - dt.timedelta(days=rng.randint(1, 5)), 10)
        version = version_at(versions[done.template_id], when)
        department = db.session.scalar(
            sa.select(Department.name).where(
                of_current_tenant(Department), Department.id == done.department_id
            )
        )
        voice = demo_writing.voice_of(tenant.slug, department, None)
        reasons, liked = demo_writing.pick_themes(rng, voice.reasons, voice.liked)
        leaver = demo_writing.Leaver(done.language, reasons, liked, rng.betavariate(*voice.mood))
        sector = tenant.sector.value
        db.session.add(
            Interview(
                departure_id=done.id,
                interviewer_user_id=_user_id(interviewer),
                scheduled_at=when,
                status=InterviewStatus.COMPLETED,
                template_version_id=version.id,
                answers=demo_writing.answers(rng, sector, from_json(version.document), leaver),
                notes=demo_writing.interview_notes(rng, sector, done.language),
                revision=rng.randint(4, 20),  # autosaved as the conversation went
                completed_at=when + dt.timedelta(minutes=rng.randint(40, 75)),
                created_at=when - dt.timedelta(days=rng.randint(3, 10)),
                updated_at=when + dt.timedelta(minutes=80),
                **PLACES[tenant.slug],
            )
        )
        done.status = DepartureStatus.ANSWERED
        db.session.commit()
