"""The insights dashboard's pages: who opens them, every panel whole and alone (htmx), the
filter read from the URL, the "not enough responses" view and a theme's quotes."""

import datetime as dt
import re
import uuid

import pytest

from service.departures.models import ExitType
from service.extensions import db
from service.insights.dashboard import PANELS
from service.insights.figures import add_months
from service.insights.models import AnswerInsight, Feedback, Source, ThemeTag, theme_columns
from service.tenancy import tenant_scope
from tests.conftest import login
from tests.factories import make_department

# The last ended month: a period of N months is the last N ended ones (filters.py).
MONTH = add_months(dt.date.today().replace(day=1), -1)
NOT_ENOUGH = "Not enough responses to show for this selection"


def add_feedback(
    tenant, count, department_id, theme="compensation", text="Pay is too low", **coarse
):
    """`count` responses of this month in a department, each raising `theme` in a quote."""
    exit_type = coarse.get("exit_type", ExitType.VOLUNTARY)
    with tenant_scope(tenant.id):
        for n in range(count):
            coarse = {
                "source": Source.SURVEY,
                "month": MONTH,
                "department_id": department_id,
                "job_function_id": None,
                "location_id": None,
                "tenure_band": None,
                "exit_type": exit_type,
                "regretted": False,
            }
            feedback = Feedback(
                id=uuid.uuid4(),
                language="en",
                enps=n % 11,
                come_back=n % 2 == 0,
                **theme_columns([theme]),
            )
            answer = AnswerInsight(
                feedback_id=feedback.id,
                question_key="why",
                text=f"{text} ({n})",
                sentiment="negative",
            )
            rating = AnswerInsight(
                feedback_id=feedback.id, question_key="manager", number=n % 5 + 1
            )
            for row in (feedback, answer, rating):
                for name, value in coarse.items():
                    setattr(row, name, value)
            db.session.add(feedback)
            db.session.flush()
            db.session.add_all([answer, rating])
            db.session.flush()
            tag = ThemeTag(
                answer_id=answer.id,
                feedback_id=feedback.id,
                question_key="why",
                theme=theme,
                origin="detected",
                **coarse,
            )
            db.session.add(tag)
        db.session.commit()


@pytest.fixture
def feedback(world):
    """Side A: 12 responses in Sales, 8 in Kitchen, 6 on the Terrace, 3 in Bar (29 in all,
    k = 5): the heat map hides Bar, and the Terrace with it (3 alone is found by difference)."""
    tenant = world.a.tenant
    kitchen = make_department(tenant, "Kitchen")
    terrace = make_department(tenant, "Terrace")
    bar = make_department(tenant, "Bar")
    add_feedback(tenant, 12, world.a.objects["department"].id)
    add_feedback(tenant, 8, kitchen.id, theme="management", text="My manager never listened")
    add_feedback(tenant, 6, terrace.id)
    add_feedback(tenant, 3, bar.id)
    return {"sales": world.a.objects["department"], "kitchen": kitchen, "bar": bar}


def page(app, role: str, url: str, htmx: bool = False):
    client = app.test_client()
    login(client, f"{role}@a.example")
    headers = {"Accept-Language": "en", **({"HX-Request": "true"} if htmx else {})}
    return client.get(f"/t/tenant-a/insights/{url}", headers=headers)


@pytest.mark.parametrize(
    ("role", "status"),
    [("hr_admin", 200), ("hr", 200), ("leadership", 200), ("interviewer", 403), ("member", 403)],
)
def test_hr_and_leadership_open_insights_others_are_refused(app, world, role, status):
    assert page(app, role, "").status_code == status
    assert page(app, role, "quotes?theme=compensation").status_code == status


def test_another_tenant_is_not_found(app, world):
    client = app.test_client()
    login(client, "leadership@b.example")
    assert client.get("/t/tenant-a/insights/").status_code == 404


def test_the_navigation_links_insights_for_those_who_may_open_them(app, world):
    for role, shown in (("leadership", True), ("member", False)):
        client = app.test_client()
        login(client, f"{role}@a.example")
        html = client.get("/t/tenant-a/").get_data(as_text=True)
        assert ('href="/t/tenant-a/insights/"' in html) == shown, role


def test_every_panel_renders_with_its_figures(app, world, feedback):
    html = page(app, "leadership", "").get_data(as_text=True)
    for name in PANELS:
        assert f'id="panel-{name}"' in html, name
    assert "29 responses" in html
    assert "Pay and benefits" in html
    assert "Management" in html
    assert 'role="img"' in html
    assert "Show the data" in html
    # Bar's 3 responses are hidden in the heat map, with the legend that says why.
    assert "heat-hidden" in html
    assert "not enough responses" in html
    # No inline style: the content security policy forbids it.
    assert "style=" not in html


@pytest.mark.parametrize("name", PANELS)
def test_each_panel_alone_for_htmx(app, world, feedback, name):
    response = page(app, "hr", f"panels/{name}?period=3&dimension=location", htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="panel-{name}"' in html
    assert "<html" not in html


def test_a_panel_is_a_fragment_even_without_htmx(app, world, feedback):
    html = page(app, "hr", "panels/scores").get_data(as_text=True)
    assert 'id="panel-scores"' in html
    assert "<html" not in html


def test_an_unknown_panel_is_not_found(app, world):
    assert page(app, "hr", "panels/salaries").status_code == 404


def test_the_filter_form_refreshes_the_panels_only(app, world, feedback):
    html = page(app, "hr", f"?department={feedback['sales'].id}", htmx=True).get_data(as_text=True)
    assert html.lstrip().startswith('<div id="insight-panels"')
    assert "12 responses" in html


def test_filters_that_cannot_be_read_are_noticed_not_fatal(app, world, feedback):
    response = page(app, "hr", "?from=2026-13&to=2026-14")
    assert response.status_code == 200
    assert "The period was not understood" in response.get_data(as_text=True)
    foreign = world.b.objects["department"].id
    response = page(app, "hr", f"?department={foreign}&tenure=forever&dimension=salary")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "An unknown filter value was ignored." in html
    assert "29 responses" in html  # the whole tenant: the foreign department was dropped


def test_a_custom_period_comes_back_in_the_form(app, world, feedback):
    start = (MONTH - dt.timedelta(days=70)).strftime("%Y-%m")
    html = page(app, "hr", f"?period=custom&from={start}").get_data(as_text=True)
    assert f'value="{start}"' in html
    assert '<option value="custom" selected>' in html


def test_months_win_over_a_period_unless_the_period_was_just_chosen(app, world, feedback):
    start = MONTH.replace(month=1).strftime("%Y-%m")
    # Months typed while the form showed "last 12 months": the months, now "custom".
    url = f"?period=12&shown=12&from={start}"
    html = page(app, "hr", url, htmx=True).get_data(as_text=True)
    assert f"from={start}&amp;to=" in html  # the figures' links carry the months shown
    assert '<select id="period" name="period" hx-swap-oob="true">' in html
    assert '<option value="custom" selected>' in html
    assert 'name="shown" value="custom" hx-swap-oob="true"' in html
    # A period chosen while the form showed months: the period, and the months cleared.
    url = f"?period=3&shown=custom&from={start}"
    html = page(app, "hr", url, htmx=True).get_data(as_text=True)
    three = add_months(MONTH, -2).strftime("%Y-%m")
    assert f"from={three}&amp;to=" in html
    assert 'id="from" name="from" type="month" value="" placeholder="2026-01" hx-swap-oob' in html
    assert 'name="shown" value="3" hx-swap-oob="true"' in html
    # Without a script, the same rules on the whole page.
    html = page(app, "hr", url).get_data(as_text=True)
    assert f"from={three}&amp;to=" in html
    assert 'name="shown" value="3"' in html


def test_a_selection_under_k_shows_only_not_enough(app, world, feedback):
    html = page(app, "leadership", f"?department={feedback['bar'].id}").get_data(as_text=True)
    assert NOT_ENOUGH in html
    assert "panel-themes" not in html
    assert "panel-scores" not in html
    assert "at least 5 responses" in html


def test_a_filter_leaving_out_fewer_than_k_is_refused_too(app, world, feedback):
    """31 responses, 2 of them involuntary: the 29 voluntary ones are enough, but showing
    them beside the whole would reveal those 2 by difference."""
    add_feedback(world.a.tenant, 2, None, exit_type=ExitType.INVOLUNTARY)
    html = page(app, "leadership", "?exit=voluntary").get_data(as_text=True)
    assert NOT_ENOUGH in html
    assert "leaves out fewer than 5 responses" in html
    response = page(app, "hr", "panels/themes?exit=voluntary", htmx=True)
    assert NOT_ENOUGH in response.get_data(as_text=True)
    html = page(app, "leadership", f"?department={feedback['kitchen'].id}").get_data(as_text=True)
    assert NOT_ENOUGH not in html  # 8 in, 23 out: both at least k


def test_quotes_of_a_theme_above_the_quote_threshold(app, world, feedback):
    html = page(app, "leadership", "quotes?theme=compensation").get_data(as_text=True)
    assert "Pay is too low" in html
    assert "Negative" in html
    assert "My manager never listened" not in html  # another theme


def test_quotes_under_the_quote_threshold_are_hidden(app, world, feedback):
    """Kitchen's 8 responses are a view (≥ k = 5) but under the quote threshold (2k = 10)."""
    url = f"quotes?theme=management&department={feedback['kitchen'].id}"
    html = page(app, "leadership", url).get_data(as_text=True)
    assert "My manager never listened" not in html
    assert "Not enough responses to show" in html
    assert "at least 10 responses" in html


def test_quotes_for_htmx_are_the_side_panel_only(app, world, feedback):
    html = page(app, "hr", "quotes?theme=compensation", htmx=True).get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card quotes"')


def test_quotes_need_a_theme_that_exists(app, world, feedback):
    missing = page(app, "hr", "quotes")
    assert missing.status_code == 400
    assert "Choose a theme to read its quotes." in missing.get_data(as_text=True)
    assert page(app, "hr", "quotes?theme=salaries").status_code == 404


def test_the_dashboard_speaks_the_companys_language(app, world, feedback):
    client = app.test_client()
    login(client, "leadership@a.example")  # no language chosen: the company's Dutch
    html = client.get("/t/tenant-a/insights/").get_data(as_text=True)
    assert "Belangrijkste vertrekredenen" in html
    assert "Verloning en voordelen" in html


def test_create_action_links_open_the_prefilled_form(app, world, feedback):
    """HR, who manages actions, gets "Create action" links carrying the theme, its source
    and the filter; leadership, who reads actions only, does not."""
    links = {}
    for role in ("hr", "leadership"):
        client = app.test_client()
        login(client, f"{role}@a.example")
        url = f"/t/tenant-a/insights/?department={feedback['sales'].id}"
        html = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
        links[role] = re.findall(r'class="create-action" href="([^"]+)"', html)
    assert links["hr"]
    assert links["leadership"] == []
    client = app.test_client()
    login(client, "hr@a.example")
    target = links["hr"][0].replace("&amp;", "&")
    assert target.startswith("/t/tenant-a/insights/new-action?")
    assert f"department={feedback['sales'].id}" in target
    assert client.get(target, headers={"Accept-Language": "en"}).status_code == 200
    html = client.get("/t/tenant-a/insights/", headers={"Accept-Language": "en"})
    html = html.get_data(as_text=True).replace("&amp;", "&")
    assert "source=theme" in html
    assert "theme=compensation" in html
    assert "source=hotspot" in html
    assert "dimension=department" in html
