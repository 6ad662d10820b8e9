"""From insight to action: the prefilled form, its evidence (built again at POST time, within
the thresholds), the action on the board with it; another tenant's ids and unknown themes."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service.actions.models import Action
from service.extensions import db
from service.tenancy import tenant_scope
from tests.conftest import csrf_token, login
from tests.factories import make_world
from tests.insights.rows import add_feedback

NEW = "/t/tenant-a/insights/new-action"
FUTURE = (dt.date.today() + dt.timedelta(days=20)).isoformat()


@pytest.fixture
def setting(dialect_app):
    world = make_world()
    return dialect_app, world


def _client(app, role="hr"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, f"{role}@a.example")
    return client, csrf_token(client, "/t/tenant-a/actions/")


def _last_month() -> dt.date:
    """The last ended month: the month in progress is never shown."""
    return (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _feedback(world, count, raised, texts=True):
    department = world.a.objects["department"]
    add_feedback(
        world.a.tenant.id,
        _last_month(),
        count,
        {"workload": raised},
        texts=texts,
        department_id=department.id,
    )
    return department


def _args(world, department, **values):
    return {
        "theme": "workload",
        "source": "hotspot",
        "dimension": "department",
        "group": str(department.id),
        "period": "3",
        **values,
    }


def _actions(world):
    db.session.expire_all()
    with tenant_scope(world.a.tenant.id):
        return list(db.session.scalars(sa.select(Action).order_by(Action.created_at)))


def test_the_form_comes_prefilled_with_the_evidence_shown(setting):
    app, world = setting
    department = _feedback(world, 12, 7)
    client, _token = _client(app)
    page = client.get(NEW, query_string=_args(world, department))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Act on workload in Sales tenant-a"' in html
    assert 'name="themes" value="workload" checked' in html
    assert f'name="department_ids" value="{department.id}" checked' in html
    assert "The evidence it will keep" in html
    assert "<dt>People it rests on</dt><dd>12</dd>" in html
    assert "<dt>Raised Workload</dt><dd>7</dd>" in html
    assert html.count('class="quote"') == 3  # 12 responses: over the quote threshold (10)


def test_posting_creates_the_action_with_the_evidence_rebuilt_not_posted(setting):
    app, world = setting
    department = _feedback(world, 12, 7)
    client, token = _client(app)
    before = len(_actions(world))
    response = client.post(
        NEW,
        query_string=_args(world, department),
        data={
            "csrf_token": token,
            "title": "Act on workload in Sales",
            "owner_membership_id": str(world.a.objects["membership"].id),
            "due_on": FUTURE,
            "priority": "high",
            "themes": ["workload"],
            "department_ids": [str(department.id)],
            "evidence": '{"respondents": 999, "quotes": ["made up"]}',
        },
    )
    assert response.status_code == 302
    actions = _actions(world)
    assert len(actions) == before + 1
    action = actions[-1]
    assert response.headers["Location"].endswith(f"/actions/{action.id}")
    evidence = action.evidence
    assert evidence["themes"] == ["workload"]
    assert evidence["respondents"] == 12
    assert evidence["counts"] == {"Raised Workload": 7}
    assert evidence["filters"] == {"Department": "Sales tenant-a"}
    assert evidence["source"] == "insights.hotspot"
    assert len(evidence["quotes"]) == 3
    assert "made up" not in evidence["quotes"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Why: the evidence" in page
    assert "<dt>Raised Workload</dt><dd>7</dd>" in page
    board = client.get("/t/tenant-a/actions/").get_data(as_text=True)
    assert "Act on workload in Sales" in board


def test_a_group_under_the_quote_threshold_keeps_counts_but_no_words(setting):
    app, world = setting
    department = _feedback(world, 6, 4)
    client, _token = _client(app)
    html = client.get(NEW, query_string=_args(world, department)).get_data(as_text=True)
    assert "<dt>People it rests on</dt><dd>6</dd>" in html
    assert 'class="quote"' not in html


def test_hidden_figures_never_reach_the_evidence(setting):
    app, world = setting
    department = _feedback(world, 4, 4)
    client, token = _client(app)
    html = client.get(NEW, query_string=_args(world, department)).get_data(as_text=True)
    assert "Not enough responses to show" in html
    assert "<dt>People it rests on</dt>" not in html
    assert 'class="quote"' not in html
    response = client.post(
        NEW,
        query_string=_args(world, department),
        data={
            "csrf_token": token,
            "title": "Act on workload",
            "owner_membership_id": str(world.a.objects["membership"].id),
            "due_on": FUTURE,
        },
    )
    assert response.status_code == 302
    evidence = _actions(world)[-1].evidence
    assert evidence["respondents"] == 0
    assert evidence["counts"] == {}
    assert evidence["quotes"] == []


def test_an_invalid_form_shows_again_with_the_evidence_and_creates_nothing(setting):
    app, world = setting
    department = _feedback(world, 12, 7)
    client, token = _client(app)
    before = len(_actions(world))
    response = client.post(
        NEW, query_string=_args(world, department), data={"csrf_token": token, "title": ""}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give the action a title." in html
    assert "<dt>Raised Workload</dt><dd>7</dd>" in html
    assert len(_actions(world)) == before


@pytest.mark.parametrize(
    "change",
    [
        {"theme": "not_a_theme"},
        {"source": "elsewhere"},
        {"dimension": "owner_id"},
        {"group": "not-an-id"},
    ],
)
def test_unknown_theme_source_or_group_is_404(setting, change):
    app, world = setting
    department = _feedback(world, 12, 7)
    client, token = _client(app)
    args = _args(world, department, **change)
    assert client.get(NEW, query_string=args).status_code == 404
    assert client.post(NEW, query_string=args, data={"csrf_token": token}).status_code == 404


def test_another_tenants_department_is_404(setting):
    app, world = setting
    _feedback(world, 12, 7)
    client, token = _client(app)
    args = _args(world, world.b.objects["department"])
    assert client.get(NEW, query_string=args).status_code == 404
    response = client.post(
        NEW,
        query_string=args,
        data={
            "csrf_token": token,
            "title": "Act",
            "owner_membership_id": str(world.a.objects["membership"].id),
            "due_on": FUTURE,
        },
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("hr_admin", 200), ("hr", 200), ("leadership", 403), ("interviewer", 403), ("member", 403)],
)
def test_only_hr_starts_an_action_from_an_insight(setting, role, status):
    app, world = setting
    department = _feedback(world, 12, 7)
    client, _token = _client(app, role)
    assert client.get(NEW, query_string=_args(world, department)).status_code == status
