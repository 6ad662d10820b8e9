"""Translated names of the report cadences, for the tenant's and the agency's pages."""

from flask_babel import lazy_gettext as _l

from service.reports.models import Cadence

CADENCES = {
    Cadence.WEEKLY: _l("Weekly"),
    Cadence.MONTHLY: _l("Monthly"),
    Cadence.QUARTERLY: _l("Quarterly"),
}
