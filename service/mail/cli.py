"""``flask --app wsgi mail test --to ADDRESS``: check the mail settings through the outbox."""

import click
from flask.cli import with_appcontext

from service.config import LANGUAGES
from service.extensions import db
from service.mail.outbox import queue_email


@click.group("mail")
def mail_group() -> None:
    """Outgoing mail."""


@mail_group.command("test")
@click.option("--to", "to", required=True, help="Address to send the test message to.")
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True)
@with_appcontext
def test_command(to: str, language: str) -> None:
    """Queue a test message through the outbox and print its id."""
    try:
        email_id = queue_email(to=to, template="test", language=language, context={})
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--to") from exc
    db.session.commit()
    click.echo(str(email_id))
