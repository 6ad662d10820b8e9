"""GET /healthz reports the database and the queue."""

from tests.conftest import REDIS_URL, make_test_app


def test_healthy_with_database_and_embedded_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "queue": "embedded"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthy_with_redis(app):
    app.config["REDIS_URL"] = REDIS_URL
    response = app.test_client().get("/healthz")
    assert response.json == {"status": "ok", "database": "ok", "queue": "ok"}


def test_queue_down_is_degraded_not_fatal(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "degraded", "database": "ok", "queue": "down"}


def test_database_down_is_503():
    app = make_test_app("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", REDIS_URL=None)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "down"
    assert response.json["database"] == "down"
