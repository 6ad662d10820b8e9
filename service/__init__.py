"""Exitloop: the application factory."""

import logging

import sqlalchemy as sa
from flask import Flask, request
from flask_login import current_user

from service.config import ROOT, Config


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("service").setLevel(app.config["LOG_LEVEL"])

    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from service import errors, i18n
    from service.accounts.models import User
    from service.extensions import babel, csrf, db, htmx, login_manager, migrate
    from service.scopes import release_tenant

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    @login_manager.user_loader
    def load_user(user_id: str):
        import uuid

        try:
            return db.session.get(User, uuid.UUID(user_id))
        except ValueError:
            return None

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)

    app.teardown_request(release_tenant)
    errors.init_app(app)

    @app.after_request
    def _confidential(response):
        # Authenticated pages show confidential HR data: never cached, never stored.
        if current_user and current_user.is_authenticated and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _template_globals():
        from service.i18n import LANGUAGE_NAMES, select_language
        from service.labels import TEMPLATE_GLOBALS
        from service.permissions import can

        return {
            **TEMPLATE_GLOBALS,
            "can": can,
            "current_language": select_language(),
            "language_names": LANGUAGE_NAMES,
        }


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _register_blueprints(app: Flask) -> None:
    from service.accounts.views import bp as accounts
    from service.agencies.views import bp as agencies
    from service.health import bp as health
    from service.platform.views import bp as platform
    from service.tenants.views import bp as tenants

    for blueprint in (health, accounts, tenants, agencies, platform):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from service.demo import seed_demo_command
    from service.serve import serve_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(serve_command)
