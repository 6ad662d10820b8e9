"""Translated labels for stored codes (roles, sectors, statuses)."""

from flask_babel import lazy_gettext as _l

from service.roles import ALL_ROLES, PLATFORM_ADMIN, AgencyRole, TenantRole

ROLES = {
    TenantRole.HR_ADMIN: _l("HR administrator"),
    TenantRole.HR: _l("HR"),
    TenantRole.INTERVIEWER: _l("Interviewer"),
    TenantRole.LEADERSHIP: _l("Leadership"),
    TenantRole.MEMBER: _l("Member"),
    AgencyRole.AGENCY_ADMIN: _l("Agency administrator"),
    AgencyRole.CONSULTANT: _l("Consultant"),
    PLATFORM_ADMIN: _l("Platform administrator"),
}
# A role added to service/roles.py without a label fails at import, not on a page.
assert set(ROLES) == ALL_ROLES, f"labels.ROLES lacks {ALL_ROLES - set(ROLES)}"

SECTORS = {
    "marketing_sales": _l("Marketing & Sales"),
    "retail": _l("Retail"),
    "horeca": _l("Hospitality (horeca)"),
    "it": _l("IT"),
    "hr": _l("HR"),
    "other": _l("Other"),
}

STATUSES = {"active": _l("Active"), "suspended": _l("Suspended")}


def _label(table: dict):
    def label(code) -> str:
        code = getattr(code, "value", code)
        return str(table.get(code, code))

    return label


TEMPLATE_GLOBALS = {
    "role_label": _label(ROLES),
    "sector_label": _label(SECTORS),
    "status_label": _label(STATUSES),
}
