"""Account jobs: they take an email address or ids as strings and reload everything.

services.py hands the jobs over; a job never calls back into the service layer."""

from urllib.parse import urlsplit

from flask import current_app

from service.accounts import links
from service.accounts.models import LinkPurpose
from service.accounts.users import find_user
from service.extensions import db
from service.i18n import language_for
from service.jobs.task import task
from service.mail.outbox import queue_email


@task(queue="mail")
def send_password_reset(email: str, base_url: str, language: str = "en") -> None:
    """Email a reset link if the address belongs to an active user; silent otherwise. Runs
    away from the request that asked for it (services.request_password_reset).
    Idempotent enough: a retry issues a newer link, which cancels the older one."""
    user = find_user(email)
    if user is None or not user.active:
        return
    token = links.issue(user, LinkPurpose.PASSWORD_RESET)
    queue_email(
        to=user.email,
        template="password_reset",
        language=language_for(user, language),
        context={
            "name": user.display_name,
            "url": external_url(base_url, "accounts.reset_password", token=token),
            "minutes": int(links.lifetime(LinkPurpose.PASSWORD_RESET).total_seconds() // 60),
        },
        secret=True,
    )
    db.session.commit()


def external_url(base_url: str, endpoint: str, **values) -> str:
    """An absolute URL of ``endpoint`` under ``base_url`` (the request's trusted root), for
    links built where there is no request, such as a job."""
    root = urlsplit(base_url)
    adapter = current_app.url_map.bind(
        root.netloc, script_name=root.path or "/", url_scheme=root.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
