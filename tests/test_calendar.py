"""The commune's calendar: its today is the date in Hanoi, not the server's; a date after it is
refused with one message on the pages, the API, the admin and the import (a training session's
is planned instead, up to a year ahead); one month parser."""

import datetime
import uuid
from unittest import mock

import pytest
from django.urls import reverse

from mobilization.models import HomeVisit
from softbridge.calendar import FUTURE, PLANNING_DAYS, commune_today, parse_month
from tests.factories import api_client as api
from tests.test_roster_import import ENGLISH, csv_file
from training.models import TrainingSession
from villages.roster.importing import roster_import

D = datetime.date
UTC = datetime.UTC
# 23:30 in Greenwich is 06:30 the next morning in Hanoi (UTC+7).
LATE_EVENING_UTC = datetime.datetime(2020, 5, 1, 23, 30, tzinfo=UTC)
HANOI_TODAY = D(2020, 5, 2)
HANOI_TOMORROW = D(2020, 5, 3)


@pytest.fixture
def late_evening_utc():
    """The clock at 23:30 UTC on 1 May 2020: the server's date is the 1st, the commune's the 2nd."""
    with mock.patch("django.utils.timezone.now", return_value=LATE_EVENING_UTC):
        yield


def test_the_communes_today_is_the_date_in_hanoi_not_in_greenwich():
    assert commune_today(LATE_EVENING_UTC) == HANOI_TODAY
    assert commune_today(datetime.datetime(2020, 5, 1, 16, 59, tzinfo=UTC)) == D(2020, 5, 1)
    assert commune_today(datetime.datetime(2020, 5, 1, 17, 0, tzinfo=UTC)) == D(2020, 5, 2)


def test_the_communes_today_follows_the_clock(late_evening_utc):
    assert commune_today() == HANOI_TODAY


def visit_post(household, worker, visited_on):
    return {
        "submission_key": str(uuid.uuid4()),
        "household": household.pk,
        "visited_on": visited_on.isoformat(),
        "workers": [worker.pk],
        "outcome": HomeVisit.Outcome.DONE,
        "follow_up_on": "",
        "notes": "",
    }


def test_the_visit_page_takes_the_communes_today_and_refuses_tomorrow(
    late_evening_utc, english_client, worker_a, household_a
):
    me = worker_a.workers.get()
    english_client.force_login(worker_a)
    refused = english_client.post(reverse("visits:new"), visit_post(household_a, me, HANOI_TOMORROW))
    assert refused.status_code == 200
    assert refused.context["form"].errors["visited_on"] == [str(FUTURE)]
    assert not HomeVisit.objects.exists()
    assert (
        english_client.post(reverse("visits:new"), visit_post(household_a, me, HANOI_TODAY)).status_code
        == 302
    )
    assert HomeVisit.objects.get().visited_on == HANOI_TODAY


def test_the_session_page_plans_a_day_after_the_communes_today_and_holds_its_today(
    late_evening_utc, english_client, official, village_a
):
    # A session may be planned ahead (tests/test_planned_sessions.py): what the commune's today
    # decides for a session is whether it is held (attendance taken) or planned, and how far
    # ahead it may be planned.
    english_client.force_login(official)

    def post(day):
        data = {
            "submission_key": str(uuid.uuid4()),
            "held_on": day.isoformat(),
            "village": village_a.pk,
            "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
            "venue": "",
            "notes": "",
        }
        return english_client.post(reverse("training:new"), data)

    held = post(HANOI_TODAY)
    assert held.url == reverse("training:attendance", args=[TrainingSession.objects.get().pk])
    planned = post(HANOI_TOMORROW)
    session = TrainingSession.objects.get(held_on=HANOI_TOMORROW)
    assert planned.url == reverse("training:session", args=[session.pk]) and session.is_planned
    beyond = post(HANOI_TODAY + datetime.timedelta(days=PLANNING_DAYS + 1))
    assert beyond.status_code == 200
    assert beyond.context["form"].errors["held_on"] == [
        "2021-05-03 is too far ahead: a session can be planned up to 2021-05-02."
    ]
    assert TrainingSession.objects.count() == 2


def test_the_api_takes_the_communes_today_and_refuses_tomorrow(late_evening_utc, worker_a, household_a):
    def post(day):
        return api(worker_a).post(
            "/api/visits/", {"household": household_a.pk, "visited_on": str(day)}, format="json"
        )

    refused = post(HANOI_TOMORROW)
    assert refused.status_code == 400
    assert refused.json()["visited_on"] == [str(FUTURE)]
    assert not HomeVisit.objects.exists()
    assert post(HANOI_TODAY).status_code == 201, post(HANOI_TODAY).content


def test_the_api_refuses_a_ladder_date_after_the_communes_today(late_evening_utc, official, resident_a):
    response = api(official).post(
        f"/api/residents/{resident_a.pk}/ladder/", {"step": "eid", "on": str(HANOI_TOMORROW)}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["on"] == [str(FUTURE)]


def test_the_admin_refuses_a_visit_after_the_communes_today(
    late_evening_utc, english_client, worker_a, household_a
):
    worker_a.is_staff = True
    worker_a.save(update_fields=["is_staff"])
    english_client.force_login(worker_a)
    data = {
        "household": household_a.pk,
        "visited_on": HANOI_TOMORROW.isoformat(),
        "workers": [worker_a.workers.get().pk],
        "outcome": HomeVisit.Outcome.DONE,
        **{f"helped-{key}": value for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()},
    }
    response = english_client.post(reverse("admin:mobilization_homevisit_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["visited_on"] == [str(FUTURE)]
    assert not HomeVisit.objects.exists()
    data["visited_on"] = HANOI_TODAY.isoformat()
    assert english_client.post(reverse("admin:mobilization_homevisit_add"), data).status_code == 302


def roster_row(eid_on: datetime.date) -> list[str]:
    return (
        ["NK", "Nà Khau", "NK-001", "Nông Thị Hoa", "chủ hộ", "Nữ", "1985"]
        + [""] * 4
        + [eid_on.isoformat()]
        + [""] * 2
    )


def test_the_import_takes_the_communes_today_and_refuses_tomorrow(late_evening_utc, commune):
    refused = roster_import(commune=commune, source=csv_file([roster_row(HANOI_TOMORROW)], headers=ENGLISH))
    assert not refused.saved
    assert [(error.row, error.column) for error in refused.errors] == [(2, "eid_on")]
    assert str(FUTURE) in str(refused.errors[0])
    saved = roster_import(commune=commune, source=csv_file([roster_row(HANOI_TODAY)], headers=ENGLISH))
    assert saved.saved and not saved.errors


# --- months


@pytest.mark.parametrize(
    "text,month",
    [
        ("2024-08", D(2024, 8, 1)),
        (" 2024-08 ", D(2024, 8, 1)),
        ("1900-01", D(1900, 1, 1)),
        ("2100-12", D(2100, 12, 1)),
        # What the visit list's copy took and the reports' did not: not what <input type=month> sends.
        ("2024-8", None),
        ("0999-01", None),
        ("3000-01", None),
        # What the reports' copy took: `\d` matches any script's digits.
        ("२०२४-०८", None),
        ("2024-13", None),
        ("2024-00", None),
        ("2024-08-01", None),
        ("2024-08\n1", None),
        ("", None),
        (None, None),
    ],
)
def test_one_month_parser(text, month):
    assert parse_month(text) == month


@pytest.mark.parametrize("month", ["2024-8", "0999-01"])
def test_the_visit_list_refuses_a_month_the_reports_refuse(english_client, official, month):
    english_client.force_login(official)
    response = english_client.get(reverse("visits:list"), {"month": month})
    assert response.status_code == 200 and response.context["form"].errors["month"]


@pytest.mark.parametrize("month", ["2024-8", "0999-01"])
def test_the_session_list_refuses_a_month_the_reports_refuse(english_client, official, month):
    english_client.force_login(official)
    response = english_client.get(reverse("training:sessions"), {"month": month})
    assert response.status_code == 200 and response.context["filters"].errors["month"]


def test_the_dashboard_refuses_a_month_in_other_digits(english_client, official, commune):
    english_client.force_login(official)
    response = english_client.get(reverse("reports:dashboard"), {"start": "२०२४-०८", "end": "2024-09"})
    assert response.status_code == 200 and "start" in response.context["form"].errors
