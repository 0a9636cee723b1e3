"""The supervisor sees the phones (issue 27): each phone posts its figures for the user signed
in on it; the commune's officials read their commune's phones, those to look at first, on a
page and in the API; nobody else does."""

import datetime
import logging
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devices.models import DeviceReport, Warning
from devices.services import device_report_record
from frontdoor.device import _site_version
from tests import factories

URL = "/api/devices/report/"
PHONE = uuid.UUID("5b0c3f9e-2d41-4a57-9f0e-7c3a1b2d4e6f")
D = datetime.timedelta


def figures(**more) -> dict:
    return {
        "device": str(PHONE),
        "version": _site_version(),
        "waiting": 2,
        "oldest_waiting_seconds": 3600,
        "refused": 1,
        "pages_kept": 369,
        "storage_used": 2_200_000,
        "storage_quota": 100_000_000,
        "persisted": True,
        **more,
    }


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def reported(user, *, at=None, **more) -> DeviceReport:
    """A phone's report through the service, `at` a moment before now."""
    given = figures(**more)
    seconds = given.pop("oldest_waiting_seconds")
    return device_report_record(
        user=user,
        **{**given, "device": uuid.UUID(given["device"])},
        oldest_waiting_age=None if seconds is None else D(seconds=seconds),
        now=at,
    )


# --- The phone's report ---------------------------------------------------------------------


def test_a_phone_report_is_kept_for_the_signed_in_user(client, worker_a):
    client.force_login(worker_a)
    before = timezone.now()

    response = post(client, figures())

    assert response.status_code == 204
    report = DeviceReport.objects.get()
    assert (report.device, report.user, report.version) == (PHONE, worker_a, _site_version())
    assert (report.waiting, report.refused, report.pages_kept) == (2, 1, 369)
    assert (report.storage_used, report.storage_quota, report.persisted) == (2_200_000, 100_000_000, True)
    assert before <= report.last_contact == report.first_contact <= timezone.now()
    # Dated by the server's clock from the age the phone gave: an hour before it said so.
    assert abs(report.oldest_waiting_since - (report.last_contact - D(hours=1))) < D(seconds=1)


def test_the_next_report_replaces_the_last_and_keeps_the_first_contact(worker_a):
    first = reported(worker_a, at=timezone.now() - D(days=2))

    client = Client()
    client.force_login(worker_a)
    post(client, figures(waiting=0, oldest_waiting_seconds=None, refused=0, pages_kept=370))

    report = DeviceReport.objects.get()
    assert (report.waiting, report.oldest_waiting_since, report.refused, report.pages_kept) == (
        0,
        None,
        0,
        370,
    )
    assert report.first_contact == first.first_contact < report.last_contact


def test_a_shared_phone_keeps_a_report_per_user(client, worker_a, head_a):
    for user in (worker_a, head_a):
        client.force_login(user)
        assert post(client, figures()).status_code == 204

    assert sorted(DeviceReport.objects.values_list("user__username", flat=True)) == ["head_a", "worker_a"]


def test_a_report_names_no_one_but_its_user():
    fields = {field.name for field in DeviceReport._meta.get_fields()}

    assert fields == {
        "id",
        "device",
        "user",
        "version",
        "first_contact",
        "last_contact",
        "waiting",
        "oldest_waiting_since",
        "refused",
        "pages_kept",
        "storage_used",
        "storage_quota",
        "persisted",
    }


def test_a_report_without_the_csrf_token_is_refused(worker_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_a)

    response = post(client, figures())

    assert response.status_code == 403
    assert not DeviceReport.objects.exists()


def test_a_report_with_the_csrf_token_is_taken(worker_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_a)
    client.get("/outbox/")  # a page gives the phone its token cookie

    response = client.post(
        URL,
        figures(),
        content_type="application/json",
        headers={"x-csrftoken": client.cookies["csrftoken"].value},
    )

    assert response.status_code == 204


def test_a_report_without_a_session_is_refused(client, db):
    response = post(client, figures())

    assert response.status_code == 401
    assert response.json()["signin"] is True
    assert not DeviceReport.objects.exists()


def security_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "softbridge.security"]


def test_a_signed_out_phones_report_is_no_security_event(client, worker_a, caplog):
    """A page outlives its session (a copy opened offline the next day): its report, sent when
    the network returns, is the phone's normal course, not a refused access."""
    caplog.set_level(logging.INFO, logger="softbridge.security")
    client.force_login(worker_a)
    client.logout()

    response = post(client, figures())

    assert response.status_code == 401
    assert security_lines(caplog) == []


def test_a_signed_in_report_without_its_csrf_token_is_still_a_security_event(worker_a, caplog):
    caplog.set_level(logging.INFO, logger="softbridge.security")
    client = Client(enforce_csrf_checks=True)
    client.force_login(worker_a)

    assert post(client, figures()).status_code == 403
    [line] = security_lines(caplog)
    assert "event=access_refused" in line and "path=/api/devices/report/" in line and "status=403" in line


def test_only_a_signed_out_post_is_answered_as_signed_out(client, db, caplog):
    """Nothing but a phone posts its report: another method signed out is refused and logged."""
    caplog.set_level(logging.INFO, logger="softbridge.security")

    assert client.get(URL).status_code == 403
    assert len(security_lines(caplog)) == 1


def test_a_report_with_a_token_is_refused(worker_a):
    # Only the phone's session: a token would carry no CSRF check and no phone.
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=worker_a)

    response = Client().post(
        URL, figures(), content_type="application/json", headers={"authorization": f"Token {token.key}"}
    )

    assert response.status_code == 403
    assert not DeviceReport.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"device": "not-a-uuid"}, "device"),
        ({"waiting": -1}, "waiting"),
        ({"waiting": "many"}, "waiting"),
        ({"refused": None}, "refused"),
        ({"pages_kept": 10**9}, "pages_kept"),
        ({"oldest_waiting_seconds": -5}, "oldest_waiting_seconds"),
        ({"storage_used": 200, "storage_quota": 100}, "storage_used"),
        ({"version": "v" * 41}, "version"),
        ({"persisted": "perhaps"}, "persisted"),
    ],
)
def test_a_bad_report_answers_400_naming_the_field_and_keeps_nothing(client, worker_a, change, field):
    client.force_login(worker_a)

    response = post(client, figures(**change))

    assert response.status_code == 400
    assert field in response.json()
    assert not DeviceReport.objects.exists()


# (A deeply nested body is issue 28's finding 6, answered for every API write in one place.)
@pytest.mark.parametrize("body", ["[]", "null", '"text"', "{"])
def test_a_report_that_is_not_an_object_answers_400(client, worker_a, body):
    client.force_login(worker_a)

    response = client.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert not DeviceReport.objects.exists()


def test_a_missing_field_is_named(client, worker_a):
    client.force_login(worker_a)
    body = figures()
    del body["pages_kept"]

    response = post(client, body)

    assert (response.status_code, list(response.json())) == (400, ["pages_kept"])


def test_nothing_waiting_has_no_oldest_record(worker_a):
    report = reported(worker_a, waiting=0, oldest_waiting_seconds=7200)

    assert report.oldest_waiting_since is None


# --- What to look at ------------------------------------------------------------------------


def warnings(report, now=None) -> list[str]:
    return report.warnings(now=now or timezone.now(), version=_site_version())


def test_a_phone_in_good_order_has_nothing_to_look_at(worker_a):
    assert warnings(reported(worker_a)) == []


def test_a_phone_unseen_for_3_days_with_records_waiting_is_flagged(worker_a):
    now = timezone.now()
    report = reported(worker_a, at=now - D(days=3, seconds=1), oldest_waiting_seconds=0)

    assert warnings(report, now) == [Warning.UNSEEN, Warning.OLD_WAITING]
    assert warnings(report, now - D(seconds=2)) == [Warning.OLD_WAITING]
    nothing_waiting = reported(worker_a, at=now - D(days=10), waiting=0, oldest_waiting_seconds=None)
    assert warnings(nothing_waiting, now) == []


def test_a_record_waiting_over_24_hours_is_flagged(worker_a):
    now = timezone.now()

    assert warnings(reported(worker_a, at=now, oldest_waiting_seconds=24 * 3600 + 1), now) == [
        Warning.OLD_WAITING
    ]
    assert warnings(reported(worker_a, at=now, oldest_waiting_seconds=24 * 3600 - 60), now) == []


def test_storage_over_80_per_cent_is_flagged(worker_a):
    assert warnings(reported(worker_a, storage_used=81, storage_quota=100)) == [Warning.STORAGE]
    assert warnings(reported(worker_a, storage_used=80, storage_quota=100)) == []
    assert warnings(reported(worker_a, storage_used=None, storage_quota=None)) == []


def test_an_old_version_is_flagged(worker_a):
    assert warnings(reported(worker_a, version="0123456789ab")) == [Warning.OLD_VERSION]


# --- The officials' page and API ------------------------------------------------------------


@pytest.fixture
def phones(worker_a, head_a, outsider):
    """The worker's phone in good order; the village head's unseen for 4 days with a record
    waiting for 5; a phone of the other commune's official."""
    now = timezone.now()
    good = reported(worker_a)
    stale = reported(
        head_a,
        at=now - D(days=4),
        device=str(uuid.uuid4()),
        oldest_waiting_seconds=86400,
        version="0123456789ab",
    )
    other = reported(outsider, device=str(uuid.uuid4()))
    return good, stale, other


def test_the_official_sees_the_communes_phones_those_to_look_at_first(client, official, phones):
    good, stale, _other = phones
    client.force_login(official)

    response = client.get("/devices/", headers={"accept-language": "en"})

    assert response.status_code == 200
    assert [report.pk for report, _w in response.context["rows"]] == [stale.pk, good.pk]
    assert response.context["rows"][0][1] == [Warning.UNSEEN, Warning.OLD_WAITING, Warning.OLD_VERSION]
    page = response.content.decode()
    assert "not seen for 3 days with records waiting" in page
    assert "an old version of the app" in page
    assert f'id="device-{good.pk}"' in page
    assert "outsider" not in page


def test_the_api_gives_the_official_the_same_figures(official, phones):
    good, stale, _other = phones

    body = factories.api_client(official).get("/api/devices/").json()

    by_device = {row["device"]: row for row in body["results"]}
    assert set(by_device) == {str(good.device), str(stale.device)}
    row = by_device[str(stale.device)]
    assert (row["user"], row["waiting"], row["refused"], row["pages_kept"]) == ("head_a", 2, 1, 369)
    assert (row["storage_used"], row["storage_quota"], row["persisted"]) == (2_200_000, 100_000_000, True)
    assert row["storage_share"] == 0.022
    assert row["warnings"] == ["unseen", "old_waiting", "old_version"]
    assert by_device[str(good.device)]["warnings"] == []


def test_a_superuser_sees_every_phone(superuser, phones):
    body = factories.api_client(superuser).get("/api/devices/").json()

    assert len(body["results"]) == 3


@pytest.mark.parametrize("role", ["worker_a", "head_a", "leader"])
def test_other_roles_are_refused_the_phones(client, request, role, phones):
    user = request.getfixturevalue(role)
    client.force_login(user)

    assert client.get("/devices/").status_code == 403
    assert factories.api_client(user).get("/api/devices/").status_code == 403


def test_a_province_leader_is_refused_the_phones(client, phones):
    tinh = factories.province_leader(factories.province("04"))
    client.force_login(tinh)

    assert client.get("/devices/").status_code == 403
    assert factories.api_client(tinh).get("/api/devices/").status_code == 403


def test_anonymous_is_sent_to_sign_in(client):
    assert client.get("/devices/")["Location"].startswith("/accounts/login/")
    assert factories.api_client().get("/api/devices/").status_code == 401


def test_the_page_costs_the_same_queries_however_many_phones(client, official, commune, phones):
    client.force_login(official)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/devices/").status_code == 200
        return len(context.captured_queries)

    few = queries()
    for _ in range(5):
        user = factories.role_user("worker", commune)
        reported(user, device=str(uuid.uuid4()))
    assert queries() == few


def test_signed_in_field_users_pages_load_the_report_and_a_province_leaders_do_not(client, worker_a):
    client.force_login(worker_a)
    assert "js/device-report" in client.get("/outbox/").content.decode()
    tinh = factories.province_leader(factories.province("04"))
    client.force_login(tinh)
    # Their phone's report would be refused (they read figures only) and nobody's to read.
    assert "js/device-report" not in client.get("/reports/province/").content.decode()
    client.logout()
    assert "js/device-report" not in client.get("/accounts/login/").content.decode()
