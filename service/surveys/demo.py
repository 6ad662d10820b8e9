"""Demo question templates: each demo client gets its sector's questionnaire as the published
default, a former questionnaire kept archived, and one client a second version; the demo
agency gets a small library. Idempotent: a tenant or agency that has templates is left
alone."""

import datetime as dt
from dataclasses import replace

import sqlalchemy as sa

from service.extensions import db
from service.surveys.document import Question, QuestionType, for_languages, to_json
from service.surveys.models import AgencyTemplate, QuestionTemplate, TemplateVersion
from service.surveys.presets import load_presets, preset_for_sector
from service.tenancy import of_current_tenant, tenant_scope

OLD_NAMES = {
    "nl": "Vertrekvragen 2024 (oud)",
    "fr": "Questions de départ 2024 (ancien)",
    "en": "Leaving questions 2024 (old)",
}
# A question one client added in its second version: schedules come up in every interview.
SCHEDULE_QUESTION = {
    "nl": "Kreeg u uw uurrooster op tijd, minstens twee weken vooraf?",
    "fr": "Receviez-vous votre horaire à temps, au moins deux semaines à l'avance ?",
    "en": "Did you get your schedule in time, at least two weeks ahead?",
}


def _publish(template, number, document, when):
    db.session.add(
        TemplateVersion(
            template_id=template.id,
            number=number,
            document=to_json(document),
            published_at=when,
            created_at=when,
            updated_at=when,
        )
    )


def seed_tenant_templates(tenant, today: dt.date, second_version: bool = False) -> None:
    with tenant_scope(tenant.id):
        if db.session.scalar(
            sa.select(sa.func.count())
            .select_from(QuestionTemplate)
            .where(of_current_tenant(QuestionTemplate))
        ):
            return
        language = tenant.default_language
        preset = preset_for_sector(tenant.sector.value)
        document = for_languages(preset.questionnaire, tenant.languages)
        start = dt.datetime.combine(today - dt.timedelta(days=480), dt.time(9), tzinfo=dt.UTC)

        current = QuestionTemplate(
            name=preset.name.get(language) or preset.name["en"],
            languages=list(tenant.languages),
            origin=f"preset:{preset.key}@{preset.version}",
            is_default=True,
            created_at=start,
        )
        old = QuestionTemplate(
            name=OLD_NAMES[language],
            languages=list(tenant.languages),
            origin=f"preset:core@{load_presets()['core'].version}",
            archived_at=start + dt.timedelta(days=30),
            created_at=start - dt.timedelta(days=300),
        )
        db.session.add_all([current, old])
        db.session.flush()
        core = for_languages(load_presets()["core"].questionnaire, tenant.languages)
        _publish(old, 1, core, start - dt.timedelta(days=300))
        _publish(current, 1, document, start)
        if second_version:
            extra = Question(
                key="schedule_in_time",  # the preset's schedule_notice asks how far ahead
                type=QuestionType.YES_NO,
                required=False,
                text={code: SCHEDULE_QUESTION[code] for code in tenant.languages},
                theme="workload",
                concern="no",  # not getting it in time is the concern
            )
            position = len(document.questions) - 4  # before the closing open questions
            questions = (*document.questions[:position], extra, *document.questions[position:])
            _publish(
                current, 2, replace(document, questions=questions), start + dt.timedelta(days=200)
            )
        db.session.commit()


def seed_library(agency) -> None:
    if db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AgencyTemplate)
        .where(AgencyTemplate.agency_id == agency.id)
    ):
        return
    presets = load_presets()
    for key, name in (
        ("core", "Talentbrug standaard exitgesprek"),
        ("horeca", "Talentbrug horeca: drukte en gebroken diensten"),
    ):
        preset = presets[key]
        db.session.add(
            AgencyTemplate(
                agency_id=agency.id,
                name=name,
                languages=["nl", "fr", "en"],
                origin=f"preset:{preset.key}@{preset.version}",
                document=to_json(preset.questionnaire),
            )
        )
    db.session.commit()
