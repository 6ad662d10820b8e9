"""The action services: every rule refuses with a message and writes nothing."""

import datetime as dt

import pytest
import sqlalchemy as sa

from service.actions.evidence import Evidence, InvalidEvidence
from service.actions.models import TITLE_MAX, Action, ActionEvent, ActionStatus, EventKind
from service.actions.services import (
    StaleAction,
    action_or_404,
    add_progress,
    create_action,
    edit_action,
    history,
    move_action,
    reopen_action,
)
from service.extensions import db
from service.model_types import utcnow
from service.refusals import Refused
from service.tenancy import tenant_scope
from tests.factories import add_membership, make_user


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _new(world, **values):
    side = world.a
    fields = {
        "title": "Rewrite the onboarding booklet",
        "description": "New starters said they were left alone in week one.",
        "owner_membership_id": side.objects["membership"].id,
        "due_on": dt.date.today() + dt.timedelta(days=14),
        "priority": "high",
        "themes": ["training", "management"],
        "department_ids": [side.objects["department"].id],
        "job_function_ids": [side.objects["job_function"].id],
        "actor": side.users["hr"],
        **values,
    }
    return create_action(**fields)


def test_create_keeps_links_evidence_and_a_created_event(world):
    evidence = Evidence(
        themes=("training",),
        filters={"Department": "Sales"},
        period_from=dt.date(2026, 1, 1),
        period_to=dt.date(2026, 6, 30),
        respondents=12,
        counts={"mentioned training": 7},
        quotes=("Nobody showed me the till.",),
        source="insights",
    )
    with tenant_scope(world.a.tenant.id):
        action = _new(world, evidence=evidence)
        action = action_or_404(action.id)
        assert action.themes == ["management", "training"]
        assert action.department_ids == [world.a.objects["department"].id]
        assert action.status == ActionStatus.OPEN
        assert action.revision == 1
        assert Evidence.from_json(action.evidence) == evidence
        assert [event.kind for event in history(action)] == [EventKind.CREATED]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"due_on": dt.date.today() - dt.timedelta(days=2)}, "due_on"),
        ({"title": "x" * (TITLE_MAX + 1)}, "title"),
        ({"title": "   "}, "title"),
        ({"themes": ["weather"]}, "themes"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(world, values, field):
    with tenant_scope(world.a.tenant.id):
        before = _count(Action), _count(ActionEvent)
        with pytest.raises(Refused) as refused:
            _new(world, **values)
        assert field in refused.value.errors
        db.session.rollback()
        assert (_count(Action), _count(ActionEvent)) == before


def test_owner_of_another_tenant_or_inactive_is_refused(world):
    other = world.b.objects["membership"]
    with tenant_scope(world.a.tenant.id):
        with pytest.raises(Refused) as refused:
            _new(world, owner_membership_id=other.id)
        assert "owner_membership_id" in refused.value.errors
    gone = add_membership(world.a.tenant, make_user("gone@a.example"), "member")
    with tenant_scope(world.a.tenant.id):
        db.session.get(type(gone), (gone.tenant_id, gone.id)).deactivated_at = utcnow()
        db.session.commit()
        with pytest.raises(Refused) as refused:
            _new(world, owner_membership_id=gone.id)
        assert "owner_membership_id" in refused.value.errors


def test_quotes_below_the_threshold_are_refused(world):
    few = Evidence(themes=("pay",), respondents=2, quotes=("Too little.",))
    with pytest.raises(InvalidEvidence):
        few.check(5)
    with tenant_scope(world.a.tenant.id):
        with pytest.raises(Refused) as refused:
            _new(world, evidence=Evidence(respondents=2, quotes=("Too little.",)))
        assert "form" in refused.value.errors


def test_edit_records_what_changed_and_a_stale_revision_overwrites_nothing(world):
    with tenant_scope(world.a.tenant.id):
        action = _new(world)
        assert edit_action(action, 1, actor=None, title="Rewrite the booklet", themes=["training"])
        action = action_or_404(action.id)
        assert action.revision == 2
        assert action.themes == ["training"]
        event = history(action)[-1]
        assert event.kind == EventKind.EDITED
        assert event.changes["title"] == ["Rewrite the onboarding booklet", "Rewrite the booklet"]
        assert event.changes["themes"] == [["management", "training"], ["training"]]
        assert not edit_action(action, 2, actor=None, title="Rewrite the booklet")
        with pytest.raises(StaleAction) as stale:
            edit_action(action, 1, actor=None, title="Someone else's title")
        assert stale.value.action.title == "Rewrite the booklet"
        assert action_or_404(action.id).title == "Rewrite the booklet"


def test_done_needs_an_outcome_and_reopening_is_kept(world):
    with tenant_scope(world.a.tenant.id):
        action = _new(world)
        assert move_action(action, 1, ActionStatus.IN_PROGRESS, actor=None)
        add_progress(action, "Draft written", 60, actor=None)
        assert action.progress_percent == 60
        with pytest.raises(Refused) as refused:
            move_action(action, action.revision, ActionStatus.DONE, actor=None)
        assert "outcome" in refused.value.errors
        assert move_action(
            action, action.revision, "done", actor=None, outcome="Booklet in use since May."
        )
        with pytest.raises(Refused):
            add_progress(action, "More", None, actor=None)
        assert reopen_action(action, action.revision, actor=None)
        kinds = [event.kind for event in history(action)]
        assert kinds == [
            EventKind.CREATED,
            EventKind.MOVED,
            EventKind.PROGRESS,
            EventKind.DONE,
            EventKind.REOPENED,
        ]
        assert action_or_404(action.id).status == ActionStatus.OPEN


def test_a_concurrent_save_loses_whole(world, app):
    """Two requests read revision 1; the second to commit is stale at the database."""
    with tenant_scope(world.a.tenant.id):
        action = _new(world)
        action_id = action.id
        with db.engine.begin() as other_request:
            other_request.execute(
                sa.update(Action.__table__)
                .where(Action.__table__.c.id == action_id)
                .values(revision=2, title="Changed elsewhere")
            )
        with pytest.raises(StaleAction) as stale:
            move_action(action, 1, ActionStatus.BLOCKED, actor=None)
        assert stale.value.action.title == "Changed elsewhere"
        assert action_or_404(action_id).status == ActionStatus.OPEN
