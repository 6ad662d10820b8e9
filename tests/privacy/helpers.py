"""Finding strings anywhere in the database: every text and JSON column of every table."""

import sqlalchemy as sa

from service.extensions import db
from service.tenancy import unscoped

TEXT_COLUMNS = sa.text(
    "SELECT table_name, column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() "
    "AND data_type IN ('text', 'character varying', 'json', 'jsonb') "
    "ORDER BY table_name, column_name"
)


def places_holding(needles: list[str]) -> list[str]:
    """``table.column: needle`` for every text or JSON column holding one of ``needles``
    (case-insensitive), read from the live schema, so a table added later is searched too."""
    found = []
    with unscoped("a test searches every table for a leaver"):
        columns = list(db.session.execute(TEXT_COLUMNS))
        assert len(columns) > 100  # the walk found the schema, not an empty one
        for table, column in columns:
            for needle in needles:
                hits = db.session.scalar(
                    sa.text(
                        f'SELECT count(*) FROM "{table}" WHERE CAST("{column}" AS text) '
                        "ILIKE :pattern"
                    ),
                    {"pattern": f"%{needle}%"},
                )
                if hits:
                    found.append(f"{table}.{column}: {needle}")
        db.session.commit()
    return found
