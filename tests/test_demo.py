"""Demo data: the seed-demo command, when `make run` seeds, and what it prints."""

import datetime as dt
import html
import json
import re

import sqlalchemy as sa

from service.accounts.models import AgencyInvitation, TenantInvitation, User
from service.config import LANGUAGES
from service.demo import DEFAULT_PASSWORD, STORY_CLIENTS, demo_logins
from service.departures.models import Departure, DepartureStatus
from service.extensions import db
from service.scopes import tenant_today
from service.serve import startup_lines
from service.surveys.interview_models import Interview, InterviewStatus
from service.tenancy import tenant_scope, unscoped
from service.tenants.models import Agency, Membership, Tenant
from tests.conftest import login
from tests.snapshots import demo_data


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_seed_demo_prints_json_or_the_logins_and_a_second_seed_changes_only_passwords(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo", "--password", "pw-123", "--json"])
    assert first.exit_code == 0, first.output
    result = json.loads(first.output)
    assert {t["slug"] for t in result["tenants"]} == {
        "het-anker", "maison-lumiere", "codeway",
        "de-zwaan", "bistro-margot", "scheldezicht",  # Het Anker's peers, for the benchmark
    }  # fmt: skip
    assert {t["sector"] for t in result["tenants"]} == {"horeca", "retail", "it"}
    assert any(set(t["languages"]) == {"nl", "fr"} for t in result["tenants"])
    roles = {r["role"] for user in result["users"] for r in user["roles"]}
    assert roles == {
        "platform_admin", "agency_admin", "consultant",
        "hr_admin", "hr", "interviewer", "leadership", "member",
    }  # fmt: skip
    before = every_row()

    output = runner.invoke(args=["seed-demo"]).output  # again, as text, with the default
    assert "Demo logins, password exitloop-demo:" in output
    assert re.search(
        r"hr\.admin@het-anker\.example +HR administrator +Brasserie Het Anker +nl", output
    )
    assert every_row() == before
    client = app.test_client()
    login(client, "hr.admin@het-anker.example", DEFAULT_PASSWORD)
    assert client.get("/t/het-anker/").status_code == 200


def every_row() -> dict:
    """Every table's rows, except the password hashes (a new salt on every run)."""
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            found = [dict(row) for row in connection.execute(table.select()).mappings()]
            for row in found:
                row.pop("password_hash", None)
            rows[table.name] = sorted(found, key=repr)
    return rows


def test_demo_people_have_real_names_in_their_companys_language(app):
    demo_data(DEFAULT_PASSWORD)
    with unscoped("a test looks across tenants"):
        people = db.session.execute(
            sa.select(User, Tenant)
            .join(Membership, Membership.user_id == User.id)
            .join(Tenant, Tenant.id == Membership.tenant_id)
            .where(Membership.assigned_by_agency.is_(False))
        ).all()
    assert len(people) >= 30
    for user, tenant in people:
        assert user.preferred_language in tenant.languages, (user.email, tenant.slug)
    every_user = list(db.session.scalars(sa.select(User)))
    for user in every_user:
        name = user.display_name
        assert "@" not in name, name
        assert "(" not in name, name
        assert not re.search(r"\b(Hr|Admin|Member|Leadership|Interviewer|Consultant)\b", name)
        assert re.fullmatch(r"[A-ZÉ][\w'-]+( [A-Za-z][\w'-]+)+", name), name
        if user.email != "agency.admin@talentbrug.example":  # shows the first-sign-in offer
            assert user.preferred_language in LANGUAGES, user.email
    names = {user.email: user.display_name for user in every_user}
    assert names["hr.admin@het-anker.example"] == "Hanne Claes"
    assert names["hr.admin@maison-lumiere.example"] == "Élodie Dubois"
    assert names["consultant@talentbrug.example"] == "Tom Van Damme"
    languages = {user.email: user.preferred_language for user in every_user}
    assert languages["consultant@talentbrug.example"] == "nl"  # Flemish, also at a French client
    assert languages["jens.willems@maison-lumiere.example"] == "nl"  # the Antwerp store
    assert languages["agency.admin@talentbrug.example"] is None


def test_the_lists_look_lived_in(app):
    demo_data("pw")
    client = app.test_client()
    client.set_cookie("exitloop_lang", "en")
    login(client, "hr.admin@het-anker.example", "pw")
    page = client.get("/t/het-anker/members/").get_data(as_text=True)
    for name in ("Hanne Claes", "Ilse Wouters", "Marc Goossens", "Emma Mertens"):
        assert name in page
    assert "Lisa Jacobs" in page  # a pending invitation
    with unscoped("a test looks across tenants"):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TenantInvitation)) >= 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgencyInvitation)) == 1


def test_the_demo_agency_has_a_brand(app):
    demo_data(DEFAULT_PASSWORD)
    agency = db.session.scalar(sa.select(Agency))
    assert (agency.brand_name, agency.brand_colour) == ("Talentbrug Interim", "#0f766e")
    assert agency.logo.startswith(b"\x89PNG\r\n\x1a\n")
    assert agency.logo_mime_type == "image/png"


def test_real_servers_are_never_seeded_unless_asked(app):
    app.config["DEMO"] = False
    assert demo_logins() == []
    assert count(User) == 0


def test_demo_on_seeds_an_empty_database_once(app):
    app.config["DEMO"] = True
    try:
        first = demo_logins()
        assert "admin@exitloop.example" in [login.email for login in first]
        users = count(User)
        assert demo_logins() == first
        assert count(User) == users
    finally:
        app.config["DEMO"] = False


def test_make_run_prints_the_address_and_a_table_of_logins(app):
    """`make run` (the serve command) prints only what a person needs: where to go, and
    who to sign in as, with role, company and language."""
    demo_data(DEFAULT_PASSWORD)
    app.config["DEMO"] = True
    try:
        config = {**app.config, "SQLALCHEMY_DATABASE_URI": "sqlite:///x", "EMBEDDED": True}
        lines = startup_lines(config, "127.0.0.1", 5000, demo_logins())
    finally:
        app.config["DEMO"] = False
    assert lines[0] == "Exitloop on http://127.0.0.1:5000/  (embedded: SQLite, jobs in-process)"
    assert lines[1] == "Demo logins, password exitloop-demo:"
    table = [re.split(r"\s{2,}", line.strip()) for line in lines[2:-1]]
    assert ["hr.admin@het-anker.example", "HR administrator", "Brasserie Het Anker", "nl"] in table
    assert ["hr.admin@maison-lumiere.example", "HR administrator", "Maison Lumière", "fr"] in table
    assert ["consultant@talentbrug.example", "Consultant", "Talentbrug Interim", "nl"] in table
    assert [
        "agency.admin@talentbrug.example",
        "Agency administrator",
        "Talentbrug Interim",
        "browser",
    ] in table
    assert ["admin@exitloop.example", "Platform administrator", "Exitloop", "en"] in table
    # The columns line up: each company starts in the same column.
    starts = {
        line.index(company)
        for line in lines[2:-1]
        for company in ("Brasserie", "Maison", "Talentbrug")
        if company in line
    }
    assert len(starts) == 1
    assert len(lines) <= 14
    assert "member@" in lines[-1]
    assert "codeway.example" in lines[-1]


def test_every_demo_client_has_templates_to_show(app):
    """A published default from its sector's preset, an archived former one, one client
    with a second version; the agency has a library."""
    import sqlalchemy as sa

    from service.extensions import db
    from service.surveys.models import AgencyTemplate, QuestionTemplate, TemplateVersion
    from service.tenancy import tenant_scope
    from service.tenants.models import Tenant

    demo_data("pw")
    versions_per_tenant = {}
    for tenant in db.session.scalars(sa.select(Tenant)).all():
        with tenant_scope(tenant.id):
            templates = db.session.scalars(sa.select(QuestionTemplate)).all()
            assert [t.is_default for t in templates].count(True) == 1, tenant.slug
            assert any(t.archived_at for t in templates), tenant.slug
            default = next(t for t in templates if t.is_default)
            published = db.session.scalars(
                sa.select(TemplateVersion).where(
                    TemplateVersion.template_id == default.id,
                    TemplateVersion.published_at.is_not(None),
                )
            ).all()
            versions_per_tenant[tenant.slug] = len(published)
            assert default.origin.startswith(f"preset:{tenant.sector.value}@"), tenant.slug
    assert sorted(versions_per_tenant.values())[-1] == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgencyTemplate)) >= 2


def test_every_demo_client_has_survey_invitations_in_every_status(app):
    """The recent leavers are at every step of the survey: the departures list shows each
    status, the opened one has answers in progress, the declined one a reason, and a
    completed survey leaves its departure answered."""
    from service.departures.models import Departure, DepartureStatus
    from service.surveys.invitation_models import InvitationStatus, SurveyDraft, SurveyInvitation

    demo_data("pw")
    for tenant in db.session.scalars(sa.select(Tenant).where(Tenant.slug.in_(STORY_CLIENTS))):
        with tenant_scope(tenant.id):
            invitations = db.session.scalars(sa.select(SurveyInvitation)).all()
            statuses = {invitation.status for invitation in invitations}
            assert statuses == set(InvitationStatus), tenant.slug
            departures = {d.id: d for d in db.session.scalars(sa.select(Departure))}
            for invitation in invitations:
                departure = departures[invitation.departure_id]
                live = invitation.status in (InvitationStatus.SENT, InvitationStatus.OPENED)
                assert (invitation.token_hash is not None) == live, invitation.status
                if invitation.status is InvitationStatus.COMPLETED:
                    assert departure.status is DepartureStatus.ANSWERED
                if invitation.status is InvitationStatus.DECLINED:
                    assert invitation.decline_reason
                if invitation.status is not InvitationStatus.SCHEDULED:
                    assert invitation.first_sent_at <= invitation.expires_at
                    assert invitation.template_version_id is not None
            (draft,) = db.session.scalars(sa.select(SurveyDraft)).all()
            opened = next(i for i in invitations if i.status is InvitationStatus.OPENED)
            assert draft.invitation_id == opened.id
            assert "reason" in draft.answers


def test_every_published_demo_version_is_a_valid_questionnaire(app):
    """The leaver's page and the demo answers read them by question key: no key twice."""
    from service.surveys.document import from_json, problems
    from service.surveys.models import TemplateVersion

    demo_data("pw")
    with unscoped("a test looks across tenants"):
        for version in db.session.scalars(sa.select(TemplateVersion)):
            assert problems(from_json(version.document)) == [], version.number


def test_a_year_of_confidential_responses_with_patterns_to_find(app):
    """About a hundred responses per client over the past year, month-granular, on the
    client's published versions, in its languages; the brasserie's kitchen leaves over
    workload and shifts, the Liège store over management, Codeway's developers for growth
    and pay."""
    import collections
    import datetime as dt

    from service.surveys.models import TemplateVersion
    from service.surveys.response_models import SurveyResponse
    from service.tenants.models import Department, Location

    demo_data("pw")
    today = dt.date.today()
    reasons = {}
    for tenant in db.session.scalars(sa.select(Tenant).where(Tenant.slug.in_(STORY_CLIENTS))):
        with tenant_scope(tenant.id):
            responses = db.session.scalars(sa.select(SurveyResponse)).all()
            assert len(responses) >= 80, tenant.slug
            published = set(
                db.session.scalars(
                    sa.select(TemplateVersion.id).where(TemplateVersion.published_at.is_not(None))
                )
            )
            names = dict(db.session.execute(sa.select(Department.id, Department.name)).all())
            names |= dict(db.session.execute(sa.select(Location.id, Location.name)).all())
            assert {r.language for r in responses} <= set(tenant.languages)
            assert len({r.month for r in responses}) >= 6  # spread over the year
            for response in responses:
                assert response.month.day == 1
                assert today - dt.timedelta(days=480) < response.month <= today
                assert response.template_version_id in published
                assert response.answers["reason"]
            counted = collections.Counter()
            for response in responses:
                where = names.get(response.location_id)
                place = "Liège" if where == "Liège Vinâve" else names.get(response.department_id)
                counted[place, response.answers["reason"]] += 1
            reasons[tenant.slug] = counted
            assert len({r.answers.get("why_leaving") for r in responses}) >= 60, tenant.slug

    def top(slug, place):
        counted = {reason: n for (where, reason), n in reasons[slug].items() if where == place}
        return max(counted, key=counted.get)

    assert top("het-anker", "Keuken") in {"workload", "flexibility"}
    assert top("maison-lumiere", "Liège") == "management"
    assert top("codeway", "Engineering") == "growth"
    client = app.test_client()
    login(client, "hr.admin@het-anker.example", "pw")
    page = client.get("/t/het-anker/responses/").get_data(as_text=True)
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
    with tenant_scope(tenant.id):
        # HR's list leaves out the month in progress (its few responses would name who just
        # answered): it counts the months before.
        listed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.month < tenant_today().replace(day=1))
        )
    assert f"{listed} antwoorden" in page  # the count of responses listed
    assert "Wat is de belangrijkste reden waarom u ons verlaat?" in page


def test_a_demo_leavers_link_opens_their_survey_with_the_answers_in_progress(app):
    """The demo's links are the ones its mails would carry: the opened invitation's link
    leads to the survey, in Dutch, with what the leaver already wrote."""
    from service.surveys.invitation_links import link_token
    from service.surveys.invitation_models import InvitationStatus, SurveyDraft, SurveyInvitation

    demo_data("pw")
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
    with tenant_scope(tenant.id):
        opened = db.session.scalar(
            sa.select(SurveyInvitation).where(SurveyInvitation.status == InvitationStatus.OPENED)
        )
        draft = db.session.scalar(sa.select(SurveyDraft))
        token = link_token(opened)
    client = app.test_client()
    response = client.get(f"/s/{token}")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wat is de belangrijkste reden waarom u ons verlaat?" in page
    assert draft.answers["why_leaving"][:30] in html.unescape(page)


def test_the_consultant_has_an_interview_coming_and_one_is_done(app):
    demo_data("pw")
    consultant = db.session.scalar(
        sa.select(User).where(User.email == "consultant@talentbrug.example")
    )
    upcoming = 0
    for tenant in db.session.scalars(sa.select(Tenant).where(Tenant.slug.in_(STORY_CLIENTS))):
        with tenant_scope(tenant.id):
            interviews = db.session.scalars(sa.select(Interview)).all()
            statuses = {interview.status for interview in interviews}
            assert statuses == {InterviewStatus.PLANNED, InterviewStatus.COMPLETED}, tenant.slug
            for interview in interviews:
                departure = db.session.scalar(
                    sa.select(Departure).where(Departure.id == interview.departure_id)
                )
                if interview.status is InterviewStatus.COMPLETED:
                    assert interview.notes
                    assert interview.answers["reason"]
                    assert departure.status is DepartureStatus.ANSWERED
                else:
                    assert interview.scheduled_at > dt.datetime.now(dt.UTC)
                    assert departure.status is DepartureStatus.INTERVIEW_PLANNED
                    upcoming += interview.interviewer_user_id == consultant.id
    assert upcoming == 2  # at both clients the agency serves


def _dashboard(slug: str, period: str = "12", **narrowing):
    """What a buyer sees on the demo client's dashboard (the whole company by default)."""
    from service.insights import dashboard, filters
    from service.insights.thresholds import Thresholds

    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    filter_ = filters.read({"period": period, **narrowing}, dt.date.today()).filter
    return dashboard.build(filter_, Thresholds.of(tenant))


def test_the_demo_dashboards_tell_one_believable_story(app):
    """Departures and responses agree (most leavers answer, every month), turnover is that
    of the client's sector with its hot spot, and eNPS and coming back are those of real
    exit surveys, differing per client."""
    from service.tenants.models import Department

    demo_data("pw")
    turnover_ranges = {
        "het-anker": (0.4, 0.7),
        "maison-lumiere": (0.25, 0.4),
        "codeway": (0.12, 0.2),
    }
    hot_spot = {"het-anker": "Keuken", "maison-lumiere": "Ventes", "codeway": "Engineering"}
    enps = {}
    with app.test_request_context():
        for slug in STORY_CLIENTS:
            tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
            with tenant_scope(tenant.id):
                board = _dashboard(tenant.slug)
                assert board.allowed, tenant.slug
                assert board.responses >= 80, tenant.slug
                answered_months = [row for row in board.volume if row.responses]
                assert len(answered_months) >= 9, tenant.slug  # a quiet month may hide
                for row in answered_months:
                    assert 0.4 <= row.rate <= 1.0, (tenant.slug, row)
                company, departments = board.turnover
                low, high = turnover_ranges[tenant.slug]
                assert low <= company.rate <= high, (tenant.slug, company)
                names = dict(db.session.execute(sa.select(Department.id, Department.name)).all())
                assert names[departments[0].department_id] == hot_spot[tenant.slug]
                assert departments[0].times(company) >= 1.05, tenant.slug
                assert -45 <= board.scores.enps <= 10, (tenant.slug, board.scores.enps)
                assert 0.27 <= board.scores.come_back.share <= 0.6, tenant.slug
                enps[tenant.slug] = board.scores.enps
                closed = db.session.scalars(
                    sa.select(Departure.last_day).where(Departure.status == DepartureStatus.CLOSED)
                ).all()
                assert len(closed) >= 25, tenant.slug  # the unanswered cases before the recent ones
                assert max(closed) < dt.date.today(), tenant.slug
    assert len(set(enps.values())) == 3
    # The kitchen is twice as sour as the brasserie; Codeway's sales staff leave fonder
    # than its developers.
    assert enps["codeway"] > enps["maison-lumiere"]


def _engineering_share(tenant, theme: str, filter_) -> "object":
    """The share of Codeway's Engineering responses raising `theme` (the heat map's cell)."""
    from service.insights import figures
    from service.insights.thresholds import HIDDEN, Thresholds
    from service.tenants.models import Department

    engineering = db.session.scalar(
        sa.select(Department.id).where(Department.name == "Engineering")
    )
    grid = figures.heatmap(filter_, Thresholds.of(tenant), "department_id")
    size = grid.sizes[engineering]  # HIDDEN if too few answered
    return grid.cells.get((theme, engineering), figures.Share(0, size) if size else HIDDEN)


def test_codeways_developers_raise_role_fit_this_quarter(app):
    """The pattern sentence's material: role mismatch in Engineering rises sharply in the
    last three months from the three before, each side on enough responses to quote."""
    from service.insights import filters
    from service.insights.thresholds import Thresholds

    demo_data("pw")
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "codeway"))
    with app.test_request_context(), tenant_scope(tenant.id):
        now = filters.read({"period": "3"}, dt.date.today()).filter  # the dashboard's
        before, after = (_engineering_share(tenant, "role_fit", f) for f in (now.previous(), now))
    quote_k = Thresholds.of(tenant).quote_k
    assert before.base >= quote_k
    assert after.base >= quote_k
    assert before.share <= 0.25, before
    assert after.share >= 0.35, after
    # What the pattern sentence asks (service/insights/patterns.py): a sharp rise.
    assert after.share >= 1.5 * before.share, (before, after)
    assert after.share - before.share >= 0.15, (before, after)


def test_the_done_pay_action_shows_it_worked(app):
    """Codeway's done pay benchmark (Engineering, compensation): in the six months before it
    started and since it was closed, enough responses each side, and pay raised clearly
    less often after."""
    from service.actions.models import Action, ActionStatus, ActionTheme
    from service.insights.figures import Filter, add_months, month_start
    from service.insights.filters import last_ended
    from service.insights.thresholds import Thresholds

    demo_data("pw")
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "codeway"))
    with app.test_request_context(), tenant_scope(tenant.id):
        action = db.session.scalar(
            sa.select(Action)
            .join(ActionTheme, ActionTheme.action_id == Action.id)
            .where(Action.status == ActionStatus.DONE, ActionTheme.theme == "compensation")
        )
        started, closed = month_start(action.created_at.date()), month_start(action.done_at.date())
        before = Filter(first=add_months(started, -6), last=add_months(started, -1))
        after = Filter(first=closed, last=last_ended(dt.date.today()))  # none in progress
        shares = [_engineering_share(tenant, "compensation", f) for f in (before, after)]
    quote_k = Thresholds.of(tenant).quote_k
    assert all(share.base >= quote_k for share in shares), shares
    assert shares[1].share <= shares[0].share - 0.12, shares


def test_the_agency_admin_can_benchmark_het_anker_against_its_peers(app):
    """Three small horeca clients of the agency (40–80 responses each over the last 12
    ended months) make Het Anker comparable; the page names none of them."""
    from service.insights import benchmark, figures

    demo_data("pw")
    peers = db.session.scalars(sa.select(Tenant).where(Tenant.slug.not_in(STORY_CLIENTS))).all()
    period = figures.Filter.last_months(benchmark.PERIOD_MONTHS, dt.date.today())
    for peer in peers:
        with tenant_scope(peer.id):
            assert 35 <= figures.responses(period) <= 90, peer.slug
    anker = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "het-anker"))
    client = app.test_client()
    client.set_cookie("exitloop_lang", "en")
    login(client, "agency.admin@talentbrug.example", "pw")
    response = client.get(f"/agency/talentbrug/tenants/{anker.id}/benchmark")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "not enough comparable clients" not in body
    assert "Workload" in body
    for peer in peers:
        assert peer.name not in body
        assert peer.slug not in body
