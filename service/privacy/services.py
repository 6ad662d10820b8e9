"""The HR admin's changes: the retention periods, and erasing one leaver on request."""

from collections import Counter

from service.audit.trail import record
from service.departures.models import Departure
from service.extensions import db
from service.model_types import utcnow
from service.privacy import identified
from service.privacy.limits import LIMITS
from service.tenants.models import Tenant


def update_retention(tenant: Tenant, data: dict) -> bool:
    """Set the retention periods; False (and no write) when none differs. The change is
    audited with each period's old and new value."""
    changed = {
        limit.column: [getattr(tenant, limit.column), data[limit.column]]
        for limit in LIMITS
        if getattr(tenant, limit.column) != data[limit.column]
    }
    if not changed:
        return False
    for column, (_old, new) in changed.items():
        setattr(tenant, column, new)
    record("retention.change", tenant, changed)
    db.session.commit()
    return True


def erase_departure(departure: Departure) -> Counter | None:
    """Remove every identified trace of this leaver (service/privacy/identified.py); the
    departure stays as an anonymous record. None when it was already anonymised. The
    audit entry names the departure by its id and counts what went, never the person."""
    if departure.anonymised_at is not None:
        return None
    removed = identified.anonymise(departure, utcnow())
    record("departure.erase", departure, dict(sorted(removed.items())))
    db.session.commit()
    return removed
