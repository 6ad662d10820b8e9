"""Every list of roles derives from service/roles.py: a new role reaches the forms, the
labels and the permission matrix without a second edit."""

from service import permissions
from service.accounts.member_views import ROLE_CHOICES
from service.accounts.schemas import RoleSchema, TenantInviteSchema
from service.labels import ROLES
from service.roles import ALL_ROLES, AgencyRole, TenantRole


def test_tenant_role_lists_are_the_enum():
    assert tuple(TenantRole) == ROLE_CHOICES
    assert set(permissions.TENANT_ROLES) == {*TenantRole, AgencyRole.AGENCY_ADMIN}
    assert set(permissions.AGENCY_ROLES) == set(AgencyRole)


def test_every_tenant_role_passes_the_forms_and_nothing_else_does():
    for role in TenantRole:
        assert RoleSchema().validate({"role": role.value}) == {}
    assert "role" in RoleSchema().validate({"role": "agency_admin"})
    invite = {"email": "a@example.com", "display_name": "A", "language": "nl"}
    assert TenantInviteSchema().validate({**invite, "role": "platform_admin"})


def test_every_role_has_a_label():
    assert set(ROLES) == ALL_ROLES
    assert all(role in permissions.MATRIX["tenant.home"] for role in TenantRole)
