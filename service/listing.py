"""Paginated, searchable lists: the query string, the filter and the page."""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from werkzeug.datastructures import MultiDict

from service.extensions import db

PER_PAGE = 25
SEARCH_MAX_LENGTH = 100


@dataclass(frozen=True)
class ListRequest:
    term: str
    page: int


def list_request(args: MultiDict) -> ListRequest:
    """``q`` and ``page`` from the query string; a longer search is cut, a bad page is 1."""
    term = (args.get("q") or "").strip()[:SEARCH_MAX_LENGTH]
    page = args.get("page", 1, type=int) or 1
    return ListRequest(term, max(page, 1))


def contains(column, term: str) -> sa.ColumnElement[bool]:
    """Case-insensitive substring match; % and _ in the term are taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def paginate(query: sa.Select, page: int) -> Pagination:
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False, count=True)
