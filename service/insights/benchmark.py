"""The agency benchmark: a client's theme shares over the last 12 months beside the
average of its agency's other clients of the same sector.

What may be compared, and with whom:

- A peer is another active client of the same agency and the same sector. It counts only
  with at least as many responses in the period as its own k and the viewed client's k,
  whichever is larger; with fewer than three such peers there is no comparison at all.
- The peers' figure is the average of their shares, each peer weighing the same: a large
  client does not set the sector's figure, and a pooled count would tell its size.
- Only the themes of the default taxonomy compare: a client's own themes mean nothing
  elsewhere, and a peer's own theme could name it.
- Nothing says which clients or how many contributed: no name, no count, no list. The
  client's own shares pass through its own thresholds, as on its dashboard.

Reading other tenants goes through one function, ``_peer_shares``, under each peer's own
tenant scope: never ``unscoped()``, so the safety net still holds each statement to one
tenant, and every figure is the one that tenant's own dashboard computes.
"""

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from service.extensions import db
from service.insights import figures
from service.insights.figures import Filter
from service.insights.thresholds import HIDDEN, Thresholds
from service.surveys.themes import THEME_KEYS
from service.tenancy import tenant_scope
from service.tenants.models import Tenant, TenantStatus

PERIOD_MONTHS = 12
MIN_PEERS = 3


@dataclass(frozen=True)
class ThemeComparison:
    theme: str
    own: object  # figures.Share or HIDDEN: the client's share
    peers: float  # the peers' average share, 0–1


@dataclass(frozen=True)
class Benchmark:
    period: Filter
    comparable: bool  # False: too few comparable clients, and no figure at all
    themes: list[ThemeComparison]


def compare(client: Tenant, today: dt.date) -> Benchmark:
    period = Filter.last_months(PERIOD_MONTHS, today)
    own_thresholds = Thresholds.of(client)
    peers = [
        shares
        for peer in _peers(client)
        if (shares := _peer_shares(peer, period, own_thresholds.k)) is not None
    ]
    if len(peers) < MIN_PEERS:
        return Benchmark(period, comparable=False, themes=[])
    with tenant_scope(client.id):
        base = figures.responses(period)
        own = {figure.theme: figure.share for figure in figures.themes(period, own_thresholds)}
    not_raised = own_thresholds.shown(figures.Share(0, base), base)
    found = [
        ThemeComparison(
            theme,
            own.get(theme, not_raised),
            sum(shares.get(theme, 0.0) for shares in peers) / len(peers),
        )
        for theme in THEME_KEYS
        if theme in own or any(theme in shares for shares in peers)
    ]
    found.sort(key=lambda row: -row.peers)
    return Benchmark(period, comparable=True, themes=found)


def _peers(client: Tenant) -> list[Tenant]:
    return list(
        db.session.scalars(
            sa.select(Tenant)
            .where(
                Tenant.agency_id == client.agency_id,
                Tenant.agency_id.is_not(None),
                Tenant.sector == client.sector,
                Tenant.id != client.id,
                Tenant.status == TenantStatus.ACTIVE,
            )
            .order_by(Tenant.id)
        )
    )


def _peer_shares(peer: Tenant, period: Filter, client_k: int) -> dict[str, float] | None:
    """The one read of another tenant's feedback, for the benchmark alone: under that
    tenant's own scope (the safety net stays on), its theme shares for the period as its
    own dashboard computes them, through its own thresholds; None when it has fewer
    responses than its k or the viewed client's, whichever is larger (it does not count)."""
    thresholds = Thresholds.of(peer)
    with tenant_scope(peer.id):
        base = figures.responses(period)
        if base < max(thresholds.k, client_k):
            return None
        return {
            figure.theme: figure.share.share
            for figure in figures.themes(period, thresholds)
            if figure.share is not HIDDEN and figure.theme in THEME_KEYS
        }
