"""The roles a person can hold: the one list that memberships, forms, labels and the
permission matrix derive theirs from (a ground module: it imports nothing of the domains)."""

import enum


class TenantRole(enum.StrEnum):
    """A membership's role in one client tenant."""

    HR_ADMIN = "hr_admin"
    HR = "hr"
    INTERVIEWER = "interviewer"
    LEADERSHIP = "leadership"
    MEMBER = "member"


class AgencyRole(enum.StrEnum):
    """A role in an agency; its admin also acts as ``agency_admin`` inside its clients."""

    AGENCY_ADMIN = "agency_admin"
    CONSULTANT = "consultant"


PLATFORM_ADMIN = "platform_admin"

# Effective roles per kind of scope, as the resolvers in service/scopes.py set them.
TENANT_SCOPE_ROLES = (*TenantRole, AgencyRole.AGENCY_ADMIN)
AGENCY_SCOPE_ROLES = tuple(AgencyRole)
PLATFORM_SCOPE_ROLES = (PLATFORM_ADMIN,)
ALL_ROLES = frozenset({*TENANT_SCOPE_ROLES, *AGENCY_SCOPE_ROLES, *PLATFORM_SCOPE_ROLES})
