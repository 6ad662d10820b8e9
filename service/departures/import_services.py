"""The import's steps that write: each one transaction (the views parse and authorise)."""

import datetime as dt

import sqlalchemy as sa

from service.departures import imports
from service.departures.import_models import FILENAME_MAX, DepartureImport, ImportStatus
from service.departures.tasks import run_departure_import
from service.extensions import db
from service.jobs.queue import enqueue_after_commit
from service.model_types import utcnow
from service.tenancy import current_tenant_id, of_current_tenant

DRAFT_KEPT = dt.timedelta(days=1)


def start_import(filename: str, content: bytes, create_structure: bool) -> DepartureImport:
    """Keep a readable upload as a draft import, dropping drafts left over a day."""
    db.session.execute(
        sa.update(DepartureImport)
        .where(
            of_current_tenant(DepartureImport),
            DepartureImport.status == ImportStatus.DRAFT,
            DepartureImport.created_at < utcnow() - DRAFT_KEPT,
        )
        .values(status=ImportStatus.ABANDONED, content=None, finished_at=utcnow())
    )
    draft = DepartureImport(
        filename=filename[:FILENAME_MAX],
        fingerprint=imports.fingerprint(content),
        content=content,
        create_structure=create_structure,
    )
    db.session.add(draft)
    db.session.commit()
    return draft


def map_columns(record: DepartureImport, mapping: dict[str, int], remember: bool) -> None:
    """The columns as the person mapped them; ``remember`` makes them the next file's guess."""
    record.mapping = mapping
    if remember:
        imports.remember_mapping(imports.read_table(record.content).header, mapping)
    db.session.commit()


def confirm_import(record: DepartureImport, result: imports.Preview, language: str) -> None:
    """Hand a checked draft to the background job; its summary speaks ``language``."""
    imports.remember_mapping(imports.read_table(record.content).header, result.mapping)
    record.mapping = result.mapping
    record.rows_total = result.rows_total
    record.status = ImportStatus.PENDING
    enqueue_after_commit(run_departure_import, str(record.id), str(current_tenant_id()), language)
    db.session.commit()


def abandon_import(record: DepartureImport) -> None:
    record.status = ImportStatus.ABANDONED
    record.content = None
    record.finished_at = utcnow()
    db.session.commit()
