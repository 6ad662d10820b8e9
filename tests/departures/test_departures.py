"""Departures by hand: recording (and every refusal), the list's filters and counts, edit,
cancel, and who may see them."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from service.departures.models import Departure, DepartureStatus, TenureBand, tenure_band
from service.departures.services import identity_key
from service.extensions import db
from service.model_types import utcnow
from service.tenancy import unscoped
from service.tenants.models import Department, JobFunction, Location, Membership
from tests.factories import add_membership, make_departure, make_user
from tests.tenants.helpers import post_form, sign_in, text

NEW = "/t/tenant-a/departures/new"
LIST = "/t/tenant-a/departures/"


def departures_of(tenant) -> list[Departure]:
    with unscoped("a test looks across tenants"):
        return list(
            db.session.scalars(
                sa.select(Departure)
                .where(Departure.tenant_id == tenant.id)
                .order_by(Departure.full_name)
            )
        )


def named(model, name: str):
    """The department, function or location of that name, in any tenant (or None)."""
    with unscoped("a test looks across tenants"):
        return db.session.scalar(sa.select(model).where(model.name == name))


def stored(world) -> Departure:
    """Side A's departure of the world, as stored now."""
    db.session.expire_all()
    return next(d for d in departures_of(world.a.tenant) if d.full_name == "Jan Peeters")


def valid(world, **overrides) -> dict:
    objects = world.a.objects
    form = {
        "full_name": "Sofie Claes",
        "work_email": "sofie.claes@tenant-a.example",
        "personal_email": "sofie.claes@telenet.be",
        "phone": "+32 9 123 45 67",
        "language": "fr",
        "department_id": str(objects["department"].id),
        "job_function_id": str(objects["job_function"].id),
        "location_id": str(objects["location"].id),
        "manager_name": "Bart Maes",
        "hired_on": "2021-03-01",
        "last_day": "2026-10-31",
        "exit_type": "voluntary",
        "regretted": "on",
        "channel": "survey",
        "note": "Leaves for a job closer to home.",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


@pytest.fixture
def hr_admin(client, world):
    sign_in(client, "hr_admin@a.example")
    return client


# --- recording ------------------------------------------------------------------------------


def test_hr_admin_records_a_departure_and_sees_it(app, hr_admin, world):
    response = post_form(hr_admin, NEW, valid(world))
    assert response.status_code == 302
    created = [d for d in departures_of(world.a.tenant) if d.full_name == "Sofie Claes"]
    assert len(created) == 1
    departure = created[0]
    assert departure.status == DepartureStatus.NEW
    assert departure.identity_key == "sofie.claes@tenant-a.example"
    assert departure.department_id == world.a.objects["department"].id
    assert departure.regretted is True
    assert departure.hired_on == dt.date(2021, 3, 1)
    page = text(hr_admin.get(response.headers["Location"]))
    for shown in (
        "Sofie Claes",
        "sofie.claes@telenet.be",
        "Sales tenant-a",
        "Bart Maes",
        "5 to 10 years",
        "Online survey",
        "Français",
        "Recorded on",
    ):
        assert shown in page, shown


def test_the_defaults_come_from_the_tenant(app, hr_admin, world):
    tenant = db.session.merge(world.a.tenant)
    tenant.default_channel = "interview"
    db.session.commit()
    form = valid(world, full_name="Pieter Wouters", work_email=None, personal_email=None)
    for key in ("language", "channel", "department_id", "job_function_id", "location_id"):
        form.pop(key)
    assert post_form(hr_admin, NEW, form).status_code == 302
    departure = next(d for d in departures_of(tenant) if d.full_name == "Pieter Wouters")
    assert departure.channel.value == "interview"
    assert departure.language == "nl"
    assert departure.identity_key == "pieter wouters"


def test_the_new_form_is_filled_with_the_tenants_defaults(app, hr_admin, world):
    page = text(hr_admin.get(NEW))
    assert '<option value="both" selected>' in page
    assert '<option value="nl" selected>' in page
    assert '<option value="en"' not in page  # tenant A speaks Dutch and French only


OVER = "x" * 121
BAD_INPUT = [
    ({"full_name": "x" * 121}, "full_name", "Use at most 120 characters."),
    ({"full_name": "   "}, "full_name", "Enter the name of the person who leaves."),
    ({"work_email": "a" * 243 + "@example.com"}, "work_email", "Enter a valid email address."),
    ({"work_email": "sofie.claes"}, "work_email", "Enter a valid email address."),
    ({"personal_email": "sofie@"}, "personal_email", "Enter a valid email address."),
    ({"phone": "1" * 41}, "phone", "Use at most 40 characters."),
    ({"phone": "call me"}, "phone", "Enter a phone number"),
    ({"manager_name": OVER}, "manager_name", "Use at most 120 characters."),
    ({"new_department": OVER, "department_id": ""}, "new_department", "at most 120"),
    ({"new_job_function": OVER, "job_function_id": ""}, "new_job_function", "at most 120"),
    ({"new_location": OVER, "location_id": ""}, "new_location", "at most 120"),
    ({"note": "x" * 2001}, "note", "Use at most 2,000 characters."),
    ({"last_day": ""}, "last_day", "Enter the last working day."),
    ({"last_day": "2026-02-30"}, "last_day", "Enter a date as YYYY-MM-DD."),
    ({"last_day": "31/10/2026"}, "last_day", "Enter a date as YYYY-MM-DD."),
    ({"hired_on": "1850-01-01"}, "hired_on", "Enter a date between 1900 and 2100."),
    ({"hired_on": "2026-11-01"}, "hired_on", "The hire date cannot be after the last working day."),
    ({"exit_type": "fired"}, "exit_type", "Choose a type of exit from the list."),
    ({"exit_type": ""}, "exit_type", "Choose the type of exit."),
    ({"channel": "fax"}, "channel", "Choose survey, interview or both."),
    ({"language": "de"}, "language", "Choose a language from the list."),
    ({"language": "en"}, "language", "Choose one of the company"),
    ({"department_id": "not-an-id"}, "department_id", "Choose a department from the list."),
    ({"template_id": "01900000-0000-7000-8000-000000000000"}, "template_id", "published"),
    (
        {"manager_membership_id": "01900000-0000-7000-8000-000000000000", "manager_name": ""},
        "manager_membership_id",
        "Choose a manager from the list.",
    ),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_with_the_fields_message_and_nothing_written(
    app, hr_admin, world, change, field, message
):
    before = len(departures_of(world.a.tenant))
    response = post_form(hr_admin, NEW, valid(world, **change), htmx=True)
    assert response.status_code == 422
    page = text(response)
    assert f'id="{field}-error"' in page
    assert message in page
    assert 'id="departure-form"' in page
    assert "<html" not in page  # the form's own block, for the inline swap
    assert len(departures_of(world.a.tenant)) == before


def test_just_at_every_limit_is_accepted(app, hr_admin, world):
    form = valid(
        world,
        full_name="x" * 120,
        work_email="a" * 242 + "@example.com",
        phone="1" * 40,
        manager_name="m" * 120,
        note="n" * 2000,
    )
    assert post_form(hr_admin, NEW, form).status_code == 302


def test_a_refused_form_keeps_what_was_typed(app, hr_admin, world):
    page = text(post_form(hr_admin, NEW, valid(world, last_day="")))
    assert 'value="Sofie Claes"' in page
    assert "Leaves for a job closer to home." in page


def test_another_tenants_department_is_refused_and_never_linked(app, hr_admin, world):
    other = world.b.objects
    for key, obj in (
        ("department_id", other["department"]),
        ("job_function_id", other["job_function"]),
        ("location_id", other["location"]),
        ("template_id", other["template"]),
        ("manager_membership_id", other["membership"]),
    ):
        form = valid(world, manager_name="", **{key: str(obj.id)})
        response = post_form(hr_admin, NEW, form)
        assert response.status_code == 422, key
        assert f'id="{key}-error"' in text(response)
    assert [d.full_name for d in departures_of(world.a.tenant)] == ["Jan Peeters"]


def test_hr_admin_may_type_a_new_department(app, hr_admin, world):
    form = valid(world, department_id="", new_department="Keuken")
    assert post_form(hr_admin, NEW, form).status_code == 302
    departure = next(d for d in departures_of(world.a.tenant) if d.full_name == "Sofie Claes")
    kitchen = named(Department, "Keuken")
    assert kitchen.tenant_id == world.a.tenant.id
    assert departure.department_id == kitchen.id


def test_a_typed_name_that_exists_is_that_one(app, hr_admin, world):
    form = valid(world, department_id="", new_department="SALES TENANT-A")
    assert post_form(hr_admin, NEW, form).status_code == 302
    departure = next(d for d in departures_of(world.a.tenant) if d.full_name == "Sofie Claes")
    assert departure.department_id == world.a.objects["department"].id


def test_hr_may_not_add_structure_by_typing(app, client, world):
    sign_in(client, "hr@a.example")
    form = valid(
        world,
        job_function_id="",
        new_job_function="Afwasser",
        location_id="",
        new_location="Brugge",
    )
    response = post_form(client, NEW, form)
    assert response.status_code == 422
    assert "only an HR administrator can add" in text(response)
    assert named(JobFunction, "Afwasser") is None
    assert named(Location, "Brugge") is None
    assert "Or a new function" not in text(client.get(NEW))  # HR is not offered the field


def test_a_refused_departure_leaves_no_new_department_behind(app, hr_admin, world):
    form = valid(world, department_id="", new_department="Keuken", language="en")
    assert post_form(hr_admin, NEW, form).status_code == 422
    assert named(Department, "Keuken") is None


def test_the_same_person_and_last_day_is_refused_as_a_duplicate(app, hr_admin, world):
    assert post_form(hr_admin, NEW, valid(world)).status_code == 302
    again = valid(world, full_name="Sofie Claes-Peeters", work_email="SOFIE.CLAES@tenant-a.example")
    response = post_form(hr_admin, NEW, again)
    assert response.status_code == 422
    assert "This person already has a departure with this last working day" in text(response)
    assert (
        sum(d.identity_key == "sofie.claes@tenant-a.example" for d in departures_of(world.a.tenant))
        == 1
    )
    # Another last day is another departure (someone who came back and left again).
    assert post_form(hr_admin, NEW, valid(world, last_day="2027-01-31")).status_code == 302


def test_the_same_person_in_another_tenant_is_no_duplicate(app, client, world):
    sign_in(client, "hr_admin@b.example")
    form = valid(
        world,
        department_id="",
        job_function_id="",
        location_id="",
        work_email="jan.peeters@tenant-a.example",
        last_day="2026-06-30",
    )
    assert post_form(client, "/t/tenant-b/departures/new", form).status_code == 302


# --- tenure bands -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hired_on", "last_day", "band"),
    [
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), TenureBand.UNDER_1),  # 364 days
        (dt.date(2025, 1, 1), dt.date(2026, 1, 1), TenureBand.FROM_1_TO_2),  # exactly a year
        (dt.date(2024, 1, 2), dt.date(2026, 1, 1), TenureBand.FROM_1_TO_2),  # a day short of 2
        (dt.date(2024, 1, 1), dt.date(2026, 1, 1), TenureBand.FROM_2_TO_5),
        (dt.date(2021, 1, 2), dt.date(2026, 1, 1), TenureBand.FROM_2_TO_5),
        (dt.date(2021, 1, 1), dt.date(2026, 1, 1), TenureBand.FROM_5_TO_10),
        (dt.date(2016, 1, 2), dt.date(2026, 1, 1), TenureBand.FROM_5_TO_10),
        (dt.date(2016, 1, 1), dt.date(2026, 1, 1), TenureBand.OVER_10),
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28), TenureBand.UNDER_1),  # a leap day
        (dt.date(2026, 1, 1), dt.date(2026, 1, 1), TenureBand.UNDER_1),
        (None, dt.date(2026, 1, 1), None),
    ],
)
def test_tenure_bands(hired_on, last_day, band):
    assert tenure_band(hired_on, last_day) == band


def test_a_departure_without_hire_date_says_its_tenure_is_unknown(app, hr_admin, world):
    response = post_form(hr_admin, NEW, valid(world, hired_on=""))
    page = text(hr_admin.get(response.headers["Location"]))
    assert "Not known (no hire date)" in page


# --- the list ---------------------------------------------------------------------------------


@pytest.fixture
def several(app, world):
    tenant, objects = world.a.tenant, world.a.objects
    with_structure = {
        "department_id": objects["department"].id,
        "location_id": objects["location"].id,
    }
    make_departure(tenant, "Emma Janssens", last_day=dt.date(2026, 1, 15), **with_structure)
    make_departure(
        tenant,
        "Lucas Maes",
        last_day=dt.date(2026, 3, 31),
        exit_type="involuntary",
        personal_email="lucas@gmail.com",
        channel="survey",
    )
    make_departure(
        tenant,
        "Marie Dubois",
        last_day=dt.date(2026, 8, 31),
        exit_type="retirement",
        job_function_id=objects["job_function"].id,
        channel="interview",
    )
    make_departure(
        tenant,
        "Noah Willems",
        last_day=dt.date(2026, 5, 15),
        status=DepartureStatus.CANCELLED,
        **with_structure,
    )
    make_departure(world.b.tenant, "Other Tenant Person")
    return tenant


def names_in(page: str) -> set[str]:
    everyone = {
        "Jan Peeters",
        "Emma Janssens",
        "Lucas Maes",
        "Marie Dubois",
        "Noah Willems",
        "Other Tenant Person",
    }
    return {name for name in everyone if f">{name}</a>" in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Jan Peeters", "Emma Janssens", "Lucas Maes", "Marie Dubois"}),
        ("status=cancelled", {"Noah Willems"}),
        ("status=new", {"Jan Peeters", "Emma Janssens", "Lucas Maes", "Marie Dubois"}),
        ("exit_type=involuntary", {"Lucas Maes"}),
        ("channel=interview", {"Marie Dubois"}),
        ("from=2026-03-01&to=2026-06-30", {"Lucas Maes", "Jan Peeters"}),
        ("from=2026-07-01", {"Marie Dubois"}),
        ("q=gmail", {"Lucas Maes"}),
        ("q=JANSS", {"Emma Janssens"}),
        ("q=%25", set()),
        ("exit_type=voluntary&from=2026-02-01", {"Jan Peeters"}),
        (
            "status=bogus&exit_type=nonsense&from=yesterday",
            {"Jan Peeters", "Emma Janssens", "Lucas Maes", "Marie Dubois"},
        ),
    ],
)
def test_each_filter_narrows_the_list(app, hr_admin, several, query, expected):
    assert names_in(text(hr_admin.get(f"{LIST}?{query}"))) == expected


def test_structure_filters(app, hr_admin, world, several):
    objects = world.a.objects
    department = objects["department"].id
    assert names_in(text(hr_admin.get(f"{LIST}?department={department}"))) == {"Emma Janssens"}
    assert names_in(text(hr_admin.get(f"{LIST}?location={objects['location'].id}"))) == {
        "Emma Janssens"
    }
    function = objects["job_function"].id
    assert names_in(text(hr_admin.get(f"{LIST}?job_function={function}"))) == {"Marie Dubois"}
    combined = f"{LIST}?department={department}&status=cancelled"
    assert names_in(text(hr_admin.get(combined))) == {"Noah Willems"}


def test_the_filters_stay_in_the_form_and_the_links(app, hr_admin, several):
    page = text(hr_admin.get(f"{LIST}?exit_type=voluntary&q=jan&from=2026-01-01"))
    assert '<option value="voluntary" selected>' in page
    assert 'value="jan"' in page
    assert 'value="2026-01-01"' in page
    # The count links keep the other filters and set the status.
    assert "q=jan" in page
    assert "status=cancelled" in page
    assert 'hx-push-url="true"' in page


def test_an_htmx_filter_answers_the_list_alone(app, hr_admin, several):
    response = hr_admin.get(
        f"{LIST}?exit_type=retirement&status=&q=", headers={"HX-Request": "true"}
    )
    page = text(response)
    assert "<html" not in page
    assert 'id="listing"' in page
    assert names_in(page) == {"Marie Dubois"}
    # The address bar keeps the filters in use, not the form's empty fields.
    assert response.headers["HX-Push-Url"] == "/t/tenant-a/departures/?exit_type=retirement"


def count_of(page: str, label: str) -> int:
    match = re.search(r"<strong>(\d+)</strong> " + label + "</a>", page)
    assert match, label
    return int(match.group(1))


def test_the_counts_per_status(app, hr_admin, several):
    page = text(hr_admin.get(LIST))
    assert count_of(page, "New") == 4
    assert count_of(page, "Cancelled") == 1
    assert count_of(page, "Closed") == 0
    filtered = text(hr_admin.get(f"{LIST}?exit_type=voluntary"))
    assert count_of(filtered, "New") == 2
    assert count_of(filtered, "Cancelled") == 1
    assert 'href="/t/tenant-a/departures/?exit_type=voluntary&amp;status=cancelled"' in filtered


def test_the_list_pages(app, hr_admin, world):
    for number in range(30):
        make_departure(world.a.tenant, f"Leaver {number:02}", last_day=dt.date(2025, 1, 1))
    first = text(hr_admin.get(f"{LIST}?exit_type=voluntary"))
    assert "Page 1 of 2" in first
    assert "page=2" in first
    assert "exit_type=voluntary" in first.split('rel="next"')[1].split(">")[0]
    assert "Page 2 of 2" in text(hr_admin.get(f"{LIST}?exit_type=voluntary&page=99"))


# --- edit and cancel --------------------------------------------------------------------------


def departure_url(world) -> str:
    return f"/t/tenant-a/departures/{world.a.objects['departure'].id}"


def form_of(hr_admin, url) -> dict:
    page = text(hr_admin.get(url + "/edit"))
    form = dict(re.findall(r'<input id="[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', page))
    for name, options in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        selected = re.search(r'<option value="([^"]*)" selected>', options)
        if selected:
            form[name] = selected.group(1)
    return form


def test_editing_without_changes_says_so_and_writes_nothing(app, hr_admin, world):
    url = departure_url(world)
    form = form_of(hr_admin, url)
    updated_at = stored(world).updated_at
    response = post_form(hr_admin, url + "/edit", form, follow_redirects=True)
    assert "No changes to save." in text(response)
    assert stored(world).updated_at == updated_at


def test_editing_changes_the_departure(app, hr_admin, world):
    url = departure_url(world)
    form = {**form_of(hr_admin, url), "last_day": "2026-07-31", "hired_on": "2026-08-01"}
    response = post_form(hr_admin, url + "/edit", form)
    assert response.status_code == 422
    assert "The hire date cannot be after the last working day." in text(response)
    form["hired_on"] = "2015-07-01"
    response = post_form(hr_admin, url + "/edit", form, follow_redirects=True)
    page = text(response)
    assert "Departure saved." in page
    assert "10 years or more" in page
    assert "Last changed on" in page


def test_cancel_asks_first_then_keeps_the_departure_marked(app, hr_admin, world):
    url = departure_url(world)
    asked = hr_admin.get(url + "/cancel")
    assert asked.status_code == 200
    assert "Cancel the departure of Jan Peeters?" in text(asked)
    assert stored(world).status == DepartureStatus.NEW
    page = text(post_form(hr_admin, url + "/cancel", follow_redirects=True))
    assert "is cancelled" in page
    assert "Cancelled on" in page
    assert stored(world).status == DepartureStatus.CANCELLED
    assert "Jan Peeters" not in names_in(text(hr_admin.get(LIST)))
    assert "Jan Peeters" in names_in(text(hr_admin.get(f"{LIST}?status=cancelled")))
    # A cancelled departure is not edited any more.
    assert post_form(hr_admin, url + "/edit", form_of(hr_admin, url)).status_code == 422


# --- who may see what -------------------------------------------------------------------------


def test_another_tenants_departure_is_not_found_on_every_route(app, hr_admin, world):
    other = f"/t/tenant-a/departures/{world.b.objects['departure'].id}"
    for path in ("", "/edit", "/cancel"):
        assert hr_admin.get(other + path).status_code == 404
    for path in ("/edit", "/cancel"):
        assert post_form(hr_admin, other + path, valid(world)).status_code == 404
    assert departures_of(world.b.tenant)[0].status == DepartureStatus.NEW


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("hr_admin@a.example", 200),
        ("hr@a.example", 200),
        ("leadership@a.example", 403),
        ("member@a.example", 403),
        ("interviewer@a.example", 403),
        ("agency_admin@agency-a.example", 403),
    ],
)
def test_only_hr_sees_departures(app, client, world, email, status):
    sign_in(client, email)
    url = departure_url(world)
    for path in (LIST, NEW, url, url + "/edit", url + "/cancel"):
        assert client.get(path).status_code == status, path
    home = text(client.get("/t/tenant-a/"))
    assert ('href="/t/tenant-a/departures/"' in home) == (status == 200)


def test_a_deactivated_member_is_no_manager_to_choose(app, hr_admin, world):
    user = make_user("gone@a.example", display_name="Gone Manager")
    membership = add_membership(world.a.tenant, user, "member")
    with unscoped("a test looks across tenants"):
        row = db.session.scalar(sa.select(Membership).where(Membership.id == membership.id))
        row.deactivated_at = utcnow()
        db.session.commit()
    assert "Gone Manager" not in text(hr_admin.get(NEW))
    response = post_form(
        hr_admin, NEW, valid(world, manager_name="", manager_membership_id=str(membership.id))
    )
    assert response.status_code == 422


# --- the tenant's default channel ------------------------------------------------------------


def test_the_default_channel_is_a_tenant_setting(app, hr_admin, world):
    from tests.tenants.test_settings import VALID

    page = text(hr_admin.get("/t/tenant-a/settings"))
    assert "Default follow-up of a departure" in page
    assert '<option value="both" selected>' in page
    refused = post_form(hr_admin, "/t/tenant-a/settings", {**VALID, "default_channel": "fax"})
    assert refused.status_code == 422
    assert "Choose survey, interview or both." in text(refused)
    saved = post_form(hr_admin, "/t/tenant-a/settings", {**VALID, "default_channel": "survey"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.merge(world.a.tenant).default_channel == "survey"
    assert '<option value="survey" selected>' in text(hr_admin.get(NEW))


# --- the identity rule the importer shares ----------------------------------------------------


@pytest.mark.parametrize(
    ("work", "personal", "name", "key"),
    [
        (
            " Sofie.Claes@Anker.example ",
            "sofie@gmail.com",
            "Sofie Claes",
            "sofie.claes@anker.example",
        ),
        (None, "Sofie@Gmail.com", "Sofie Claes", "sofie@gmail.com"),
        ("", "  ", "  Sofie   CLAES ", "sofie claes"),
    ],
)
def test_identity_key(work, personal, name, key):
    assert identity_key(work, personal, name) == key


def test_a_department_with_departures_is_not_offered_for_deletion(hr_admin, world):
    department = world.a.objects["department"]
    make_departure(world.a.tenant, "Lien Jacobs", department_id=department.id)
    path = f"/t/tenant-a/departments/{department.id}/delete"
    page = text(hr_admin.get(path))
    assert "1 departure is recorded in this department, so it cannot be deleted." in page
    assert f'action="{path}"' not in page  # no button to confirm
    post_form(hr_admin, path)
    with unscoped("a test looks across tenants"):
        assert db.session.get(Department, (world.a.tenant.id, department.id)) is not None
