"""The agency benchmark (service/insights/benchmark.py): a client's themes beside the
average of at least three comparable clients, and nothing that tells which ones."""

import pytest

from service.insights import benchmark, figures
from service.insights.figures import Filter, add_months
from service.insights.thresholds import HIDDEN, Thresholds
from service.tenancy import tenant_scope
from service.tenants.models import Sector
from tests.conftest import login
from tests.factories import make_tenant
from tests.insights.export_rows import LAST_MONTH, add_feedback

# The feedback is of LAST_MONTH: the benchmark shows it once that month has ended.
TODAY = add_months(LAST_MONTH, 1)

NOT_COMPARABLE = "There are not enough comparable clients to compare with."
SECTOR = Sector.RETAIL  # the world's tenants' sector


def peer(world, name: str, share_of_ten: int, responses: int = 10, agency=None, **fields):
    """A client of agency A (or `agency`) whose `responses` raise "workload" in
    `share_of_ten` out of ten and "pay" in the rest."""
    tenant = make_tenant(
        f"peer-{name}", agency or world.a.agency, name=f"Peer {name.title()}", **fields
    )
    raising = responses * share_of_ten // 10
    add_feedback(tenant, raising, themes=("workload",))
    add_feedback(tenant, responses - raising, themes=("compensation",))
    return tenant


@pytest.fixture
def admin(app, world):
    add_feedback(world.a.tenant, 10, themes=("workload",))
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, "agency_admin@agency-a.example")
    return client


def page(client, world, tenant=None) -> tuple[int, str]:
    tenant = tenant or world.a.tenant
    response = client.get(f"/agency/agency-a/tenants/{tenant.id}/benchmark")
    return response.status_code, response.get_data(as_text=True)


def test_three_comparable_clients_give_their_average(admin, world):
    peers = [peer(world, name, share) for name, share in (("one", 2), ("two", 4), ("three", 6))]
    status, body = page(admin, world)
    assert status == 200
    assert NOT_COMPARABLE not in body
    workload = body.split("Workload")[1].split("</tr>")[0]
    assert ">100%<" in workload  # the client itself: all ten raise it
    assert ">40%<" in workload  # (20% + 40% + 60%) / 3, each client weighing the same
    for tenant in peers:  # nothing names a peer, or tells its size
        assert tenant.name not in body
        assert tenant.slug not in body
    assert ">3<" not in body
    assert "10 responses" not in body


def test_two_comparable_clients_are_not_enough(admin, world):
    peer(world, "one", 2)
    peer(world, "two", 4)
    status, body = page(admin, world)
    assert status == 200
    assert NOT_COMPARABLE in body
    assert "%" not in body.split(NOT_COMPARABLE)[1].split("</main>")[0]


def test_a_client_under_its_k_or_the_viewed_clients_k_does_not_count(admin, world):
    peer(world, "one", 2)
    peer(world, "two", 4)
    peer(world, "small", 6, responses=4)  # under its k of 5
    assert NOT_COMPARABLE in page(admin, world)[1]
    peer(world, "strict", 6, responses=6, confidentiality_k=7)  # under its own k of 7
    assert NOT_COMPARABLE in page(admin, world)[1]
    enough = peer(world, "enough", 6, responses=6)
    assert NOT_COMPARABLE not in page(admin, world)[1]
    # Seen from a client whose k is 7, the peer with 6 responses no longer counts.
    period = Filter.last_months(benchmark.PERIOD_MONTHS, TODAY)
    assert benchmark._peer_shares(enough, period, client_k=5) is not None
    assert benchmark._peer_shares(enough, period, client_k=7) is None


def test_other_agencies_and_other_sectors_never_count(admin, world):
    peer(world, "one", 2)
    peer(world, "two", 4)
    peer(world, "elsewhere", 6, agency=world.b.agency)
    peer(world, "horeca", 6, sector=Sector.HORECA)
    peer(world, "suspended", 6, status="suspended")
    assert NOT_COMPARABLE in page(admin, world)[1]


def test_another_agencys_client_is_404(admin, world):
    for name, share in (("one", 2), ("two", 4), ("three", 6)):
        peer(world, name, share, agency=world.b.agency)
    assert page(admin, world, world.b.tenant)[0] == 404


def test_only_the_agency_admin_sees_the_benchmark(app, world):
    consultant = app.test_client()
    login(consultant, "consultant@agency-a.example")
    assert page(consultant, world)[0] == 403


def test_the_client_under_its_k_shows_no_share_of_its_own(admin, world):
    small = make_tenant("small-client", world.a.agency)
    add_feedback(small, 4, themes=("workload",))
    for name, share in (("one", 2), ("two", 4), ("three", 6)):
        peer(world, name, share)
    result = benchmark.compare(small, TODAY)
    assert result.comparable
    assert {row.own for row in result.themes} == {HIDDEN}
    status, body = page(admin, world, small)
    assert "Not enough responses to show" in body.split("Workload")[1].split("</tr>")[0]


def test_the_peers_figures_are_their_own_dashboards(app, world):
    """The one cross-tenant read gives each peer's shares as its own dashboard does."""
    peers = [peer(world, name, share) for name, share in (("one", 2), ("two", 3), ("three", 7))]
    period = Filter.last_months(benchmark.PERIOD_MONTHS, TODAY)
    for tenant in peers:
        thresholds = Thresholds.of(tenant)
        with tenant_scope(tenant.id):
            own = {row.theme: row.share.share for row in figures.themes(period, thresholds)}
        assert benchmark._peer_shares(tenant, period, 5) == own
    result = benchmark.compare(world.a.tenant, TODAY)
    workload = next(row for row in result.themes if row.theme == "workload")
    assert workload.peers == pytest.approx((0.2 + 0.3 + 0.7) / 3)
