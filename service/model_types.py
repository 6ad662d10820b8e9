"""Column building blocks shared by every domain's models."""

import datetime as dt
import enum
import uuid

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from uuid6 import uuid7


def new_id() -> uuid.UUID:
    """Time-ordered UUIDv7: unique without a sequence, and index-friendly."""
    return uuid.UUID(bytes=uuid7().bytes)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored moment, aware: SQLite hands datetimes back naive, and every stored one is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def text_enum(cls: type[enum.StrEnum], name: str) -> sa.Enum:
    """Stored as text with a CHECK constraint: portable, and readable in SQL."""
    return sa.Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


def created_at_column() -> Mapped[dt.datetime]:
    return mapped_column(sa.DateTime(timezone=True), default=utcnow)


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id, sort_order=-9)
