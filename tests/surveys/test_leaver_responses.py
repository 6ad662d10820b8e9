"""Confidential storage: a response cannot be joined back to its departure; HR reads the
responses de-identified, and nobody else reads them."""

import datetime as dt

import pytest
import sqlalchemy as sa
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from service.extensions import db
from service.jobs.queue import rq_queue
from service.model_types import utcnow
from service.surveys.response_models import SurveyResponse, month_of
from service.surveys.response_tasks import reshuffle_responses
from service.tenancy import tenant_scope, unscoped
from tests.conftest import login, translated
from tests.factories import make_survey_response, make_tenant, published_version
from tests.surveys.leaver_world import (
    COMPLETE,
    a_month_on,
    last_month_of,
    make_leaver,
    open_survey,
    responses_of,
)

# What a response may share with the identified tables: the tenant, a column named "id"
# (its values are never shared: see below), the coarse attributes, and the answers (the
# draft holding them is deleted in the same transaction).
SHARED_ALLOWED = {
    "tenant_id",
    "id",
    "department_id",
    "job_function_id",
    "location_id",
    "tenure_band",
    "exit_type",
    "regretted",
    "language",
    "template_version_id",
    "answers",
}
IDENTIFIED = ("survey_invitations", "survey_drafts", "departures")
# What insights read from the responses, rewritten in the same transaction as they are.
DERIVED = ("survey_responses", "insight_feedback", "insight_answers", "insight_tags")
LINKED_BY_XMIN = "SELECT count(*) FROM {derived} r JOIN {table} t ON t.xmin = r.xmin"
WRITERS = "SELECT DISTINCT xmin::text FROM {derived}"
# Each table's rows in their physical order, as the improvement each leaver wrote.
PHYSICAL_ORDER = {
    "survey_responses": "SELECT answers->>'improve' FROM survey_responses ORDER BY ctid",
    "insight_feedback": "SELECT a.text FROM insight_feedback f JOIN insight_answers a"
    " ON a.feedback_id = f.id AND a.question_key = 'improve' ORDER BY f.ctid",
    "insight_answers": "SELECT text FROM insight_answers WHERE question_key = 'improve'"
    " ORDER BY ctid",
    "insight_tags": "SELECT a.text FROM insight_tags t JOIN insight_answers a"
    " ON a.id = t.answer_id WHERE t.question_key = 'improve' ORDER BY t.ctid",
}


def submit_all(app, tenant, count: int):
    """``count`` leavers answer one after the other; the n-th writes "Leaver n: …"."""
    leavers = [make_leaver(tenant, f"Leaver {n}") for n in range(count)]
    for number, leaver in enumerate(leavers):
        client = app.test_client()
        csrf = open_survey(client, leaver)
        improve = f"Leaver {number}: het loon was te laag"  # a theme, for insight_tags
        data = {**COMPLETE, "answer_improve": improve, "csrf_token": csrf}
        assert client.post("/s/submit", data=data).status_code == 303
    return leavers


def test_no_column_or_key_joins_a_response_back_to_its_departure(app):
    inspector = sa.inspect(db.engine)
    columns = {c["name"]: c for c in inspector.get_columns("survey_responses")}
    for table in IDENTIFIED:
        shared = set(columns) & {c["name"] for c in inspector.get_columns(table)}
        assert shared <= SHARED_ALLOWED, f"survey_responses shares {shared - SHARED_ALLOWED}"
    referred = {fk["referred_table"] for fk in inspector.get_foreign_keys("survey_responses")}
    assert referred == {"tenants", "departments", "job_functions", "locations", "template_versions"}
    for table in IDENTIFIED:
        pointing = {fk["referred_table"] for fk in inspector.get_foreign_keys(table)}
        assert "survey_responses" not in pointing
    # No moment finer than the month: the one date column is "month", and no timestamp.
    timed = [name for name, c in columns.items() if isinstance(c["type"], sa.DateTime)]
    assert timed == []
    dated = [name for name, c in columns.items() if isinstance(c["type"], sa.Date)]
    assert dated == ["month"]


def test_response_ids_are_random_and_share_no_value_with_the_identified_rows(app):
    tenant = make_tenant("codeway", languages=["en", "nl"])
    leavers = submit_all(app, tenant, 8)
    responses = responses_of(tenant)
    assert len(responses) == 8
    assert {r.id.version for r in responses} == {4}  # random, not the time-ordered v7
    assert {r.month.day for r in responses} == {1}
    identified = {leaver.invitation.id for leaver in leavers} | {
        leaver.departure.id for leaver in leavers
    }
    assert not {r.id for r in responses} & identified


def assert_no_trace_of_writing(tenant, count: int) -> None:
    """The responses and what insights read from them share no transaction id with the
    identified rows, and lie in an order that is not the order the answers came in."""
    written = [f"Leaver {n}: het loon was te laag" for n in range(count)]
    # A raw connection (no ORM net) sees what row-level security lets the tenant see.
    with tenant_scope(tenant.id), db.engine.connect() as connection:
        writers = set()
        for derived in DERIVED:
            for table in IDENTIFIED:
                query = LINKED_BY_XMIN.format(derived=derived, table=table)
                linked = connection.scalar(sa.text(query))
                assert linked == 0, f"{table} joins {derived} on xmin"
            writers |= set(connection.scalars(sa.text(WRITERS.format(derived=derived))))
        assert len(writers) == 1
        # The physical order follows the random ids, not the order the answers came in
        # (a chance of 1 in 8! that they would coincide).
        for derived, query in PHYSICAL_ORDER.items():
            physical = list(connection.scalars(sa.text(query)))
            assert sorted(physical) == sorted(written), derived
            assert physical != written, derived


def test_the_database_keeps_no_trace_of_the_order_or_transaction_of_writing(app):
    tenant = make_tenant("retail", languages=["fr"])
    submit_all(app, tenant, 8)
    # Each response was written in the transaction that ended its invitation and marked its
    # departure answered; the rewrite after it (which also reads the month into insights)
    # leaves no shared transaction id.
    assert_no_trace_of_writing(tenant, 8)


def test_a_month_of_submissions_queues_one_rewrite_which_reads_them_all(app, jobs_redis):
    """On a worker: the submissions made while the month's rewrite waits in the queue are
    that rewrite (a busy month would otherwise queue one per submission)."""
    tenant = make_tenant("retail", languages=["fr"])
    submit_all(app, tenant, 8)
    queue = rq_queue("default")
    assert [(job.func_name, job.args) for job in queue.jobs] == [
        (reshuffle_responses.path, [str(tenant.id), month_of(utcnow().date()).isoformat()])
    ]
    worker = SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer)
    assert worker.work(burst=True)
    assert_no_trace_of_writing(tenant, 8)


# --- HR's list -------------------------------------------------------------------------------


@pytest.fixture
def answered(app, world):
    leaver = make_leaver(world.a.tenant, "Sofie Janssens")
    client = app.test_client()
    csrf = open_survey(client, leaver)
    data = {**COMPLETE, "answer_improve": "<b>Meer</b> overleg", "csrf_token": csrf}
    assert client.post("/s/submit", data=data).status_code == 303
    a_month_on()
    return leaver


def test_the_month_in_progress_is_not_listed(client, world):
    leaver = make_leaver(world.a.tenant, "Sofie Janssens")
    answers = {
        **COMPLETE,
        "answer_improve": "Meer overleg",
        "csrf_token": open_survey(client, leaver),
    }
    assert client.post("/s/submit", data=answers).status_code == 303
    login(client, "hr@a.example")
    body = client.get("/t/tenant-a/responses/").get_data(as_text=True)
    assert "Meer overleg" not in body
    a_month_on()
    assert "Meer overleg" in client.get("/t/tenant-a/responses/").get_data(as_text=True)


@pytest.mark.parametrize("who", ["hr_admin@a.example", "hr@a.example"])
def test_hr_reads_the_responses_de_identified(client, world, answered, who):
    login(client, who)
    response = client.get("/t/tenant-a/responses/")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "&lt;b&gt;Meer&lt;/b&gt; overleg" in body
    assert "Sofie" not in body
    assert answered.departure.work_email not in body
    assert "2026-Q3" in body
    assert translated("5 to 10 years", "nl") in body
    month = last_month_of(dt.date.today().replace(day=1)).strftime("%Y")
    assert month in body
    assert str(answered.invitation.id) not in body


@pytest.mark.parametrize(
    "who",
    [
        "leadership@a.example",
        "member@a.example",
        "interviewer@a.example",
        "agency_admin@agency-a.example",
    ],
)
def test_nobody_else_reads_a_response(client, world, answered, who):
    login(client, who)
    assert client.get("/t/tenant-a/responses/").status_code == 403


def test_another_tenants_responses_are_a_404_and_never_listed(client, world, answered):
    login(client, "hr_admin@b.example")
    assert client.get("/t/tenant-a/responses/").status_code == 404
    body = client.get("/t/tenant-b/responses/").get_data(as_text=True)
    assert "Meer</b>" not in body
    assert "&lt;b&gt;Meer" not in body


def test_the_departure_page_says_only_answered(client, world, answered):
    login(client, "hr@a.example")
    body = client.get(f"/t/tenant-a/departures/{answered.departure.id}").get_data(as_text=True)
    assert translated("Answered", "nl") in body
    assert "overleg" not in body


def test_the_list_pages_and_has_an_empty_state(client, world):
    login(client, "hr@a.example")
    with unscoped("a test looks across tenants"):
        db.session.execute(sa.delete(SurveyResponse))
        db.session.commit()
    empty = client.get("/t/tenant-a/responses/").get_data(as_text=True)
    message = translated(
        "No online responses yet. They appear here once leavers answer the survey sent"
        " with their departure.",
        "nl",
    )
    assert message in empty
    version = published_version(world.a.tenant, world.a.objects["template"])
    for month in range(1, 27):
        day = dt.date(2024 + month // 13, month % 12 + 1, 1)
        make_survey_response(world.a.tenant, version, month=day)
    first = client.get("/t/tenant-a/responses/").get_data(as_text=True)
    assert 'rel="next" href="/t/tenant-a/responses/?page=2"' in first
    second = client.get("/t/tenant-a/responses/?page=2").get_data(as_text=True)
    assert second.count('class="card survey-response"') == 1
