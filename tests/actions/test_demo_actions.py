"""The demo boards tell each client's story: every state, overdue ones, done ones with an
outcome and a public summary, owners among the company's people, months of history."""

import datetime as dt

import sqlalchemy as sa

from service.accounts.models import User
from service.actions.models import Action, ActionEvent, ActionStatus, EventKind
from service.extensions import db
from service.tenancy import tenant_scope
from service.tenants.models import Department, Membership, Tenant
from tests.snapshots import demo_data


def board_of(slug: str):
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    with tenant_scope(tenant.id):
        actions = db.session.scalars(sa.select(Action)).all()
        owners = {
            m.id: (m, db.session.get(User, m.user_id))
            for m in db.session.scalars(sa.select(Membership)).all()
        }
        events = db.session.scalars(sa.select(ActionEvent)).all()
        kitchen = db.session.scalar(sa.select(Department.id).where(Department.name == "Keuken"))
        return tenant, actions, owners, events, kitchen


def test_every_demo_board_has_every_state_overdue_and_published_actions(app):
    demo_data("pw")
    today = dt.date.today()
    for slug in ("het-anker", "maison-lumiere", "codeway"):
        _tenant, actions, owners, events, _kitchen = board_of(slug)
        assert {a.status for a in actions} == set(ActionStatus), slug
        assert any(a.is_overdue(today) for a in actions), slug
        assert any(
            a.is_pending and today <= a.due_on <= today + dt.timedelta(days=3) for a in actions
        )
        done = [a for a in actions if a.status == ActionStatus.DONE]
        assert all(a.outcome and a.done_at for a in done), slug
        assert any(a.published and a.public_summary for a in done), slug
        assert not [a for a in actions if a.published and a.status != ActionStatus.DONE]
        for action in actions:
            membership, user = owners[action.owner_membership_id]
            assert membership.deactivated_at is None
            assert not membership.assigned_by_agency
            assert user.active, user.email
        # The plain member login has something under "My actions".
        member = next(m for m, u in owners.values() if u.email.startswith("member@"))
        assert any(a.owner_membership_id == member.id for a in actions), slug
        # History over past months, each action starting with its creation.
        assert min(e.at for e in events).date() < today - dt.timedelta(days=90), slug
        for action in actions:
            kinds = [e.kind for e in sorted(events, key=lambda e: e.at) if e.action_id == action.id]
            assert kinds[0] == EventKind.CREATED, action.title
            if action.status == ActionStatus.DONE:
                assert EventKind.DONE in kinds, action.title


def test_het_anker_answers_its_kitchens_summer_workload(app):
    demo_data("pw")
    tenant, actions, owners, _events, kitchen = board_of("het-anker")
    roster = next(a for a in actions if "rooster" in a.title.lower())
    assert roster.status == ActionStatus.IN_PROGRESS
    with tenant_scope(tenant.id):
        assert {"workload", "flexibility"} <= set(db.session.merge(roster).themes)
        assert kitchen in db.session.merge(roster).department_ids
    assert roster.evidence["filters"]["Afdeling"] == "Keuken"
    assert roster.evidence["respondents"] >= 5  # quotes only above the threshold
    assert roster.evidence["quotes"]
    names = {owners[a.owner_membership_id][1].display_name for a in actions}
    assert {"Pieter Janssens", "Hanne Claes", "Bram Vermeulen"} <= names


def test_the_demo_you_said_we_did_pages_read_in_the_companys_language(app):
    demo_data("pw")
    client = app.test_client()
    page = client.get("/p/het-anker/you-said-we-did").get_data(as_text=True)
    assert "Brasserie Het Anker" in page
    assert "pluimenbord" in page
    assert "Jullie zeiden, wij deden" in page  # the company's one language, Dutch
    french = client.get(
        "/p/maison-lumiere/you-said-we-did", headers={"Accept-Language": "fr-BE,fr;q=0.9"}
    ).get_data(as_text=True)
    assert "Vous l'avez dit, nous l'avons fait" in french.replace("&#39;", "'")
    assert "enseignes voisines" not in french  # the summary, never the description
    assert "relevés de 4" not in french  # nor the outcome
