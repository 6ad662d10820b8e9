"""Demo data: the seed-demo command, and when `make run` seeds."""

import json

import sqlalchemy as sa

from service.accounts.models import User
from service.demo import demo_logins
from service.extensions import db
from service.tenants.models import Tenant
from tests.conftest import login


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_json_is_one_object_and_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--password", "pw-123", "--json"])
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert {t["slug"] for t in result["tenants"]} == {"het-anker", "maison-lumiere", "codeway"}
    assert {t["sector"] for t in result["tenants"]} == {"horeca", "retail", "it"}
    assert any(set(t["languages"]) == {"nl", "fr"} for t in result["tenants"])
    roles = {r["role"] for user in result["users"] for r in user["roles"]}
    assert roles == {
        "platform_admin", "agency_admin", "consultant",
        "hr_admin", "hr", "interviewer", "leadership", "member",
    }  # fmt: skip
    users, tenants = count(User), count(Tenant)
    second = runner.invoke(args=["seed-demo", "--password", "pw-123", "--json"])
    assert json.loads(second.output) == result
    assert (count(User), count(Tenant)) == (users, tenants)
    client = app.test_client()
    login(client, "hr.admin@het-anker.example", "pw-123")
    assert client.get("/t/het-anker/").status_code == 200


def test_seed_demo_text_lists_the_logins(app):
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    assert "exitloop-demo" in output
    assert "hr.admin@het-anker.example" in output


def test_real_servers_are_never_seeded_unless_asked(app):
    app.config["DEMO"] = False
    assert demo_logins() == []
    assert count(User) == 0


def test_demo_on_seeds_an_empty_database_once(app):
    app.config["DEMO"] = True
    try:
        first = demo_logins()
        assert "admin@exitloop.example" in first
        users = count(User)
        assert sorted(demo_logins()) == sorted(first)
        assert count(User) == users
    finally:
        app.config["DEMO"] = False
