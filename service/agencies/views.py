"""Agency pages under /agency/<agency_slug>/."""

import sqlalchemy as sa
from flask import g

from service.extensions import db
from service.permissions import require
from service.rendering import render
from service.scopes import agency_blueprint
from service.tenants.models import Tenant

bp = agency_blueprint("agencies", __name__)


@bp.get("/")
@require("agency.home")
def home():
    portfolio = db.session.scalars(
        sa.select(Tenant).where(Tenant.agency_id == g.agency.id).order_by(Tenant.name)
    ).all()
    return render("agencies/home.html", agency=g.agency, portfolio=portfolio)
