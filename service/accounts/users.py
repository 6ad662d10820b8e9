"""Finding an account by its email address: below the service layer, so that jobs
(tasks.py) and invitations use it without importing services.py."""

import sqlalchemy as sa

from service.accounts.models import User
from service.emails import normalise as normalise_email
from service.extensions import db


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
