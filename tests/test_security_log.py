"""The security log (softbridge.security_log): one line on `softbridge.security` per sign-in
failure, lockout, refused access, refused stale write and export, saying who, what, from where,
and never the personal data the request touched."""

import logging
import shlex

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mobilization.models import MobilizationModel
from mobilization.services import mobilization_model_save
from tests import factories

LIMIT = 5  # SIGNIN_FAILURE_LIMIT's default
FIELDS = {"event", "user", "user_id", "method", "path", "address"}


@pytest.fixture(autouse=True)
def security_lines(caplog):
    cache.clear()  # the API throttles' counts
    caplog.set_level(logging.INFO, logger="softbridge.security")

    def lines(event: str | None = None) -> list[dict[str, str]]:
        parsed = [
            dict(part.split("=", 1) for part in shlex.split(record.getMessage()))
            for record in caplog.records
            if record.name == "softbridge.security"
        ]
        return [line for line in parsed if event is None or line["event"] == event]

    return lines


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def sign_in(client, username, password="wrong-guess", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def staff(client, user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


# --- sign-in ---------------------------------------------------------------------------------


def test_a_wrong_password_is_one_line_naming_the_user_name_tried(client, official, security_lines):
    sign_in(client, "official", REMOTE_ADDR="192.0.2.10")
    [line] = security_lines()
    assert FIELDS <= set(line)
    assert line["event"] == "signin_failed"
    assert (line["user"], line["user_id"], line["username"]) == ("anonymous", "-", "official")
    assert (line["method"], line["path"], line["address"]) == ("POST", "/accounts/login/", "192.0.2.10")
    assert "wrong-guess" not in str(line)


def test_a_wrong_password_at_the_token_exchange_is_logged(head_a, security_lines):
    api().post("/api/token/", {"username": "head_a", "password": "guess"}, format="json")
    [line] = security_lines()
    assert (line["event"], line["username"], line["path"]) == ("signin_failed", "head_a", "/api/token/")


def test_the_lockout_is_one_line_at_the_attempt_that_locks(client, official, security_lines):
    for _ in range(LIMIT):
        sign_in(client, "official")
    assert len(security_lines("signin_failed")) == LIMIT
    [locked] = security_lines("signin_locked_out")
    assert (locked["username"], locked["address"], locked["path"]) == (
        "official",
        "127.0.0.1",
        "/accounts/login/",
    )
    # Each attempt while locked is refused and logged again.
    sign_in(client, "official", "pass-word-123")
    assert len(security_lines("signin_locked_out")) == 2


def test_a_user_name_cannot_forge_a_second_line(client, db, security_lines):
    sign_in(client, "x\nevent=signin_ok user=admin")
    [line] = security_lines()
    assert line["username"] == "x\\nevent=signin_ok user=admin"


# --- refused accesses ------------------------------------------------------------------------


def test_a_household_outside_the_area_is_one_refused_access(
    client, head_a, household_a, household_b, security_lines
):
    client.force_login(head_a)
    # Pages that answer write nothing.
    assert client.get(reverse("villages:household", args=[household_a.pk])).status_code == 200
    assert api(head_a).get("/api/households/").status_code == 200
    assert client.get(reverse("villages:household", args=[household_b.pk])).status_code == 404
    [line] = security_lines()
    assert line["event"] == "access_refused"
    assert (line["user"], line["user_id"], line["status"]) == ("head_a", str(head_a.pk), "404")
    assert (line["method"], line["path"]) == ("GET", f"/households/{household_b.pk}/")


def test_a_refused_api_read_names_the_token_user(head_a, resident_b, security_lines):
    assert api(head_a).get(f"/api/residents/{resident_b.pk}/").status_code == 404
    [line] = security_lines()
    assert (line["event"], line["user"], line["status"]) == ("access_refused", "head_a", "404")


def test_an_api_request_without_credentials_is_a_refused_access(db, security_lines):
    assert api().get("/api/households/").status_code == 401
    [line] = security_lines()
    assert (line["event"], line["user"], line["status"]) == ("access_refused", "anonymous", "401")


def test_a_forbidden_admin_change_is_a_refused_access(client, leader, household_a, security_lines):
    response = staff(client, leader).post(
        reverse("admin:villages_household_change", args=[household_a.pk]), {}
    )
    assert response.status_code == 403
    [line] = security_lines()
    assert (line["event"], line["user"], line["status"]) == ("access_refused", "leader", "403")


def test_a_post_without_its_csrf_token_is_a_refused_access(head_a, household_a, security_lines):
    client = Client(enforce_csrf_checks=True)
    client.force_login(head_a)
    assert client.post(reverse("villages:household_edit", args=[household_a.pk]), {}).status_code == 403
    [line] = security_lines()
    assert (line["event"], line["user"], line["status"]) == ("access_refused", "head_a", "403")


# --- refused stale writes --------------------------------------------------------------------


def household_post(household, **changes):
    return {"address": "", "phone": "", "worker_in_charge": "", "version": household.version, **changes}


def test_a_stale_page_edit_is_one_line(client, head_a, household_a, security_lines):
    client.force_login(head_a)
    stale = household_post(household_a, address="mine")
    household_a.save()  # a colleague saves in between
    response = client.post(reverse("villages:household_edit", args=[household_a.pk]), stale)
    assert response.context["stale"]
    [line] = security_lines()
    assert (line["event"], line["user"]) == ("stale_write_refused", "head_a")
    assert (line["model"], line["record"]) == ("villages.household", str(household_a.pk))


def test_a_stale_admin_change_is_one_line(client, official, household_a, security_lines):
    read_version = household_a.version
    household_a.save()
    data = {
        "village": household_a.village_id,
        "code": household_a.code,
        "address": "mine",
        "phone": "",
        "worker_in_charge": "",
        "read_version": read_version,
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    response = staff(client, official).post(
        reverse("admin:villages_household_change", args=[household_a.pk]), data
    )
    assert response.status_code == 200
    [line] = security_lines()
    assert (line["event"], line["model"], line["record"]) == (
        "stale_write_refused",
        "villages.household",
        str(household_a.pk),
    )


@pytest.mark.parametrize(
    "headers, body, status",
    [({"If-Match": '"1"'}, {}, 412), ({}, {"version": 1}, 409)],
    ids=["etag", "version"],
)
def test_a_stale_api_write_is_one_line(
    official, household_a, resident_a, security_lines, headers, body, status
):
    # Another conflict, a household with members kept from deletion, is not a stale write.
    assert api(official).delete(f"/api/households/{household_a.pk}/").status_code == 409
    household_a.save()  # version 2
    response = api(official).patch(
        f"/api/households/{household_a.pk}/", {"address": "mine", **body}, format="json", headers=headers
    )
    assert response.status_code == status
    [line] = security_lines()
    assert (line["event"], line["user"], line["method"]) == ("stale_write_refused", "official", "PATCH")
    assert (line["model"], line["record"]) == ("household", str(household_a.pk))


# --- exports ---------------------------------------------------------------------------------


def test_a_roster_export_is_one_line(client, official, resident_a, security_lines):
    # The API's lists are not exports.
    assert api(official).get("/api/residents/").status_code == 200
    client.force_login(official)
    assert client.get(reverse("roster:export", args=["residents", "csv"])).status_code == 200
    [line] = security_lines()
    assert (line["event"], line["user"], line["format"]) == ("export", "official", "csv")
    assert line["path"] == "/roster/export/residents.csv"


def test_a_report_export_is_one_line(client, official, resident_a, security_lines):
    client.force_login(official)
    response = client.get(reverse("reports:export", kwargs={"table": "adoption", "fmt": "xlsx"}))
    assert response.status_code == 200
    [line] = security_lines()
    assert (line["event"], line["format"]) == ("export", "xlsx")


def test_the_model_workbook_is_one_line(client, official, commune, village_a, security_lines):
    model = mobilization_model_save(
        model=MobilizationModel(
            commune=commune,
            name="Tổ công nghệ số",
            field=MobilizationModel.Field.ONLINE_PUBLIC_SERVICES,
            owner=factories.worker_group(commune),
            started_on="2025-01-01",
        ),
        villages=[village_a],
        goals=[],
    )
    client.force_login(official)
    assert client.get(reverse("program:model_review_xlsx", args=[model.pk])).status_code == 200
    [line] = security_lines()
    assert (line["event"], line["format"]) == ("export", "xlsx")


def test_an_admin_export_is_one_line(client, official, resident_a, security_lines):
    model_admin = admin.site.get_model_admin(apps.get_model("villages", "resident"))
    formats = model_admin.get_export_formats()
    csv_index = next(i for i, f in enumerate(formats) if f().get_title() == "csv")
    resource = model_admin.get_export_resource_classes(None)[0]
    data = {"format": str(csv_index), "resource": "0"}
    data.update({f"{resource.__name__.lower()}_{name}": "on" for name in resource().get_export_order()})
    response = staff(client, official).post(reverse("admin:villages_resident_export"), data)
    assert response.status_code == 200
    [line] = security_lines()
    assert (line["event"], line["user"], line["format"]) == ("export", "official", "csv")


# --- never the personal data -----------------------------------------------------------------


def test_no_line_carries_a_residents_name_id_number_or_phone(
    client, official, head_a, household_a, household_b, security_lines
):
    name, national_id, phone = "Lương Thị Xuân", "001185009876", "0912 345 678"
    resident = factories.resident(household_b, full_name=name, national_id=national_id, phone=phone)
    client.force_login(head_a)
    # Refused: a resident outside head_a's village, by page and API, with the name searched for.
    client.get(reverse("villages:member_edit", args=[household_b.pk, resident.pk]), {"q": name})
    api(head_a).get(f"/api/residents/{resident.pk}/", {"search": name, "phone": phone})
    # A stale write of the resident's phone, and the export holding them.
    resident.save()
    api(official).patch(f"/api/residents/{resident.pk}/", {"phone": phone, "version": 1}, format="json")
    client.force_login(official)
    client.get(reverse("roster:export", args=["residents", "xlsx"]), {"q": national_id})
    events = [line["event"] for line in security_lines()]
    assert events == ["access_refused", "access_refused", "stale_write_refused", "export"]
    logged = " ".join(str(line) for line in security_lines())
    for secret in (name, national_id, phone, phone.replace(" ", ""), "Xuân"):
        assert secret not in logged


# --- what refuses nobody anything ------------------------------------------------------------


def test_the_site_has_a_favicon(client, db):
    """Browsers ask for /favicon.ico on pages that name no icon (the admin, the API's pages):
    it is the app's icon (siteroot/favicon.ico, served by WhiteNoise), not a 404."""
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an icon file: reserved 0, type 1 (icon)
    assert b"\x89PNG" in body


@pytest.mark.parametrize(
    "path", ["/static/css/gone.css", "/static/js/outbox-core.0123456789ab.js", "/apple-touch-icon.png"]
)
def test_a_missing_static_file_is_a_404_but_no_security_event(client, db, security_lines, path):
    """An old page asking for a file a new version renamed, or a browser its own icon: no such
    file, nothing refused."""
    assert client.get(path).status_code == 404
    assert security_lines() == []


def test_a_missing_page_or_record_is_still_a_refused_access(client, official, security_lines):
    client.force_login(official)

    assert client.get("/households/999999/").status_code == 404
    assert client.get("/static-pages/gone/").status_code == 404
    assert client.post("/static/css/gone.css").status_code in (403, 404, 405)
    assert [(line["path"], line["status"]) for line in security_lines()][:2] == [
        ("/households/999999/", "404"),
        ("/static-pages/gone/", "404"),
    ]
    assert len(security_lines()) == 3
