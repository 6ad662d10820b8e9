"""The tenant's archive: one JSON Lines file per tenant-owned table, one of the member
accounts, and a manifest naming each file with its table, rows and SHA-256.

The tables come from the metadata (every table not in tenancy.GLOBAL_TABLES), so a table
added later is exported, and deleted (service/tenant_data/deletion.py), without anyone
having to remember it. The rows are read with the tenant named in each statement, as the
platform's explicit path round the ORM safety net (``unscoped``).
"""

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from service.accounts.models import User
from service.extensions import db
from service.model_types import utcnow
from service.tenancy import GLOBAL_TABLES, unscoped
from service.tenants.models import Membership, Tenant

FORMAT = "exitloop-tenant-export"
FORMAT_VERSION = 1
# The archive does not hold earlier archives: an export row is listed without its ZIP.
OMITTED_COLUMNS = {"tenant_exports": ("archive",)}
MEMBERS_FILE = "users.jsonl"
READ_BATCH = 1000


class ArchiveTooLarge(Exception):
    """The archive grew past TENANT_EXPORT_MAX_BYTES."""


@dataclass(frozen=True)
class Archive:
    content: bytes
    sha256: str
    rows: int


def tenant_tables() -> list[sa.Table]:
    """Every tenant-owned table, parents before children."""
    return [table for table in db.metadata.sorted_tables if table.name not in GLOBAL_TABLES]


def file_count() -> int:
    """Files with rows in an archive: one per tenant table, and the member accounts."""
    return len(tenant_tables()) + 1


def _json_value(value):
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _line(row: dict) -> bytes:
    return (json.dumps(row, default=_json_value, ensure_ascii=False) + "\n").encode()


def _write_file(archive: zipfile.ZipFile, name: str, rows: Iterable[dict]) -> tuple[int, str]:
    """One JSON Lines file; its rows and SHA-256 as written."""
    digest, count = hashlib.sha256(), 0
    with archive.open(name, "w", force_zip64=True) as file:
        for row in rows:
            line = _line(row)
            digest.update(line)
            file.write(line)
            count += 1
    return count, digest.hexdigest()


def _table_rows(table: sa.Table, tenant_id: uuid.UUID) -> Iterable[dict]:
    columns = [c for c in table.columns if c.name not in OMITTED_COLUMNS.get(table.name, ())]
    query = (
        sa.select(*columns)
        .where(table.c.tenant_id == tenant_id)
        .order_by(*table.primary_key.columns)
        .execution_options(yield_per=READ_BATCH)
    )
    with unscoped("a company's export: a Core table, its tenant in the statement"):
        for row in db.session.execute(query):
            yield dict(row._mapping)


def _member_accounts(tenant_id: uuid.UUID) -> Iterable[dict]:
    """The accounts with a membership (active or not): what the tenant knows of them."""
    members = sa.select(Membership.user_id).where(Membership.tenant_id == tenant_id)
    query = (
        sa.select(User.id, User.display_name, User.email)
        .where(User.id.in_(members))
        .order_by(User.id)
    )
    with unscoped("a company's export: the accounts of its members"):
        for row in db.session.execute(query):
            yield dict(row._mapping)


def _schema_revision() -> str:
    return ",".join(db.session.scalars(sa.text("SELECT version_num FROM alembic_version")))


def _binary_columns(table: sa.Table) -> list[str]:
    return [
        column.name
        for column in table.columns
        if isinstance(column.type, sa.LargeBinary)
        and column.name not in OMITTED_COLUMNS.get(table.name, ())
    ]


def build(tenant_id: uuid.UUID, max_bytes: int, on_file: Callable[[int], None] | None = None):
    """The whole archive of one tenant, as it stands in the caller's transaction (a snapshot
    on PostgreSQL: see tasks.py). ``on_file(n)``: after the n-th file, for progress."""
    tenant = db.session.get(Tenant, tenant_id)
    buffer = io.BytesIO()
    files, total = [], 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        sources = [
            (f"{table.name}.jsonl", table.name, _table_rows(table, tenant_id), table)
            for table in tenant_tables()
        ]
        sources.append((MEMBERS_FILE, "users", _member_accounts(tenant_id), None))
        for number, (name, table_name, rows, table) in enumerate(sources, start=1):
            count, sha256 = _write_file(archive, name, rows)
            total += count
            entry = {"name": name, "table": table_name, "rows": count, "sha256": sha256}
            if table is not None:
                entry["binary_columns"] = _binary_columns(table)
                entry["omitted_columns"] = list(OMITTED_COLUMNS.get(table.name, ()))
            else:
                entry["note"] = "the member accounts: id, name and email only"
            files.append(entry)
            if buffer.tell() > max_bytes:
                raise ArchiveTooLarge
            if on_file is not None:
                on_file(number)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "tenant": {"id": str(tenant.id), "name": tenant.name, "slug": tenant.slug},
            "created_at": utcnow().isoformat(),
            "schema_revision": _schema_revision(),
            "encoding": (
                "JSON Lines (UTF-8): one object per row, keyed by column name; moments in"
                " ISO 8601 with their offset, ids as text, binary columns in base64"
            ),
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    content = buffer.getvalue()
    if len(content) > max_bytes:
        raise ArchiveTooLarge
    return Archive(content, hashlib.sha256(content).hexdigest(), total)
