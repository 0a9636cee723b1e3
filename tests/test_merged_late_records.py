"""A record kept on a phone and sent after a merge (residents_merge) naming the record merged away
is applied to the record kept (villages.merges), through every door the outbox and the API
offer: the visit page, the attendance page, the API's visits and attendance. Never doubled:
a help naming both records is one help, a resend is answered once, an attendance of the kept
record gains the achievements.
"""

import datetime
import uuid

import pytest
from django.urls import reverse

from mobilization.models import HomeVisit, VisitHelp, Worker
from softbridge.calendar import commune_today
from tests import factories
from training.models import Attendance
from training.services import session_record
from villages.models import Achievement, Resident
from villages.services import residents_merge

DAY = datetime.timedelta(days=1)
TODAY = commune_today()
EID, PHONE = Achievement.EID_ACTIVATED, Achievement.SMARTPHONE


@pytest.fixture
def merged(household_a, official):
    """Mai entered twice in household A; the official merged the second into the first."""
    kept = factories.resident(household_a, full_name="Nông Thị Mai", birth_year=1990)
    other = factories.resident(household_a, full_name="Nong Thi Mai", birth_year=1990)
    residents_merge(kept=kept, other=other, by=official)
    assert not Resident.objects.filter(pk=other.pk).exists()
    return kept, other


def worker_of(user) -> Worker:
    return Worker.objects.get(user=user)


def visit_page(household, worker, **ticks) -> dict:
    """The visit form as the outbox sends it, kept on the phone two days."""
    return {
        "submission_key": str(uuid.uuid4()),
        "household": household.pk,
        "visited_on": (TODAY - 2 * DAY).isoformat(),
        "workers": [worker.pk],
        "outcome": HomeVisit.Outcome.DONE,
        "follow_up_on": "",
        "notes": "",
        **ticks,
    }


def visit_api(household, worker, helped) -> dict:
    return {
        "household": household.pk,
        "visited_on": (TODAY - 2 * DAY).isoformat(),
        "workers": [worker.pk],
        "helped": helped,
        "submission_key": str(uuid.uuid4()),
    }


def test_a_late_visit_page_naming_the_merged_away_record_helps_the_kept_one(
    english_client, worker_a, household_a, merged
):
    kept, other = merged
    english_client.force_login(worker_a)
    data = visit_page(household_a, worker_of(worker_a), **{f"achievements_{other.pk}": [EID]})

    response = english_client.post(reverse("visits:new"), data)
    again = english_client.post(reverse("visits:new"), data)  # the outbox sends it again

    assert response.status_code == again.status_code == 302
    assert list(VisitHelp.objects.values_list("resident", "achievements")) == [(kept.pk, [EID])]
    assert Resident.objects.get(pk=kept.pk).eid_on == TODAY - 2 * DAY


def test_a_late_visit_page_ticking_both_records_is_one_help_with_both_achievements(
    english_client, worker_a, household_a, merged
):
    kept, other = merged
    english_client.force_login(worker_a)
    ticks = {f"achievements_{kept.pk}": [PHONE], f"achievements_{other.pk}": [EID, PHONE]}

    response = english_client.post(
        reverse("visits:new"), visit_page(household_a, worker_of(worker_a), **ticks)
    )

    assert response.status_code == 302
    assert list(VisitHelp.objects.values_list("resident", "achievements")) == [(kept.pk, [PHONE, EID])]


def test_a_late_api_visit_naming_the_merged_away_record_helps_the_kept_one_once(
    worker_a, household_a, merged
):
    kept, other = merged
    api = factories.api_client(worker_a)
    body = visit_api(household_a, worker_of(worker_a), [{"resident": other.pk, "achievements": [EID]}])

    answer = api.post("/api/visits/", body, format="json")
    again = api.post("/api/visits/", body, format="json")

    assert answer.status_code == 201, answer.content
    assert again.status_code in (200, 201)
    assert HomeVisit.objects.count() == 1
    assert list(VisitHelp.objects.values_list("resident", "achievements")) == [(kept.pk, [EID])]
    assert answer.json()["helped"] == [{"resident": kept.pk, "achievements": [EID]}]


def test_a_late_api_visit_naming_both_records_is_one_help_and_a_person_named_twice_is_refused(
    worker_a, household_a, resident_a, merged
):
    kept, other = merged
    api = factories.api_client(worker_a)
    both = [{"resident": kept.pk, "achievements": [PHONE]}, {"resident": other.pk, "achievements": [EID]}]

    answer = api.post("/api/visits/", visit_api(household_a, worker_of(worker_a), both), format="json")

    assert answer.status_code == 201, answer.content
    assert list(VisitHelp.objects.values_list("resident", "achievements")) == [(kept.pk, [PHONE, EID])]
    # Anyone else named twice is still the sender's mistake, refused whole.
    twice = [{"resident": resident_a.pk, "achievements": [PHONE]}] * 2
    refused = api.post("/api/visits/", visit_api(household_a, worker_of(worker_a), twice), format="json")
    assert refused.status_code == 400
    assert HomeVisit.objects.count() == 1


def test_a_late_attendance_page_naming_the_merged_away_record_adds_to_the_kept_one(
    client, official, commune, village_a, merged
):
    kept, other = merged
    session = session_record(commune=commune, village=village_a, held_on=TODAY - 3 * DAY)
    Attendance.objects.create(session=session, resident=kept, achievements=[PHONE])
    client.force_login(official)
    data = {
        "action": "save",
        "submission_key": str(uuid.uuid4()),
        "resident": [kept.pk, other.pk],
        "was_present": [kept.pk],
        f"ach-{kept.pk}": [PHONE],
        f"ach-{other.pk}": [EID],
    }

    response = client.post(reverse("training:attendance", args=[session.pk]), data)

    assert response.status_code == 302
    assert list(Attendance.objects.values_list("resident", "achievements")) == [(kept.pk, [PHONE, EID])]
    assert Resident.objects.get(pk=kept.pk).eid_on == TODAY - 3 * DAY


def test_a_late_api_attendance_naming_the_merged_away_record_is_the_kept_one_s(
    official, commune, village_a, merged
):
    kept, other = merged
    session = session_record(commune=commune, village=village_a, held_on=TODAY - 3 * DAY)
    url = f"/api/training-sessions/{session.pk}/attendance/"

    answer = factories.api_client(official).post(
        url, {"resident": other.pk, "achievements": [EID]}, format="json"
    )

    assert answer.status_code in (200, 201), answer.content
    assert list(Attendance.objects.values_list("resident", "achievements")) == [(kept.pk, [EID])]


def test_a_record_merged_into_one_merged_in_turn_names_the_last_kept(worker_a, official, household_a, merged):
    kept, other = merged
    last = factories.resident(household_a, full_name="Nông Thị Mai", birth_year=1990, phone="0912000111")
    residents_merge(kept=last, other=Resident.objects.get(pk=kept.pk), by=official)
    body = visit_api(household_a, worker_of(worker_a), [{"resident": other.pk, "achievements": [EID]}])

    answer = factories.api_client(worker_a).post("/api/visits/", body, format="json")

    assert answer.status_code == 201, answer.content
    assert list(VisitHelp.objects.values_list("resident", flat=True)) == [last.pk]


def test_an_id_never_merged_is_still_refused_naming_the_field(worker_a, household_a, merged):
    body = visit_api(household_a, worker_of(worker_a), [{"resident": 999_999, "achievements": [EID]}])

    answer = factories.api_client(worker_a).post("/api/visits/", body, format="json")

    assert answer.status_code == 400
    assert "helped" in answer.json()
    assert not HomeVisit.objects.exists()
