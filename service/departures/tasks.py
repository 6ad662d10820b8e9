"""The departure import job: check and insert every row of a confirmed file in one
transaction, its progress written beside it, its file dropped when it ends."""

import logging
import uuid

import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy.orm import Session

from service.departures import imports
from service.departures.import_models import ERROR_MAX, DepartureImport, ImportStatus
from service.extensions import db
from service.jobs.task import RetryPolicy, task
from service.model_types import utcnow
from service.tenancy import current_tenant_id, tenant_scope

log = logging.getLogger(__name__)


def _progress_writer(import_id: uuid.UUID):
    """Progress goes through its own connection and commits at once, so the status page sees
    it while the import's transaction is still open. SQLite has one writer at a time: there
    the embedded runner imports within the confirming request, and the page shows the end."""
    if db.engine.dialect.name != "postgresql":
        return None

    def write(done: int) -> None:
        with Session(db.engine) as side:
            side.execute(
                sa.update(DepartureImport)
                .where(DepartureImport.id == import_id)
                .values(rows_done=done)
            )
            side.commit()

    return write


# No retry: a failed import has dropped its file; the person uploads it again.
@task(retry=RetryPolicy(retries=0, delays=()), timeout=1800)
def run_departure_import(import_id: str, tenant_id: str, language: str = "en") -> None:
    """``language``: the one the refusal message is written in (the confirming person's)."""
    with tenant_scope(tenant_id), force_locale(language):
        _run(uuid.UUID(import_id))


def _run(import_id: uuid.UUID) -> None:
    # Locked until the status says running: a second job for it (a double click, a retry
    # on another worker) waits here, then finds it taken.
    record = db.session.get(DepartureImport, (current_tenant_id(), import_id), with_for_update=True)
    if record is None or record.status != ImportStatus.PENDING or record.content is None:
        return  # already run (a retry, a second worker) or never confirmed
    record.status = ImportStatus.RUNNING
    content, mapping = record.content, {k: int(v) for k, v in record.mapping.items()}
    create_structure = record.create_structure
    db.session.commit()
    try:
        outcome = imports.import_rows(
            content, mapping, create_structure, import_id, _progress_writer(import_id)
        )
    except (imports.ImportRefused, imports.FileRefused) as refused:
        db.session.rollback()
        _end(import_id, ImportStatus.FAILED, error=str(refused))
        return
    except Exception:
        db.session.rollback()
        log.exception("departure import %s failed", import_id)
        _end(import_id, ImportStatus.FAILED, error=str(imports.unexpected_failure()))
        raise
    # The summary commits with the rows: both happen or neither.
    _end(import_id, ImportStatus.DONE, outcome=outcome)


def _end(import_id, status, outcome=None, error=None) -> None:
    record = db.session.get(DepartureImport, (current_tenant_id(), import_id))
    record.status = status
    record.content = None  # the file itself is not kept after the import ends
    record.finished_at = utcnow()
    record.error = error[:ERROR_MAX] if error else None
    if outcome is not None:
        record.rows_done = record.rows_total
        record.created_count = outcome.created
        record.skipped_existing = outcome.skipped_existing
        record.skipped_repeated = outcome.skipped_repeated
    db.session.commit()
