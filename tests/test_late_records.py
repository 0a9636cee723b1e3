"""Records kept on a phone and sent late merge: they never overwrite, vanish or half-save.

A visit may help whoever was a member of the household on the visit's date; a ladder step's
date is the earliest any record gives; a record that cannot be applied as sent is refused
whole, with the reason, and stays on the phone (docs/late-records.md).
"""

import datetime
import uuid

import pytest
from django.urls import reverse

from mobilization.models import Application, HomeVisit, VisitHelp
from mobilization.services import Help, visit_log
from softbridge.calendar import commune_today
from tests import factories
from training.models import Attendance
from training.services import attendance_record, session_record
from villages.models import Achievement, LadderStep, Resident
from villages.services import resident_departure_record, resident_ladder_advance, resident_move

DAY = datetime.timedelta(days=1)
TODAY = commune_today()


@pytest.fixture
def me(worker_a):
    return worker_a.workers.get()


@pytest.fixture
def member(household_a):
    """M, a second member of household A besides Hoa."""
    return factories.resident(household_a, full_name="Nông Văn Minh", birth_year=1990)


def visit_form(household, workers, on, **ticks):
    return {
        "submission_key": str(uuid.uuid4()),
        "household": household.pk,
        "visited_on": on.isoformat(),
        "workers": [w.pk for w in workers],
        "outcome": HomeVisit.Outcome.DONE,
        "follow_up_on": "",
        "notes": "",
        **ticks,
    }


def visit_api(household, on, helped):
    return {
        "household": household.pk,
        "visited_on": on.isoformat(),
        "helped": helped,
        "submission_key": str(uuid.uuid4()),
    }


def fresh(resident) -> Resident:
    return Resident.objects.get(pk=resident.pk)


# --- A kept visit sent after a member left keeps what the member achieved


def test_a_kept_visit_sent_after_the_member_moved_away_keeps_their_e_id_on_the_page(
    english_client, worker_a, me, household_a, resident_a, member
):
    resident_departure_record(resident=member, on=TODAY - DAY, reason=Resident.LeftReason.MOVED_AWAY)
    english_client.force_login(worker_a)
    data = visit_form(
        household_a, [me], TODAY - 2 * DAY, **{f"achievements_{member.pk}": [Achievement.EID_ACTIVATED]}
    )
    response = english_client.post(reverse("visits:new"), data)
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    assert list(visit.helped.values_list("resident", "achievements")) == [
        (member.pk, [Achievement.EID_ACTIVATED])
    ]
    assert fresh(member).eid_on == TODAY - 2 * DAY


def test_a_kept_visit_sent_after_the_member_moved_to_another_household_keeps_their_e_id_on_the_page(
    english_client, worker_a, me, household_a, household_b, member
):
    resident_move(resident=member, household=household_b, on=TODAY - DAY)
    english_client.force_login(worker_a)
    data = visit_form(
        household_a, [me], TODAY - 2 * DAY, **{f"achievements_{member.pk}": [Achievement.EID_ACTIVATED]}
    )
    assert english_client.post(reverse("visits:new"), data).status_code == 302
    assert VisitHelp.objects.get().resident_id == member.pk
    assert fresh(member).eid_on == TODAY - 2 * DAY


def test_the_visit_form_is_built_for_the_posted_date(
    english_client, worker_a, household_a, resident_a, member
):
    resident_departure_record(resident=member, on=TODAY - 3 * DAY, reason=Resident.LeftReason.DIED)
    english_client.force_login(worker_a)
    url = reverse("visits:new")
    then = english_client.post(
        url, {"household": household_a.pk, "visited_on": (TODAY - 4 * DAY).isoformat()}
    )
    now = english_client.get(url, {"household": household_a.pk})
    assert [m.pk for m in then.context["form"].members] == [resident_a.pk, member.pk]
    assert [m.pk for m in now.context["form"].members] == [resident_a.pk]


def test_a_kept_visit_sent_after_the_member_moved_away_keeps_their_e_id_through_the_api(
    worker_a, household_a, resident_a, member
):
    resident_departure_record(resident=member, on=TODAY - DAY, reason=Resident.LeftReason.MOVED_AWAY)
    helped = [{"resident": member.pk, "achievements": [Achievement.EID_ACTIVATED]}]
    response = factories.api_client(worker_a).post(
        "/api/visits/", visit_api(household_a, TODAY - 2 * DAY, helped), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["helped"] == helped
    assert fresh(member).eid_on == TODAY - 2 * DAY


def test_a_kept_visit_sent_after_the_member_moved_to_another_village_keeps_them_through_the_api(
    worker_a, household_a, household_b, member
):
    # Household B is in a village the worker does not work in: the member is out of sight now.
    resident_move(resident=member, household=household_b, on=TODAY - DAY)
    helped = [{"resident": member.pk, "achievements": [Achievement.APPLICATION_SUBMITTED]}]
    response = factories.api_client(worker_a).post(
        "/api/visits/", visit_api(household_a, TODAY - 2 * DAY, helped), format="json"
    )
    assert response.status_code == 201, response.content
    member = fresh(member)
    assert (member.level34_on, member.online_on) == (TODAY - 2 * DAY, TODAY - 2 * DAY)
    # The dossier was made at the visit, in household A's village, not where the member lives now.
    assert Application.objects.get().village_id == household_a.village_id


# --- Who was not a member that day is refused, with the reason; nothing is saved


def test_a_visit_helping_someone_who_joined_after_it_is_refused_on_the_page(
    english_client, worker_a, me, household_a, resident_a, member
):
    member.moved_in_on = TODAY - DAY
    member.save()
    english_client.force_login(worker_a)
    data = visit_form(
        household_a, [me], TODAY - 2 * DAY, **{f"achievements_{member.pk}": [Achievement.EID_ACTIVATED]}
    )
    response = english_client.post(reverse("visits:new"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors["visited_on"]
    assert errors == [
        f"Nông Văn Minh was not a member of household NK-001 on {(TODAY - 2 * DAY).strftime('%d/%m/%Y')}: "
        "nothing was saved. Correct the date, or save again without them."
    ]
    assert not HomeVisit.objects.exists()
    assert fresh(member).eid_on is None


def test_help_posted_for_a_resident_the_form_does_not_know_refuses_the_whole_visit(
    english_client, worker_a, me, household_a, resident_a, resident_b
):
    english_client.force_login(worker_a)
    data = visit_form(
        household_a,
        [me],
        TODAY,
        **{
            f"achievements_{resident_a.pk}": [Achievement.SMARTPHONE],
            f"achievements_{resident_b.pk}": [Achievement.EID_ACTIVATED],
        },
    )
    response = english_client.post(reverse("visits:new"), data)
    assert response.status_code == 200
    # Household B's member is not named to a worker of village A.
    assert response.context["form"].errors["visited_on"][0].startswith("Someone ticked was not a member")
    assert not HomeVisit.objects.exists()
    assert (fresh(resident_a).smartphone_on, fresh(resident_b).eid_on) == (None, None)


def test_a_visit_helping_someone_who_left_before_it_is_refused_through_the_api(
    worker_a, household_a, resident_a, member
):
    resident_departure_record(resident=member, on=TODAY - 3 * DAY, reason=Resident.LeftReason.DIED)
    helped = [{"resident": member.pk, "achievements": [Achievement.EID_ACTIVATED]}]
    response = factories.api_client(worker_a).post(
        "/api/visits/", visit_api(household_a, TODAY - 2 * DAY, helped), format="json"
    )
    assert response.status_code == 400
    assert "Nông Văn Minh was not a member of household NK-001" in response.json()["helped"][0]
    assert not HomeVisit.objects.exists()


def test_visit_log_accepts_members_of_the_visit_date_only(household_a, household_b, member, me):
    resident_move(resident=member, household=household_b, on=TODAY - 5 * DAY)
    # The day of the move counts for both households.
    for household, on in [(household_a, TODAY - 6 * DAY), (household_a, TODAY - 5 * DAY)]:
        visit_log(household=household, visited_on=on, workers=[me], helped=[Help(fresh(member))])
    visit_log(household=household_b, visited_on=TODAY - 5 * DAY, workers=[me], helped=[Help(fresh(member))])
    for household, on in [(household_a, TODAY - 4 * DAY), (household_b, TODAY - 6 * DAY)]:
        with pytest.raises(Exception) as refused:
            visit_log(household=household, visited_on=on, workers=[me], helped=[Help(fresh(member))])
        assert "helped" in refused.value.message_dict
    assert HomeVisit.objects.count() == 3


# --- A kept tick sent after an earlier visit keeps the earliest date


@pytest.fixture
def visited_with_e_id(household_a, resident_a, me):
    """A worker's visit recorded Hoa's e-ID three days ago."""
    visit_log(
        household=household_a,
        visited_on=TODAY - 3 * DAY,
        workers=[me],
        helped=[Help(resident_a, achievements=[Achievement.EID_ACTIVATED])],
    )
    return resident_a


def test_a_kept_tick_sent_after_an_earlier_visit_keeps_the_earliest_date_on_the_page(
    english_client, head_a, household_a, visited_with_e_id
):
    english_client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[household_a.pk, visited_with_e_id.pk])
    response = english_client.post(url, {"step": "eid", "on": (TODAY - 2 * DAY).isoformat()})
    assert response.status_code == 302
    assert fresh(visited_with_e_id).eid_on == TODAY - 3 * DAY


def test_a_kept_tick_sent_after_an_earlier_visit_keeps_the_earliest_date_through_the_api(
    head_a, visited_with_e_id
):
    response = factories.api_client(head_a).post(
        f"/api/residents/{visited_with_e_id.pk}/ladder/",
        {"step": "eid", "on": (TODAY - 2 * DAY).isoformat()},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["eid_on"] == (TODAY - 3 * DAY).isoformat()
    assert fresh(visited_with_e_id).eid_on == TODAY - 3 * DAY


def test_a_kept_tick_earlier_than_the_visit_moves_the_date_earlier(
    english_client, head_a, household_a, visited_with_e_id
):
    english_client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[household_a.pk, visited_with_e_id.pk])
    english_client.post(url, {"step": "eid", "on": (TODAY - 9 * DAY).isoformat()})
    assert fresh(visited_with_e_id).eid_on == TODAY - 9 * DAY


def test_a_tick_decides_on_the_dates_read_under_the_lock(household_a):
    """The caller's copy was read before a visit recorded the step: the tick must not take
    that stale "no date yet" for the truth."""
    read_before = factories.resident(household_a, birth_year=1990)
    resident_ladder_advance(resident=fresh(read_before), step=LadderStep.EID, on=TODAY - 3 * DAY)
    assert read_before.eid_on is None
    resident_ladder_advance(resident=read_before, step=LadderStep.EID, on=TODAY - 2 * DAY)
    assert fresh(read_before).eid_on == TODAY - 3 * DAY


# --- Attendance: whoever lived in the commune on the session's date


@pytest.fixture
def session_three_days_ago(commune, village_a):
    return session_record(commune=commune, village=village_a, held_on=TODAY - 3 * DAY)


def test_attendance_sent_after_the_resident_moved_away_is_kept(session_three_days_ago, member):
    resident_departure_record(resident=member, on=TODAY - DAY, reason=Resident.LeftReason.MOVED_AWAY)
    attendance_record(
        session=session_three_days_ago, help=Help(fresh(member), achievements=[Achievement.EID_ACTIVATED])
    )
    assert Attendance.objects.get().resident_id == member.pk
    assert fresh(member).eid_on == TODAY - 3 * DAY


def test_attendance_of_someone_who_did_not_live_in_the_commune_that_day_is_refused(
    session_three_days_ago, member, head_a
):
    member.moved_in_on = TODAY - 2 * DAY
    member.save()
    with pytest.raises(Exception) as refused:
        attendance_record(
            session=session_three_days_ago, help=Help(fresh(member), achievements=[Achievement.EID_ACTIVATED])
        )
    assert refused.value.message_dict == {
        "resident": [
            f"Nông Văn Minh did not live in the commune on {(TODAY - 3 * DAY).strftime('%d/%m/%Y')}."
        ]
    }
    response = factories.api_client(head_a).post(
        f"/api/training-sessions/{session_three_days_ago.pk}/attendance/",
        {"resident": member.pk, "achievements": [Achievement.EID_ACTIVATED]},
        format="json",
    )
    assert response.status_code == 400
    assert "did not live in the commune" in response.json()["resident"][0]
    assert not Attendance.objects.exists()
    assert fresh(member).eid_on is None


def test_an_application_at_a_session_counts_where_the_resident_lived_that_day(
    commune, village_a, household_b, member
):
    """Attendance sent before the move it came after: the move, arriving late, brings the
    dossier to the village the resident lived in that day."""
    after_the_move = session_record(commune=commune, village=village_a, held_on=TODAY - 2 * DAY)
    before_the_move = session_record(commune=commune, village=village_a, held_on=TODAY - 5 * DAY)
    for session in (after_the_move, before_the_move):
        attendance_record(
            session=session, help=Help(fresh(member), achievements=[Achievement.APPLICATION_SUBMITTED])
        )
    resident_move(resident=fresh(member), household=household_b, on=TODAY - 3 * DAY)
    villages = dict(Application.objects.values_list("submitted_on", "village__code"))
    assert villages == {TODAY - 2 * DAY: "BT", TODAY - 5 * DAY: "NK"}


def admin_visit(household, worker, on, resident):
    return {
        "household": household.pk,
        "visited_on": on.isoformat(),
        "workers": [worker.pk],
        "outcome": HomeVisit.Outcome.DONE,
        "helped-TOTAL_FORMS": "1",
        "helped-INITIAL_FORMS": "0",
        "helped-MIN_NUM_FORMS": "0",
        "helped-MAX_NUM_FORMS": "1000",
        "helped-0-resident": resident.pk,
        "helped-0-achievements": [Achievement.EID_ACTIVATED],
    }


def test_the_admin_keeps_a_visit_to_a_member_who_left_since_and_refuses_one_who_joined_after(
    english_client, official, household_a, resident_a, member, me
):
    resident_departure_record(resident=member, on=TODAY - DAY, reason=Resident.LeftReason.MOVED_AWAY)
    resident_a.moved_in_on = TODAY - DAY
    resident_a.save()
    official.is_staff = True  # as role_grant makes every role
    official.save()
    english_client.force_login(official)
    add = reverse("admin:mobilization_homevisit_add")

    refused = english_client.post(add, admin_visit(household_a, me, TODAY - 2 * DAY, resident_a))
    assert refused.status_code == 200
    assert "Nông Thị Hoa was not a member of household NK-001" in refused.content.decode()
    assert not HomeVisit.objects.exists()

    assert english_client.post(add, admin_visit(household_a, me, TODAY - 2 * DAY, member)).status_code == 302
    assert VisitHelp.objects.get().resident_id == member.pk
    assert fresh(member).eid_on == TODAY - 2 * DAY
