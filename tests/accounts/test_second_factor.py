"""The second factor: enrolment proven by a code, the code step of the sign-in, recovery
codes used once, no replay, the tenant's and the platform's requirement, re-authentication
before sensitive changes, and common passwords refused."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from service.accounts import second_factor
from service.accounts.models import RecoveryCode, User, UserSession
from service.extensions import db
from service.model_types import utcnow
from service.tenancy import tenant_scope
from service.tenants.models import Membership, Tenant
from tests.accounts.conftest import fresh_ip, post, sign_in
from tests.factories import add_agency_membership, add_membership, make_agency, make_tenant
from tests.factories import make_user as _make_user


def make_user(email: str, **fields) -> User:
    return _make_user(email, preferred_language="en", **fields)


@pytest.fixture
def people(app):
    """Two companies, each with an HR admin and a member; an agency admin of A's agency."""
    agency = make_agency("agency-2fa")
    a = make_tenant("tenant-a", agency)
    b = make_tenant("tenant-b")
    found = {"a": a, "b": b, "agency": agency}
    for side, tenant in (("a", a), ("b", b)):
        for role in ("hr_admin", "member"):
            user = make_user(f"{role}@{side}.example")
            found[f"{side}_{role}"] = user
            found[f"{side}_{role}_membership"] = add_membership(tenant, user, role)
    found["agency_admin"] = make_user("admin@agency.example")
    add_agency_membership(agency, found["agency_admin"], "agency_admin")
    found["platform_admin"] = make_user("platform@exitloop.example", is_platform_admin=True)
    return found


def enrol(user: User) -> tuple[pyotp.TOTP, list[str]]:
    """``user`` enrolled through the service, as the profile page does; its app and codes."""
    fresh = db.session.get(User, user.id)
    second_factor.start_enrolment(fresh)
    app_ = pyotp.TOTP(fresh.totp_secret)
    # A code of the previous step, so that the test's first sign-in has a later one to use.
    codes = second_factor.complete_enrolment(fresh, app_.at(utcnow() - dt.timedelta(seconds=30)))
    return app_, codes


def code_step(client, code: str, ip=None):
    environ = {"REMOTE_ADDR": ip} if ip else {}
    return post(client, "/login/code", {"code": code}, "/login", environ_base=environ)


def _user(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# Enrolment


def test_enrolment_needs_a_valid_code(client, people):
    user = people["a_member"]
    assert sign_in(client, user.email).status_code == 302
    assert post(client, "/profile/second-factor/start", token_from="/profile").status_code == 302
    page = client.get("/profile/second-factor").get_data(as_text=True)
    secret = _user(user).totp_secret
    assert secret
    assert " ".join(secret[i : i + 4] for i in range(0, 32, 4)) in page
    assert "<svg" in page  # the QR code, drawn here

    wrong = post(client, "/profile/second-factor/confirm", {"code": "000000"}, "/profile")
    assert wrong.status_code == 422
    assert "This code is not right" in wrong.get_data(as_text=True)
    assert not _user(user).has_second_factor

    right = post(
        client,
        "/profile/second-factor/confirm",
        {"code": pyotp.TOTP(secret).now()},
        "/profile",
    )
    assert right.status_code == 200
    assert _user(user).has_second_factor
    shown = right.get_data(as_text=True)
    stored = db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id))
    assert len(list(stored)) == 10
    assert shown.count("<li><code>") == 10
    # Shown once: the page does not show them again.
    assert "<li><code>" not in client.get("/profile/second-factor").get_data(as_text=True)


def test_recovery_codes_are_stored_hashed(app, people):
    _app, codes = enrol(people["a_member"])
    stored = {row.code_hash for row in db.session.scalars(sa.select(RecoveryCode))}
    assert not {code.replace("-", "") for code in codes} & stored
    assert len(stored) == 10


# Sign-in


def test_sign_in_needs_the_code(client, people):
    user = people["a_member"]
    authenticator, _codes = enrol(user)
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/code")
    # The password alone signs nobody in.
    assert client.get("/profile").status_code == 302
    assert client.get("/profile").headers["Location"].startswith("/login")

    wrong = code_step(client, "123456")
    assert wrong.status_code == 422
    assert client.get("/profile").status_code == 302

    right = code_step(client, authenticator.now())
    assert right.status_code == 302
    assert client.get("/profile").status_code == 200


def test_a_code_is_refused_the_second_time(app, people):
    user = people["a_member"]
    authenticator, _codes = enrol(user)
    code = authenticator.now()
    first = app.test_client()
    sign_in(first, user.email)
    assert code_step(first, code).status_code == 302

    second = app.test_client()
    sign_in(second, user.email)
    replayed = code_step(second, code)
    assert replayed.status_code == 422
    assert second.get("/profile").status_code == 302


def test_a_recovery_code_works_once(app, people):
    user = people["a_member"]
    _authenticator, codes = enrol(user)
    first = app.test_client()
    sign_in(first, user.email)
    assert code_step(first, codes[0].upper()).status_code == 302  # case does not matter
    assert first.get("/profile").status_code == 200

    second = app.test_client()
    sign_in(second, user.email)
    assert code_step(second, codes[0]).status_code == 422
    assert code_step(second, codes[1]).status_code == 302
    assert second_factor.unused_recovery_codes(_user(user)) == 8


def test_the_waiting_sign_in_expires(client, people):
    user = people["a_member"]
    authenticator, _codes = enrol(user)
    sign_in(client, user.email)
    db.session.execute(
        sa.update(UserSession).values(second_factor_due_by=utcnow() - dt.timedelta(seconds=1))
    )
    db.session.commit()
    response = code_step(client, authenticator.now())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login")
    assert client.get("/profile").status_code == 302


def test_failed_codes_count_against_the_sign_in_limit(limited, client, people):
    user = people["a_member"]
    enrol(user)
    limit = int(limited.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    sign_in(client, user.email, ip=fresh_ip())
    for _attempt in range(limit):
        assert code_step(client, "000000", ip=fresh_ip()).status_code == 422
    refused = code_step(client, "000000", ip=fresh_ip())
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)


def test_a_password_reset_link_still_asks_for_the_code(client, people):
    from service.accounts import links
    from service.accounts.models import LinkPurpose

    user = people["a_member"]
    authenticator, _codes = enrol(user)
    token = links.issue(_user(user), LinkPurpose.PASSWORD_RESET)
    db.session.commit()
    new = "a-brand-new-passphrase-9"
    response = post(
        client,
        f"/reset-password/{token}",
        {"password": new, "confirm": new},
        f"/reset-password/{token}",
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/login/code")
    assert client.get("/profile").status_code == 302
    assert code_step(client, authenticator.now()).status_code == 302
    assert client.get("/profile").status_code == 200


# Who must use it


def test_the_tenant_requirement_sends_everyone_to_enrolment(client, people):
    with tenant_scope(people["a"].id):
        db.session.get(Tenant, people["a"].id).require_second_factor = True
        db.session.commit()
    user = people["a_member"]
    sign_in(client, user.email)
    response = client.get("/t/tenant-a/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile/second-factor")
    assert client.get("/t/tenant-a/actions/").status_code == 302  # nothing else either
    enrol(user)
    assert client.get("/t/tenant-a/").status_code == 200


def test_the_hr_admin_requires_it_only_with_their_own(client, people):
    admin = people["a_hr_admin"]
    sign_in(client, admin.email)
    url = "/t/tenant-a/settings/second-factor"
    post(client, url, {"required": "on"}, "/t/tenant-a/settings")
    assert not db.session.get(Tenant, people["a"].id).require_second_factor
    enrol(admin)
    assert post(client, url, {"required": "on"}, "/t/tenant-a/settings").status_code == 302
    db.session.expire_all()
    assert db.session.get(Tenant, people["a"].id).require_second_factor


def test_another_tenants_requirement_is_a_404(client, people):
    admin = people["a_hr_admin"]
    sign_in(client, admin.email)
    enrol(admin)
    response = post(
        client, "/t/tenant-b/settings/second-factor", {"required": "on"}, "/t/tenant-a/settings"
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert not db.session.get(Tenant, people["b"].id).require_second_factor


def test_only_the_hr_admin_sets_the_requirement(client, people):
    member = people["a_member"]
    sign_in(client, member.email)
    enrol(member)
    response = post(client, "/t/tenant-a/settings/second-factor", {"required": "on"}, "/profile")
    assert response.status_code == 403


def test_the_platform_requirement_covers_platform_and_agency_staff(app, people):
    second_factor.set_required_for_staff(_enrolled(people["platform_admin"]), True)
    for user, path in (
        (people["platform_admin"], "/platform/"),
        (people["agency_admin"], "/agency/agency-2fa/"),
        (people["agency_admin"], "/t/tenant-a/"),  # its clients, through the agency
    ):
        browser = app.test_client()
        if _user(user).has_second_factor:
            assert _code_sign_in(browser, user).status_code == 302
            assert browser.get(path).status_code == 200
        else:
            sign_in(browser, user.email)
            response = browser.get(path)
            assert response.status_code == 302, path
            assert response.headers["Location"].endswith("/profile/second-factor")
    # The tenant's own people are not concerned.
    member = app.test_client()
    sign_in(member, people["a_member"].email)
    assert member.get("/t/tenant-a/").status_code == 200


def _enrolled(user: User) -> User:
    enrol(user)
    return _user(user)


def _code_sign_in(browser, user: User):
    sign_in(browser, user.email)
    fresh = _user(user)
    step = (fresh.totp_last_step or 0) + 1
    return code_step(browser, pyotp.TOTP(fresh.totp_secret).generate_otp(step))


# Re-authentication


def _age_the_proof(minutes: int = 11) -> None:
    db.session.execute(
        sa.update(UserSession).values(authenticated_at=utcnow() - dt.timedelta(minutes=minutes))
    )
    db.session.commit()


def test_a_role_change_asks_for_the_password_after_the_window(client, people):
    admin = people["a_hr_admin"]
    target = people["a_member_membership"]
    sign_in(client, admin.email)
    _age_the_proof()
    url = f"/t/tenant-a/members/{target.id}/role"
    response = post(
        client,
        url,
        {"role": "hr"},
        "/t/tenant-a/members/",
        headers={"Referer": "http://localhost/t/tenant-a/members/"},
    )
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/confirm-identity"
    assert parse_qs(location.query)["next"] == ["/t/tenant-a/members/"]
    with tenant_scope(people["a"].id):
        role = db.session.scalar(sa.select(Membership.role).where(Membership.id == target.id))
    assert role.value == "member"

    wrong = post(client, "/confirm-identity", {"password": "nope"}, "/confirm-identity")
    assert wrong.status_code == 422
    confirmed = post(
        client,
        "/confirm-identity?next=/t/tenant-a/members/",
        {"password": "pw"},
        "/confirm-identity",
    )
    assert confirmed.headers["Location"] == "/t/tenant-a/members/"
    assert post(client, url, {"role": "hr"}, "/t/tenant-a/members/").status_code == 302
    with tenant_scope(people["a"].id):
        role = db.session.scalar(sa.select(Membership.role).where(Membership.id == target.id))
    assert role.value == "hr"


def test_within_the_window_nothing_is_asked(client, people):
    admin = people["a_hr_admin"]
    target = people["a_member_membership"]
    sign_in(client, admin.email)
    _age_the_proof(minutes=9)
    url = f"/t/tenant-a/members/{target.id}/role"
    response = post(client, url, {"role": "hr"}, "/t/tenant-a/members/")
    assert response.status_code == 302
    assert "confirm-identity" not in response.headers["Location"]


def test_re_authentication_asks_for_the_code_when_enrolled(client, people):
    admin = people["a_hr_admin"]
    enrol(admin)
    _code_sign_in(client, admin)
    _age_the_proof()
    assert client.get("/t/tenant-a/insights/exports").status_code == 302
    without = post(client, "/confirm-identity", {"password": "pw"}, "/confirm-identity")
    assert without.status_code == 422
    fresh = _user(admin)
    code = pyotp.TOTP(fresh.totp_secret).generate_otp(fresh.totp_last_step + 1)
    done = post(client, "/confirm-identity", {"password": "pw", "code": code}, "/confirm-identity")
    assert done.status_code == 302
    assert client.get("/t/tenant-a/insights/exports").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/t/tenant-a/settings"),
        ("get", "/t/tenant-a/insights/exports"),
        ("get", "/t/tenant-a/insights/export/volume.csv"),
        ("post", "/profile/second-factor/start"),
        ("post", "/profile/second-factor/disable"),
        ("post", "/t/tenant-a/settings/second-factor"),
    ],
)
def test_every_sensitive_change_asks_again(client, people, method, path):
    sign_in(client, people["a_hr_admin"].email)
    _age_the_proof()
    response = post(client, path, {}, "/profile") if method == "post" else client.get(path)
    assert response.status_code == 302
    assert "/confirm-identity" in response.headers["Location"]


# Common passwords


@pytest.mark.parametrize("password", ["Sunshine2024!", "passwordpassword", "qwerty123456"])
def test_a_common_password_is_refused(client, people, password):
    sign_in(client, people["a_member"].email)
    response = post(
        client,
        "/profile/password",
        {"current_password": "pw", "password": password, "confirm": password},
        "/profile",
    )
    assert response.status_code == 422
    assert "list of common and leaked passwords" in response.get_data(as_text=True)


def test_an_uncommon_password_is_accepted(client, people):
    sign_in(client, people["a_member"].email)
    password = "Cr8zy-Lamp-Orbit"
    response = post(
        client,
        "/profile/password",
        {"current_password": "pw", "password": password, "confirm": password},
        "/profile",
    )
    assert response.status_code == 302


def test_the_refusal_is_translated(app):
    from service.accounts.schemas import AcceptInvitationSchema
    from service.validation import load_or_errors
    from tests.conftest import translated

    message = "This password is on a list of common and leaked passwords. Choose another."
    assert translated(message, "nl") != message
    assert translated(message, "fr") != message
    with app.test_request_context():
        _data, errors = load_or_errors(
            AcceptInvitationSchema(),
            {"display_name": "An", "password": "Password1234", "confirm": "Password1234"},
        )
    assert errors["password"] == [message]


def test_removing_the_second_factor(client, people):
    user = people["a_member"]
    sign_in(client, user.email)
    enrol(user)
    assert post(client, "/profile/second-factor/disable", {}, "/profile").status_code == 302
    fresh = _user(user)
    assert not fresh.has_second_factor
    assert fresh.totp_secret is None
    count = sa.select(sa.func.count()).select_from(RecoveryCode)
    assert db.session.scalar(count.where(RecoveryCode.user_id == user.id)) == 0


def test_the_platform_page_sets_the_staff_requirement(client, people):
    admin = people["platform_admin"]
    sign_in(client, admin.email)
    refused = post(client, "/platform/second-factor", {"required": "on"}, "/profile")
    assert refused.status_code == 422
    assert not second_factor.required_for_staff()
    enrol(admin)
    assert (
        post(client, "/platform/second-factor", {"required": "on"}, "/profile").status_code == 302
    )
    assert second_factor.required_for_staff()


def test_the_staff_requirement_page_is_the_platforms_only(client, people):
    sign_in(client, people["agency_admin"].email)
    assert client.get("/platform/second-factor").status_code == 404


def test_an_htmx_change_is_sent_to_confirm_as_a_whole_page(client, people):
    admin = people["a_hr_admin"]
    target = people["a_member_membership"]
    sign_in(client, admin.email)
    _age_the_proof()
    response = post(
        client,
        f"/t/tenant-a/members/{target.id}/role",
        {"role": "hr"},
        "/profile",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith("/confirm-identity?next=")


def test_a_deactivated_persons_waiting_sign_in_dies(client, people):
    user = people["a_member"]
    authenticator, _codes = enrol(user)
    sign_in(client, user.email)
    db.session.get(User, user.id).active = False
    db.session.commit()
    assert code_step(client, authenticator.now()).headers["Location"].endswith("/login")
    assert client.get("/profile").status_code == 302
