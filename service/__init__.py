"""Exitloop: the application factory."""

import logging

import jinja2.runtime
import sqlalchemy as sa
from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from service.config import ROOT, Config

# The factory's functions import the app's modules locally: importing any service.* module
# runs this file first, which must not pull in every view, model and command with it.


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
    _register_macros(app)
    _register_blueprints(app)
    _check_limits_in_views_only(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from service import errors, i18n, input_guard, security_headers
    from service.accounts import sessions
    from service.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate
    from service.jobs import embedded
    from service.permissions import can
    from service.scopes import release_tenant

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    # current_user as the lazy proxy it is: Flask-Login's own processor loads the user for
    # every page rendered, and marks an anonymous visitor's session on the way (its session
    # protection), so the leaver's pages, which never show a user, would pay for both.
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None

    # The cookies name a server-side session, not a user: see service/accounts/sessions.py.
    login_manager.user_loader(sessions.load_user)
    limiter.init_app(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)

    app.teardown_request(release_tenant)
    errors.init_app(app)
    input_guard.init_app(app)
    security_headers.init_app(app)
    embedded.init_app(app)  # in-process jobs while REDIS_URL is unset

    @app.after_request
    def _confidential(response):
        # Authenticated pages show confidential HR data: never cached, never stored. A
        # response that says how it may be cached (an agency's brand) knows it holds none.
        # Asked first, so a page that sets its own (the leaver's) never loads the user.
        if (
            "Cache-Control" not in response.headers
            and request.endpoint != "static"
            and current_user
            and current_user.is_authenticated
        ):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _template_globals():
        return {
            "current_user": current_user,
            "can": can,
            # the language gettext speaks on this page (chosen once per request)
            "current_language": getattr(get_locale(), "language", "en"),
            "language_names": i18n.LANGUAGE_NAMES,
        }


def _check_limits_in_views_only(app: Flask) -> None:
    """Every rate limit here decorates its view, and the decorator checks it as the view is
    called. Flask-Limiter also looks at each request before any view, for application-wide,
    default, blueprint and meta limits: we declare none, so that pass found nothing, on
    every request, for a tenth of a leaver's CPU (bench/leaver_cpu.py). It is dropped here,
    and declaring such a limit fails at start rather than going unchecked."""
    from service.extensions import limiter

    manager = limiter.limit_manager
    undecorated = (
        manager.application_limits
        or manager.default_limits
        or any(manager.blueprint_limits(app, name) for name in app.blueprints)
        or app.config.get("RATELIMIT_META")
    )
    if undecorated:
        raise RuntimeError(
            "rate limits decorate their views: no application, default,"
            " blueprint or meta limits (service/__init__.py)"
        )
    app.before_request_funcs[None].remove(limiter._check_request_limit)


def _register_macros(app: Flask) -> None:
    """The macros of templates/macros.html and the label helpers as Jinja globals: a block
    rendered alone for htmx runs without its template's top-level imports, and a macro sees
    globals only, never the context."""
    from service.labels import TEMPLATE_GLOBALS

    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    module = app.jinja_env.get_template("macros.html").module
    for name in dir(module):
        macro = getattr(module, name)
        if isinstance(macro, jinja2.runtime.Macro):
            app.jinja_env.globals[name] = macro


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    from service.audit import append_only

    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()
    append_only.register_sqlite_function(dbapi_connection)  # the audit trail's purge check


def _register_blueprints(app: Flask) -> None:
    from service.accounts.agency_views import bp as agency_people
    from service.accounts.member_views import bp as members
    from service.accounts.platform_views import bp as platform_people
    from service.accounts.second_factor_views import bp as second_factor
    from service.accounts.views import bp as accounts
    from service.actions import digest_models  # noqa: F401 — reminder digests: no page
    from service.actions.practice_views import bp as practices
    from service.actions.public_views import bp as you_said_we_did
    from service.actions.publish_views import bp as publishing
    from service.actions.views import bp as board
    from service.agencies.brand_views import bp as brand
    from service.agencies.views import bp as agencies
    from service.audit.views import bp as audit
    from service.audit.views import platform as platform_audit
    from service.departures.import_views import bp as departure_imports
    from service.departures.views import bp as departures
    from service.health import bp as health
    from service.insights.action_views import bp as insight_actions
    from service.insights.correction_views import bp as theme_corrections
    from service.insights.export_views import bp as insight_exports
    from service.insights.theme_views import bp as themes
    from service.insights.views import bp as insight_dashboard
    from service.mail.views import bp as outbox
    from service.platform.views import bp as platform
    from service.privacy.views import bp as privacy
    from service.privacy.views import erasure
    from service.reports.pdf_views import bp as report_pdfs
    from service.reports.views import bp as reports
    from service.surveys.interview_views import bp as interviews
    from service.surveys.interview_views import mine as my_interviews
    from service.surveys.invitation_views import bp as survey_invitations
    from service.surveys.leaver_views import bp as leaver
    from service.surveys.library_views import bp as library
    from service.surveys.response_views import bp as responses
    from service.surveys.views import bp as surveys
    from service.tenant_data.views import bp as tenant_data
    from service.tenants import catalogue_views, department_views, import_views  # noqa: F401
    from service.tenants.views import bp as tenants

    blueprints = (health, accounts, tenants, members, agencies, agency_people, platform)
    extra = (platform_people, outbox, brand, surveys, library, departures, departure_imports)
    surveys_ = (survey_invitations, leaver, responses, interviews, my_interviews)
    actions = (board, practices, publishing, you_said_we_did)
    insights = (insight_dashboard, insight_exports, insight_actions, themes, theme_corrections)
    later = (reports, report_pdfs, second_factor, audit, platform_audit, privacy, erasure)
    later = (*later, tenant_data)
    for blueprint in (*blueprints, *extra, *surveys_, *actions, *insights, *later):
        app.register_blueprint(blueprint)


def _register_cli(app: Flask) -> None:
    from service.database_roles import db_roles_command
    from service.demo import seed_demo_command
    from service.insights.cli import themes_group
    from service.jobs.scheduler import scheduler_command
    from service.jobs.worker import jobs_group, worker_command
    from service.mail.cli import mail_group
    from service.serve import serve_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(db_roles_command)
    for command in (worker_command, scheduler_command, jobs_group, mail_group, themes_group):
        app.cli.add_command(command)
