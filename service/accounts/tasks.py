"""Account jobs: they take an email address or ids as strings and reload everything."""

from service.accounts import services
from service.jobs.task import task


@task(queue="mail")
def send_password_reset(email: str, base_url: str, language: str = "en") -> None:
    """Issue a reset link and queue its email, away from the request that asked for it.
    Idempotent enough: a retry issues a newer link, which cancels the older one."""
    services.issue_password_reset(email, base_url, language)
