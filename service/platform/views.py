"""Platform operator pages under /platform/."""

import sqlalchemy as sa

from service.extensions import db
from service.permissions import require
from service.rendering import render
from service.scopes import platform_blueprint
from service.tenants.models import Agency, Tenant

bp = platform_blueprint("platform", __name__)


@bp.get("/")
@require("platform.home")
def home():
    agencies = db.session.execute(
        sa.select(Agency, sa.func.count(Tenant.id))
        .outerjoin(Tenant, Tenant.agency_id == Agency.id)
        .group_by(Agency.id)
        .order_by(Agency.name)
    ).all()
    return render("platform/home.html", agencies=agencies)
