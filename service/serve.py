"""`flask --app wsgi serve`: what `make run` runs — migrate, seed the demo, serve.

With REDIS_URL set it also runs one worker and the scheduler, and stops them with itself.
"""

import os

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from service.demo import DEFAULT_PASSWORD, demo_logins
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
    logins = demo_logins()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    where = f"SQLite {uri.removeprefix('sqlite:///')}" if app.config["EMBEDDED"] else "PostgreSQL"
    queue = "Redis" if app.config["REDIS_URL"] else "in-process jobs"
    click.echo(f"\nExitloop on http://{host}:{port}/  ({where}, {queue})")
    if logins:
        click.echo(f"Demo logins (password for all: {DEFAULT_PASSWORD}):")
        for email in logins:
            click.echo(f"  {email}")
    click.echo("")
    if app.config["REDIS_URL"]:
        with companions():  # one worker and the scheduler, stopped with the web process
            run_simple(host, port, app, threaded=True)
    else:
        stop_ticker = start_ticker(app)  # in-process retries and periodic jobs
        try:
            run_simple(host, port, app, threaded=True)
        finally:
            stop_ticker.set()
