"""One form flow and one input base for every form: text is trimmed before it is checked,
passwords are kept as typed, and no view validates a form its own way."""

import ast
from pathlib import Path

import pytest
import sqlalchemy as sa

from service.accounts.models import TenantInvitation, User
from service.accounts.schemas import LoginSchema, ProfileSchema
from service.extensions import db
from service.tenancy import tenant_scope
from tests.accounts.conftest import post, sign_in

SERVICE = Path(__file__).resolve().parent.parent / "service"


def test_a_name_of_spaces_is_no_name(app, world):
    client = app.test_client()
    sign_in(client, "hr_admin@a.example")
    response = post(
        client, "/profile", {"display_name": "   ", "language": "nl"}, token_from="/profile"
    )
    assert response.status_code == 422
    assert db.session.get(User, world.a.users["hr_admin"].id).display_name != "   "
    invite = post(
        client,
        "/t/tenant-a/members/invite",
        {"email": "x@example.com", "display_name": " \t ", "role": "hr", "language": "nl"},
        token_from="/t/tenant-a/members/",
    )
    assert invite.status_code == 422
    with tenant_scope(world.a.tenant.id):
        assert (
            db.session.scalar(
                sa.select(TenantInvitation).where(TenantInvitation.email == "x@example.com")
            )
            is None
        )


def test_text_is_trimmed_and_passwords_are_not():
    assert (
        ProfileSchema().load({"display_name": "  An  ", "language": "nl"})["display_name"] == "An"
    )
    login = LoginSchema().load({"email": " a@example.com ", "password": "  secret  "})
    assert login["password"] == "  secret  "


def _calls(path: Path, name: str) -> bool:
    tree = ast.parse(path.read_text())
    return any(
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == name
        for node in ast.walk(tree)
    )


@pytest.mark.parametrize(
    "path", sorted(SERVICE.rglob("*views.py")), ids=lambda p: str(p.relative_to(SERVICE))
)
def test_form_views_use_the_one_form_flow(path):
    """validate_and_apply (service/refusals.py) is the form flow; reading filters of a
    list from the query string (the outbox) is no form."""
    if path.name == "views.py" and path.parent.name == "mail":
        return
    assert not _calls(path, "load_or_errors"), f"{path}: use validate_and_apply"
