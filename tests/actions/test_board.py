"""The board through the app: who sees and moves what, the forms, bad input."""

import contextlib
import datetime as dt
import re

import pytest
import sqlalchemy as sa

from service.actions.models import Action, ActionEvent, ActionStatus
from service.extensions import db
from service.model_types import utcnow
from service.tenancy import tenant_scope
from service.tenants.models import Membership
from tests.conftest import csrf_token, login
from tests.factories import add_membership, make_action, make_user

BOARD = "/t/tenant-a/actions/"
FUTURE = (dt.date.today() + dt.timedelta(days=20)).isoformat()


def _membership(world, role):
    with tenant_scope(world.a.tenant.id):
        return db.session.scalar(
            sa.select(Membership).where(Membership.user_id == world.a.users[role].id)
        )


def _action(world, owner_role="member", **values):
    return make_action(world.a.tenant, _membership(world, owner_role), **values)


def _state(world, action_id) -> Action:
    db.session.expire_all()
    with tenant_scope(world.a.tenant.id):
        return db.session.get(Action, (world.a.tenant.id, action_id))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _client(app, role):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"  # the messages asserted are English
    login(client, f"{role}@a.example")
    return client, csrf_token(client, BOARD)


def _column_of(html: str, title: str) -> str:
    """The status of the column whose list holds the card titled ``title``."""
    position = html.index(title)
    return re.findall(r'data-status="([a-z_]+)"', html[:position])[-1]


def _create_form(world, token, **values):
    return {
        "csrf_token": token,
        "title": "Buddy for every new starter",
        "description": "Leavers said they were alone in their first weeks.",
        "owner_membership_id": str(world.a.objects["membership"].id),
        "due_on": FUTURE,
        "priority": "high",
        "themes": ["training", "team"],
        "department_ids": [str(world.a.objects["department"].id)],
        **values,
    }


# --- who sees what ---------------------------------------------------------------------------


def test_hr_sees_every_action_in_its_column_with_owner_due_date_and_themes(app, world):
    _action(world, "hr", title="Rewrite the vacancy text", themes=["role_fit"])
    client, _token = _client(app, "hr")
    html = client.get(BOARD).get_data(as_text=True)
    assert _column_of(html, "Review the shift roster") == "open"
    assert "Rewrite the vacancy text" in html
    assert "member@a.example" in html
    assert "Role fit" in html
    assert "New action" in html


def test_members_see_only_what_they_own_and_leadership_reads_all_without_moving(app, world):
    other = _action(world, "hr", title="Salary benchmark")
    member, _token = _client(app, "member")
    html = member.get(BOARD).get_data(as_text=True)
    assert "Review the shift roster" in html
    assert "Salary benchmark" not in html
    assert member.get(f"{BOARD}{other.id}").status_code == 403
    interviewer, _token = _client(app, "interviewer")
    assert "Review the shift roster" not in interviewer.get(BOARD).get_data(as_text=True)
    leadership, _token = _client(app, "leadership")
    html = leadership.get(BOARD).get_data(as_text=True)
    assert "Salary benchmark" in html
    assert "Review the shift roster" in html
    assert "card-moves" not in html
    assert "data-movable" not in html
    assert "New action" not in html


def test_my_actions_lists_only_mine_and_every_role_finds_it(app, world):
    _action(world, "hr", title="Exit survey in French")
    client, _token = _client(app, "hr")
    html = client.get(f"{BOARD}mine").get_data(as_text=True)
    assert "Exit survey in French" in html
    assert "Review the shift roster" not in html
    for role in ("hr_admin", "hr", "leadership", "interviewer", "member"):
        client, _token = _client(app, role)
        assert 'href="/t/tenant-a/actions/mine"' in client.get("/t/tenant-a/").get_data(
            as_text=True
        )


def test_filters_and_sort_stay_in_the_url(app, world):
    _action(world, "hr", title="Pay scale review", themes=["compensation"])
    late = _action(world, "hr", title="Roster fix", themes=["workload"])
    with tenant_scope(world.a.tenant.id):
        db.session.execute(
            sa.update(Action).where(Action.id == late.id).values(due_on=dt.date(2020, 1, 1))
        )
        db.session.commit()
    client, _token = _client(app, "hr")
    html = client.get(f"{BOARD}?theme=compensation").get_data(as_text=True)
    assert "Pay scale review" in html
    assert "Roster fix" not in html
    html = client.get(f"{BOARD}?overdue=1").get_data(as_text=True)
    assert "Roster fix" in html
    assert "Overdue" in html
    assert "Pay scale review" not in html
    html = client.get(f"{BOARD}?view=table&sort=title&dir=desc").get_data(as_text=True)
    titles = re.findall(r'<td data-label="Action"><a href="[^"]+">([^<]+)</a>', html)
    assert titles == sorted(titles, reverse=True)
    assert 'aria-sort="descending"' in html


# --- creating --------------------------------------------------------------------------------


def test_hr_creates_an_action_with_its_links(app, world):
    client, token = _client(app, "hr")
    response = client.post(f"{BOARD}new", data=_create_form(world, token))
    assert response.status_code == 302
    with tenant_scope(world.a.tenant.id):
        action = db.session.scalar(
            sa.select(Action).where(Action.title == "Buddy for every new starter")
        )
        assert action.themes == ["team", "training"]
        assert action.department_ids == [world.a.objects["department"].id]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "created the action" in page


def test_the_new_action_form_takes_a_prefill(app, world):
    client, _token = _client(app, "hr")
    html = client.get(
        f"{BOARD}new?title=Start+peer+recognition&description=Monthly&themes=recognition"
        "&themes=nonsense"
    ).get_data(as_text=True)
    assert 'value="Start peer recognition"' in html
    assert 'value="recognition" checked' in html
    assert 'value="nonsense"' not in html


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"due_on": "2020-01-01"}, "due_on", "The due date is in the past"),
        ({"title": "x" * 161}, "title", "Keep the title to 160 characters."),
        ({"title": ""}, "title", "Give the action a title."),
        ({"owner_membership_id": "other"}, "owner_membership_id", "Choose an owner"),
        ({"owner_membership_id": "inactive"}, "owner_membership_id", "Choose an owner"),
        ({"themes": ["weather"]}, "themes", "Choose themes from the list."),
    ],
)
def test_bad_input_on_creation_is_refused_and_nothing_is_written(
    app, world, values, field, message
):
    if values.get("owner_membership_id") == "other":
        values["owner_membership_id"] = str(world.b.objects["membership"].id)
    if values.get("owner_membership_id") == "inactive":
        gone = add_membership(world.a.tenant, make_user("gone@a.example"), "member")
        with tenant_scope(world.a.tenant.id):
            db.session.get(Membership, (gone.tenant_id, gone.id)).deactivated_at = utcnow()
            db.session.commit()
        values["owner_membership_id"] = str(gone.id)
    client, token = _client(app, "hr")
    with tenant_scope(world.a.tenant.id):
        before = (_count(Action), _count(ActionEvent))
    response = client.post(f"{BOARD}new", data=_create_form(world, token, **values))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    with tenant_scope(world.a.tenant.id):
        assert (_count(Action), _count(ActionEvent)) == before


# --- moving ----------------------------------------------------------------------------------


def _move(client, token, action, status, revision=None, htmx=True, back=BOARD):
    return client.post(
        f"{BOARD}{action.id}/move",
        data={
            "csrf_token": token,
            "status": status,
            "revision": revision or action.revision,
            "back": back,
            "from": "board",
        },
        headers={"HX-Request": "true"} if htmx else {},
    )


def test_the_owner_moves_their_action_and_the_board_answers(app, world):
    action = world.a.objects["action"]
    client, token = _client(app, "member")
    response = _move(client, token, action, "in_progress")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="board"')
    assert _column_of(html, "Review the shift roster") == "in_progress"
    assert "Moved to In progress." in html
    assert _state(world, action.id).status == ActionStatus.IN_PROGRESS


def test_a_move_without_javascript_goes_back_to_the_board(app, world):
    action = world.a.objects["action"]
    client, token = _client(app, "member")
    response = _move(client, token, action, "blocked", htmx=False, back=f"{BOARD}?theme=workload")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/actions/?theme=workload")
    assert _state(world, action.id).status == ActionStatus.BLOCKED


@pytest.mark.parametrize("role", ["interviewer", "leadership"])
def test_moves_the_role_may_not_make_are_refused(app, world, role):
    action = world.a.objects["action"]  # the member's
    client, token = _client(app, role)
    assert _move(client, token, action, "in_progress").status_code == 403
    assert _state(world, action.id).status == ActionStatus.OPEN


def test_a_member_may_not_move_someone_elses_action(app, world):
    other = _action(world, "hr", title="Salary benchmark")
    client, token = _client(app, "member")
    assert _move(client, token, other, "in_progress").status_code == 403
    assert _state(world, other.id).status == ActionStatus.OPEN


def test_a_stale_move_is_told_and_shows_the_current_state(app, world):
    action = world.a.objects["action"]
    hr, hr_token = _client(app, "hr")
    assert _move(hr, hr_token, action, "blocked").status_code == 200
    member, token = _client(app, "member")
    response = _move(member, token, action, "in_progress", revision=1)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this action in the meantime" in html
    assert _column_of(html, "Review the shift roster") == "blocked"
    assert _state(world, action.id).status == ActionStatus.BLOCKED


def test_done_asks_for_an_outcome(app, world):
    action = world.a.objects["action"]
    client, token = _client(app, "member")
    response = _move(client, token, action, "done")
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith(f"{BOARD}{action.id}/done")
    response = client.post(
        f"{BOARD}{action.id}/done", data={"csrf_token": token, "revision": 1, "outcome": " "}
    )
    assert response.status_code == 422
    assert "Say what came of it" in response.get_data(as_text=True)
    assert _state(world, action.id).status == ActionStatus.OPEN
    response = client.post(
        f"{BOARD}{action.id}/done",
        data={"csrf_token": token, "revision": 1, "outcome": "Roster published weekly."},
    )
    assert response.status_code == 302
    done = _state(world, action.id)
    assert done.status == ActionStatus.DONE
    assert done.outcome == "Roster published weekly."


def test_progress_is_added_to_the_history(app, world):
    action = world.a.objects["action"]
    client, token = _client(app, "member")
    response = client.post(
        f"{BOARD}{action.id}/progress",
        data={"csrf_token": token, "note": "Talked to the chefs", "percent": "40"},
    )
    assert response.status_code == 302
    html = client.get(f"{BOARD}{action.id}").get_data(as_text=True)
    assert "Talked to the chefs" in html
    assert "40%" in html
    response = client.post(
        f"{BOARD}{action.id}/progress", data={"csrf_token": token, "note": "x", "percent": "140"}
    )
    assert response.status_code == 422
    assert _state(world, action.id).progress_percent == 40


# --- editing ---------------------------------------------------------------------------------


def test_a_stale_edit_is_told_and_overwrites_nothing(app, world):
    action = world.a.objects["action"]
    client, token = _client(app, "hr")
    form = _create_form(world, token, title="First save", revision="1")
    assert client.post(f"{BOARD}{action.id}/edit", data=form).status_code == 302
    form = _create_form(world, token, title="Second, stale save", revision="1")
    response = client.post(f"{BOARD}{action.id}/edit", data=form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone else changed this action in the meantime" in html
    assert 'value="First save"' in html
    assert _state(world, action.id).title == "First save"


def test_cancelling_asks_first_and_hr_can_reopen(app, world):
    action = world.a.objects["action"]
    client, token = _client(app, "hr")
    assert "Cancel the action" in client.get(f"{BOARD}{action.id}/cancel").get_data(as_text=True)
    assert _state(world, action.id).status == ActionStatus.OPEN
    client.post(f"{BOARD}{action.id}/cancel", data={"csrf_token": token, "revision": 1})
    assert _state(world, action.id).status == ActionStatus.CANCELLED
    member, member_token = _client(app, "member")
    member.post(f"{BOARD}{action.id}/reopen", data={"csrf_token": member_token, "revision": 2})
    assert _state(world, action.id).status == ActionStatus.CANCELLED
    client.post(f"{BOARD}{action.id}/reopen", data={"csrf_token": token, "revision": 2})
    assert _state(world, action.id).status == ActionStatus.OPEN


# --- another tenant --------------------------------------------------------------------------


def test_an_action_of_another_tenant_is_not_found(app, world):
    foreign = world.b.objects["action"]
    client, token = _client(app, "hr_admin")
    for method, path in (
        ("GET", f"{BOARD}{foreign.id}"),
        ("GET", f"{BOARD}{foreign.id}/edit"),
        ("POST", f"{BOARD}{foreign.id}/move"),
        ("POST", f"{BOARD}{foreign.id}/done"),
        ("POST", f"{BOARD}{foreign.id}/progress"),
    ):
        response = client.open(
            path, method=method, data={"csrf_token": token, "status": "done", "revision": 1}
        )
        assert response.status_code == 404, path
    db.session.expire_all()
    with tenant_scope(world.b.tenant.id):
        assert db.session.get(Action, (world.b.tenant.id, foreign.id)).status == "open"


# --- the cost of a board ---------------------------------------------------------------------


@contextlib.contextmanager
def _statements():
    seen = []

    def count(*_args):
        seen.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_a_board_costs_the_same_statements_for_5_and_50_actions(app, world):
    client, _token = _client(app, "hr")
    owners = [_membership(world, role) for role in ("member", "hr", "interviewer")]
    counts = []
    for total in (5, 50):
        with tenant_scope(world.a.tenant.id):
            have = _count(Action)
        for number in range(have, total):
            make_action(
                world.a.tenant,
                owners[number % 3],
                title=f"Action {number}",
                themes=["workload", "team"],
                department_ids=[world.a.objects["department"].id],
            )
        for view in ("", "?view=table"):
            with _statements() as seen:
                assert client.get(f"{BOARD}{view}").status_code == 200
            counts.append(len(seen))
    assert counts[0] == counts[2]
    assert counts[1] == counts[3]


def test_the_board_speaks_the_companys_language(app, world):
    client = app.test_client()
    login(client, "hr@a.example")  # no language chosen: the company's Dutch
    html = client.get(BOARD).get_data(as_text=True)
    assert "Nieuwe actie" in html
    assert "Alleen te laat" in html
