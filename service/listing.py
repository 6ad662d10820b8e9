"""Paginated, searchable lists: the query string, the filter and the page."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from werkzeug.datastructures import MultiDict

from service.extensions import db

PER_PAGE = 25
SEARCH_MAX_LENGTH = 100
# Far beyond any list of ours, and it keeps OFFSET well inside PostgreSQL's bigint.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class ListRequest:
    term: str
    page: int


def list_request(args: MultiDict) -> ListRequest:
    """``q`` and ``page`` from the query string; a longer search is cut, a bad page is 1."""
    term = (args.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    return ListRequest(term, page_number(args))


def page_number(args: MultiDict) -> int:
    """The ``page`` asked for, from 1 to MAX_PAGE; anything else (negative, text) is 1."""
    page = args.get("page", 1, type=int)
    return min(page, MAX_PAGE) if page and page > 0 else 1


def contains(column, term: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring match; % and _ in the term are taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def paginate(query: sa.Select, page: int, per_page: int = PER_PAGE) -> Pagination:
    """One page of ``query``; a page past the end is the last page (a second query)."""
    page = min(max(page, 1), MAX_PAGE)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    if page > 1 and not pagination.items and pagination.pages:
        pagination = db.paginate(
            query, page=pagination.pages, per_page=per_page, error_out=False, count=True
        )
    return pagination
