"""Alembic environment, driven by Flask-Migrate (`flask --app wsgi db upgrade`)."""

import logging

import sqlalchemy as sa
from alembic import context
from flask import current_app

log = logging.getLogger("alembic.env")
config = context.config
target_db = current_app.extensions["migrate"].db
# Migrations run as the tables' owner (MIGRATION_DATABASE_URL), not as the application.
_owner_url = current_app.config.get("MIGRATION_DATABASE_URI")
if _owner_url and _owner_url != current_app.config["SQLALCHEMY_DATABASE_URI"]:
    engine = sa.create_engine(_owner_url, poolclass=sa.pool.NullPool)
else:
    engine = target_db.engine
config.set_main_option(
    "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
)


def _skip_empty_autogenerate(migration_context, revision, directives):
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_db.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", _skip_empty_autogenerate)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_db.metadata, **conf_args)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Row-level security holds the owner too: a migration's data changes are
                # the platform's cross-tenant work (for this transaction only).
                connection.exec_driver_sql("SELECT set_config('exitloop.cross_tenant', 'on', true)")
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
