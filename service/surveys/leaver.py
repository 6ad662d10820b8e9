"""The leaver's side of a survey invitation: the link, the proof cookie, the draft, the
submission and the refusal. Each function that changes data is one transaction.

The emailed link names no tenant, so its token is looked up by hash across tenants (the
one cross-tenant lookup here, :func:`invitation_of_token`); everything after it runs in the
invitation's tenant. The token is then exchanged for a signed cookie naming the invitation
and a fingerprint of the token's hash: a resend replaces the hash and an ended invitation
clears it, so either kills every cookie issued for the old link.
"""

import datetime as dt
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from types import SimpleNamespace
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from service.accounts.tokens import token_hash
from service.departures.models import Departure, DepartureStatus, tenure_band
from service.extensions import db
from service.jobs.queue import enqueue_after_commit
from service.model_types import as_utc, utcnow
from service.surveys.answers import Answers, missing_required, read
from service.surveys.document import Questionnaire, from_json
from service.surveys.invitation_models import InvitationStatus, SurveyDraft, SurveyInvitation
from service.surveys.invitation_steps import mark_opened
from service.surveys.models import TemplateVersion
from service.surveys.response_models import SurveyResponse, month_of, quarter_of
from service.surveys.response_tasks import reshuffle_responses
from service.tenancy import execute_prepared, tenant_scope, unscoped
from service.tenants.models import Tenant

# The statuses in which a leaver may answer (a scheduled invitation has no link yet).
OPEN_STATUSES = (InvitationStatus.SENT, InvitationStatus.OPENED)
FINGERPRINT_LENGTH = 16  # hex characters of the token hash the cookie carries
TOKEN_MAX = 100  # far beyond new_token()'s 43 characters: a longer "token" is not looked up
_SALT = "exitloop.leaver-survey"
# A departure HR cancelled or closed keeps that status when its survey comes in.
_KEEP_STATUS = (DepartureStatus.CANCELLED, DepartureStatus.CLOSED)


class Standing(Enum):
    OPEN = "open"  # the leaver may answer
    CLOSED = "closed"  # it was theirs, but it expired meanwhile: they are told


@dataclass(frozen=True)
class Survey:
    """A proven invitation and what its page needs."""

    invitation: SurveyInvitation
    company: str  # the tenant's name: whose HR team reads the answers
    standing: Standing
    document: Questionnaire
    draft: SurveyDraft | None


def _is_open(invitation: SurveyInvitation, now: dt.datetime) -> bool:
    return (
        invitation.status in OPEN_STATUSES
        and invitation.token_hash is not None
        and invitation.template_version_id is not None
        and (invitation.expires_at is None or as_utc(invitation.expires_at) > now)
    )


# Every request of a leaver runs one of the statements below: each is built once, and run
# with its parameters (building and analysing a statement cost more than running it).
_OF_TOKEN = sa.select(SurveyInvitation).where(
    SurveyInvitation.token_hash == sa.bindparam("token_hash")
)


def invitation_of_token(token: str) -> SurveyInvitation | None:
    """The live invitation whose link this is, else None.

    The only lookup across tenants: by the token's hash, which names one invitation."""
    if not token or len(token) > TOKEN_MAX:
        return None
    with unscoped("survey link: the token's hash names one invitation"):
        invitation = db.session.scalar(_OF_TOKEN, {"token_hash": token_hash(token)})
    if invitation is None or not _is_open(invitation, utcnow()):
        return None
    return invitation


# --- the cookie ---------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.secret_key)


@lru_cache(maxsize=4)
def _serializer_for(secret_key: str) -> URLSafeTimedSerializer:
    # Built once per key, not per request: every leaver request signs or reads the cookie.
    return URLSafeTimedSerializer(secret_key, salt=_SALT)


def proof(invitation: SurveyInvitation) -> str:
    fingerprint = invitation.token_hash[:FINGERPRINT_LENGTH]
    return _serializer().dumps([str(invitation.tenant_id), str(invitation.id), fingerprint])


def proof_max_age() -> int:
    return current_app.config["SURVEY_COOKIE_MINUTES"] * 60


class Proof(NamedTuple):
    """What a signed cookie names: the invitation, its tenant, and the link it came from."""

    tenant_id: uuid.UUID
    invitation_id: uuid.UUID
    fingerprint: str


def read_proof(value: str | None) -> Proof | None:
    """The signed, unexpired cookie's claim (it cannot be forged), else None. Whether the
    invitation is still open is :func:`survey_of_proof`'s to tell."""
    if not value:
        return None
    try:
        tenant_id, invitation_id, fingerprint = _serializer().loads(value, max_age=proof_max_age())
        return Proof(uuid.UUID(tenant_id), uuid.UUID(invitation_id), fingerprint)
    except (SignatureExpired, BadSignature, ValueError, TypeError):
        return None


def form_token(proof: Proof) -> str:
    """What the leaver's forms carry against cross-site requests, in place of a session's
    CSRF token (their pages set no session cookie): bound to the invitation the cookie
    proves and to its link, signed with the app's key. Another site's page can neither read
    the cookie (HttpOnly, SameSite=Strict) nor make this. It needs no Referer either: the
    leaver's pages send none (Referrer-Policy: no-referrer)."""
    message = f"{_SALT}.form:{proof.invitation_id}:{proof.fingerprint}".encode()
    return hmac.new(current_app.secret_key.encode(), message, hashlib.sha256).hexdigest()


def form_token_matches(proof: Proof, sent: str) -> bool:
    # As bytes: compare_digest refuses a str that is not ASCII (a forged token may be).
    return hmac.compare_digest(form_token(proof).encode(), sent.encode())


_PROVEN = (
    sa.select(SurveyInvitation, Tenant.name, SurveyDraft)
    .join(Tenant, Tenant.id == SurveyInvitation.tenant_id)
    .outerjoin(
        SurveyDraft,
        sa.and_(
            SurveyDraft.tenant_id == SurveyInvitation.tenant_id,
            SurveyDraft.invitation_id == SurveyInvitation.id,
        ),
    )
    .where(SurveyInvitation.id == sa.bindparam("invitation"))
)


def survey_of_proof(proof: Proof) -> Survey | None:
    """The survey a cookie proves, in its tenant's scope (the caller enters
    ``tenant_scope(proof.tenant_id)``); None for anything that proves nothing any more.

    Every page the leaver sees asks this, so it is one statement: the invitation with its
    draft and its company's name (the questionnaire is parsed once per process)."""
    row = db.session.execute(_PROVEN, {"invitation": proof.invitation_id}).first()
    if row is None or row[0].template_version_id is None:
        return None
    invitation, company, draft = row
    current = (invitation.token_hash or "")[:FINGERPRINT_LENGTH] == proof.fingerprint
    if current and _is_open(invitation, utcnow()):
        standing = Standing.OPEN
    elif (current and invitation.status in OPEN_STATUSES) or (
        invitation.status is InvitationStatus.EXPIRED
    ):
        # Expired while the leaver wrote (the scan clears the link's hash when it marks it
        # expired): they are told, and shown what they sent, rather than the generic page.
        standing = Standing.CLOSED
    else:
        return None
    document = _questionnaire(invitation.template_version_id)
    return Survey(invitation, company, standing, document, draft)


@lru_cache(maxsize=256)
def _questionnaire(version_id: uuid.UUID) -> Questionnaire:
    """The questionnaire of a template version, read and parsed once per process: every page
    and submit of every leaver needs it, and a published version never changes (see
    service/surveys/models.py). Called in the invitation's tenant scope."""
    document = db.session.scalar(
        sa.select(TemplateVersion.document).where(TemplateVersion.id == version_id)
    )
    return from_json(document)


# --- changes ------------------------------------------------------------------------------


def open_link(invitation: SurveyInvitation) -> str:
    """The leaver followed the link (``invitation`` is what :func:`invitation_of_token`
    found): the invitation is opened; returns the cookie's value."""
    with tenant_scope(invitation.tenant_id):
        mark_opened(invitation)
        value = proof(invitation)
        db.session.commit()
    return value


def save_draft(invitation: SurveyInvitation, answers: Answers, language: str) -> None:
    """Keep the answers given so far (all of them: the form sends every answer)."""
    for attempt in range(2):
        draft = db.session.scalar(
            sa.select(SurveyDraft).where(SurveyDraft.invitation_id == invitation.id)
        )
        if draft is None:
            draft = SurveyDraft(invitation_id=invitation.id, language=language)
            db.session.add(draft)
        draft.answers, draft.language, draft.updated_at = answers, language, utcnow()
        try:
            db.session.commit()
            return
        except IntegrityError:
            # Another tab's first save made the draft meanwhile: update that one.
            db.session.rollback()
            if attempt:
                raise


def _ending(status: InvitationStatus, **values) -> sa.Update:
    """The invitation a cookie proves, moved to ``status`` if it is still open to that cookie
    and nothing else moved it first: a conditional UPDATE, so of two racing requests exactly
    one wins (the other's row no longer matches). Returns the invitation's departure,
    questionnaire version and language. Parameters: :func:`_proven_at`'s."""
    return (
        sa.update(SurveyInvitation)
        .where(
            SurveyInvitation.tenant_id == sa.bindparam("tenant"),
            SurveyInvitation.id == sa.bindparam("invitation"),
            sa.func.substr(SurveyInvitation.token_hash, 1, FINGERPRINT_LENGTH)
            == sa.bindparam("fingerprint"),
            SurveyInvitation.template_version_id.is_not(None),
            SurveyInvitation.status.in_(OPEN_STATUSES),
            sa.or_(
                SurveyInvitation.expires_at.is_(None),
                SurveyInvitation.expires_at > sa.bindparam("now"),
            ),
        )
        .values(
            status=status,
            ended_at=sa.bindparam("now"),
            token_hash=None,
            next_step_at=None,
            **values,
        )
        .returning(
            SurveyInvitation.departure_id,
            SurveyInvitation.template_version_id,
            SurveyInvitation.language,
        )
        .execution_options(synchronize_session=False)
    )


def _proven_at(proof: Proof) -> dict:
    return {
        "tenant": proof.tenant_id,
        "invitation": proof.invitation_id,
        "fingerprint": proof.fingerprint,
        "now": utcnow(),
    }


# The invitation's draft deleted; returns the language it was written in, if any.
_DRAFT_DROPPED = (
    sa.delete(SurveyDraft)
    .where(
        SurveyDraft.tenant_id == sa.bindparam("tenant"),
        SurveyDraft.invitation_id == sa.bindparam("invitation"),
    )
    .returning(SurveyDraft.language)
    .execution_options(synchronize_session=False)
)


def _answered(departure_id) -> sa.Update:
    """The departure learns "answered" (unless it was cancelled or closed meanwhile) and
    gives its coarse attributes."""
    return (
        sa.update(Departure)
        .where(Departure.tenant_id == sa.bindparam("tenant"), Departure.id == departure_id)
        .values(
            status=sa.case(
                (Departure.status.in_(_KEEP_STATUS), Departure.status),
                else_=sa.literal(DepartureStatus.ANSWERED, Departure.status.type),
            )
        )
        .returning(
            Departure.department_id,
            Departure.job_function_id,
            Departure.location_id,
            Departure.hired_on,
            Departure.last_day,
            Departure.exit_type,
            Departure.regretted,
        )
        .execution_options(synchronize_session=False)
    )


def _submitting() -> sa.Update:
    """The invitation ended as completed, its draft dropped and its departure told: one
    statement (PostgreSQL's data-modifying WITH). Parameters: :func:`_proven_at`'s."""
    ended = _ending(InvitationStatus.COMPLETED).cte("ended")
    dropped = _DRAFT_DROPPED.cte("dropped")
    return _answered(ended.c.departure_id).returning(
        ended.c.template_version_id,
        ended.c.language,
        sa.select(dropped.c.language).scalar_subquery().label("draft_language"),
    )


_SUBMITTING = _submitting()
# The same three steps one by one, where a WITH may not modify data (SQLite, the embedded
# default).
_COMPLETING = _ending(InvitationStatus.COMPLETED)
_ANSWERED = _answered(sa.bindparam("departure"))


def _ended_for_submission(proof: Proof):
    """The invitation the cookie proves ended as completed, its draft dropped and its
    departure told; what the response needs of them, else None (nothing was open)."""
    parameters = _proven_at(proof)
    if db.engine.dialect.name == "postgresql":
        return execute_prepared(_SUBMITTING, parameters).one_or_none()
    ended = execute_prepared(_COMPLETING, parameters).one_or_none()
    if ended is None:
        return None
    draft_language = execute_prepared(_DRAFT_DROPPED, parameters).scalar()
    departure = execute_prepared(_ANSWERED, parameters | {"departure": ended.departure_id}).one()
    return SimpleNamespace(
        template_version_id=ended.template_version_id,
        language=ended.language,
        draft_language=draft_language,
        **departure._asdict(),
    )


_RESPONSE = sa.insert(SurveyResponse)


def language_among(offered: tuple[str, ...], *candidates: str | None) -> str:
    """The first candidate the questionnaire offers (the page's choice, the draft's, the
    invitation's), else its first language."""
    return next((language for language in candidates if language in offered), offered[0])


def submit(proof: Proof, form: MultiDict, languages_asked: tuple[str | None, ...]) -> str | None:
    """Store the answers of ``form`` as a confidential response and end the invitation, in
    one transaction; returns the response's language. None (nothing written) when the
    invitation is no longer open to this cookie or the answers are refused: the caller then
    shows the survey as it stands, which says why.

    The invitation is ended, its draft dropped and its departure told in one statement (three
    on SQLite), and the answers read against its questionnaire after, so the cookie's
    invitation is not read on its own beforehand: a refusal rolls it all back."""
    row = _ended_for_submission(proof)
    if row is None:
        db.session.rollback()
        return None
    document = _questionnaire(row.template_version_id)
    reading = read(document, form)
    if reading.errors or missing_required(document, reading.answers):
        db.session.rollback()
        return None
    language = language_among(
        document.languages, *languages_asked, row.draft_language, row.language
    )
    month = month_of(utcnow().date())
    execute_prepared(
        _RESPONSE,
        {
            "tenant_id": proof.tenant_id,
            "month": month,
            "department_id": row.department_id,
            "job_function_id": row.job_function_id,
            "location_id": row.location_id,
            "tenure_band": tenure_band(row.hired_on, row.last_day),
            "exit_quarter": quarter_of(row.last_day),
            "exit_type": row.exit_type,
            "regretted": row.regretted,
            "language": language,
            "template_version_id": row.template_version_id,
            "answers": reading.answers,
        },
    )
    # Written in the transaction that ends the invitation, the row carries its transaction
    # id: rewritten at once in another (service/surveys/responses.py says why).
    enqueue_after_commit(reshuffle_responses, str(proof.tenant_id), month.isoformat())
    db.session.commit()
    return language


def decline(proof: Proof, reason: str | None) -> bool:
    """The leaver would rather not answer: the invitation ends and the draft goes."""
    ending = _ending(InvitationStatus.DECLINED, decline_reason=reason or None)
    if db.session.execute(ending, _proven_at(proof)).one_or_none() is None:
        db.session.rollback()
        return False
    db.session.execute(_DRAFT_DROPPED, _proven_at(proof))
    db.session.commit()
    return True
