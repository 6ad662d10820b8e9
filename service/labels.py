"""Translated labels for stored codes (roles, sectors, statuses)."""

from flask_babel import lazy_gettext as _l

ROLES = {
    "hr_admin": _l("HR administrator"),
    "hr": _l("HR"),
    "interviewer": _l("Interviewer"),
    "leadership": _l("Leadership"),
    "member": _l("Member"),
    "agency_admin": _l("Agency administrator"),
    "consultant": _l("Consultant"),
    "platform_admin": _l("Platform administrator"),
}

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
