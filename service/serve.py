"""`flask --app wsgi serve`: what `make run` runs — migrate, seed the demo, serve.

With REDIS_URL set it also runs one worker and the scheduler, and stops them with itself.
"""

import logging
import os

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from service.demo import DEFAULT_PASSWORD, Login, demo_logins, login_table
from service.jobs.embedded import start_ticker
from service.jobs.processes import companions


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")), show_default="5000"
)
@with_appcontext
def serve_command(host: str, port: int) -> None:
    """Apply migrations, seed demo data where wanted, and serve the app."""
    app = current_app._get_current_object()
    upgrade()
    for line in startup_lines(app.config, host, port, demo_logins()):
        click.echo(line)
    # Werkzeug's banner repeats the address above and warns about a development server
    # (which `make run` is); its access log drowns the logins. Its errors still show.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if app.config["REDIS_URL"]:
        with companions():  # one worker and the scheduler, stopped with the web process
            run_simple(host, port, app, threaded=True)
    else:
        stop_ticker = start_ticker(app)  # in-process retries and periodic jobs
        try:
            run_simple(host, port, app, threaded=True)
        finally:
            stop_ticker.set()


def startup_lines(config, host: str, port: int, logins: list[Login]) -> list[str]:
    """What `make run` prints: where Exitloop answers, on what, and the demo logins."""
    database = (
        "PostgreSQL" if config["SQLALCHEMY_DATABASE_URI"].startswith("postgres") else "SQLite"
    )
    if config["EMBEDDED"]:
        database = f"embedded: {database}"
    jobs = "jobs on Redis: a worker and the scheduler" if config["REDIS_URL"] else "jobs in-process"
    return [
        f"Exitloop on http://{host}:{port}/  ({database}, {jobs})",
        *login_table(logins, DEFAULT_PASSWORD),
    ]
