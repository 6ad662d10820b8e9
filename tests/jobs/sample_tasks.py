"""Tasks used only by the tests; importable by a real worker (``tests.jobs.sample_tasks``)."""

import os
import time
from pathlib import Path

import sqlalchemy as sa

from service.extensions import db
from service.jobs.task import RetryPolicy, task
from service.mail.models import PlatformEmail
from service.mail.outbox import queue_email
from service.tenancy import TenantContextMissing, current_tenant_id

# What in-process runs saw, for the tests to read.
seen: list[dict] = []
failures_left = {"count": 0}


@task(queue="default", retry=RetryPolicy(retries=2, delays=(0,)))
def greet_once(address: str, pid_dir: str) -> None:
    """Idempotent: one greeting per address however often it runs. The first run stalls
    after its effect (the commit, which also hands the delivery job over), and only then
    marks its work-horse, so that the test kills it there and never mid-commit."""
    first_run = not os.listdir(pid_dir)
    greeted = db.session.scalar(
        sa.select(PlatformEmail.id).where(PlatformEmail.to_address == address)
    )
    if greeted is None:
        queue_email(to=address, template="test", language="en", context={})
        db.session.commit()
    Path(pid_dir, str(os.getpid())).touch()
    if first_run:
        time.sleep(30)


@task(queue="default")
def mark_pid(pid_dir: str, label: str) -> None:
    """Marks which process ran it."""
    Path(pid_dir, f"{os.getpid()}-{label}").touch()


@task(queue="default", retry=RetryPolicy(retries=2, delays=(5, 10)))
def flaky(label: str) -> None:
    """Fails while ``failures_left`` says so, then records its label."""
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise RuntimeError(f"flaky {label} failed")
    seen.append({"label": label})


@task(queue="default", retry=RetryPolicy(retries=1, delays=(0,)))
def always_fails(label: str) -> None:
    raise RuntimeError(f"{label} is broken")


@task(queue="default")
def record_context(label: str) -> None:
    """Records what a job sees of its caller: the tenant, the session."""
    try:
        tenant = current_tenant_id()
    except TenantContextMissing:
        tenant = None
    seen.append({"label": label, "tenant": tenant, "session": id(db.session())})


# What record_coalesced does as it runs, besides recording: the tests' hook into a running job.
while_coalesced_runs: list = []


@task(queue="default", coalesce=True)
def record_coalesced(label: str) -> None:
    """Coalescing: calls with the same label while its job waits are that job."""
    seen.append({"label": label})
    for act in while_coalesced_runs:
        act()
