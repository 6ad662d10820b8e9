"""Translated labels of a departure's codes (exit type, channel, status, tenure band)."""

from flask_babel import lazy_gettext as _l

from service.departures.models import Channel, DepartureStatus, ExitType, TenureBand

EXIT_TYPES = {
    ExitType.VOLUNTARY: _l("Voluntary"),
    ExitType.INVOLUNTARY: _l("Involuntary"),
    ExitType.END_OF_CONTRACT: _l("End of contract"),
    ExitType.RETIREMENT: _l("Retirement"),
}
CHANNELS = {
    Channel.SURVEY: _l("Online survey"),
    Channel.INTERVIEW: _l("Interview"),
    Channel.BOTH: _l("Survey and interview"),
}
STATUSES = {
    DepartureStatus.NEW: _l("New"),
    DepartureStatus.INVITED: _l("Invited"),
    DepartureStatus.INTERVIEW_PLANNED: _l("Interview planned"),
    DepartureStatus.ANSWERED: _l("Answered"),
    DepartureStatus.CLOSED: _l("Closed"),
    DepartureStatus.CANCELLED: _l("Cancelled"),
}
TENURE_BANDS = {
    TenureBand.UNDER_1: _l("Less than 1 year"),
    TenureBand.FROM_1_TO_2: _l("1 to 2 years"),
    TenureBand.FROM_2_TO_5: _l("2 to 5 years"),
    TenureBand.FROM_5_TO_10: _l("5 to 10 years"),
    TenureBand.OVER_10: _l("10 years or more"),
}
assert set(EXIT_TYPES) == set(ExitType)
assert set(CHANNELS) == set(Channel)
assert set(STATUSES) == set(DepartureStatus)
assert set(TENURE_BANDS) == set(TenureBand)

LABELS = {
    "exit_types": EXIT_TYPES,
    "channels": CHANNELS,
    "statuses": STATUSES,
    "tenure_bands": TENURE_BANDS,
}
