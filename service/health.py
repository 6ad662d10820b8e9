"""GET /healthz: 200 while the database answers (a queue outage is "degraded"), else 503."""

import logging

import redis
import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from service.extensions import db

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


def _database_state() -> str:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception:
        log.warning("health: database unreachable", exc_info=True)
        db.session.rollback()
        return "down"
    return "ok"


def _queue_state() -> str:
    url = current_app.config["REDIS_URL"]
    if not url:
        return "embedded"
    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
    except redis.RedisError:
        log.warning("health: queue unreachable", exc_info=True)
        return "down"
    return "ok"


@bp.get("/healthz")
def healthz():
    database, queue = _database_state(), _queue_state()
    if database != "ok":
        status, code = "down", 503
    elif queue == "down":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    response = jsonify(status=status, database=database, queue=queue)
    response.status_code = code
    response.headers["Cache-Control"] = "no-store"
    return response
