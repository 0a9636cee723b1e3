"""Visits and sessions move the ladder through the same services the forms and the API call."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError

from mobilization.models import Application, HomeVisit, VisitHelp
from mobilization.services import Help, visit_log
from softbridge.calendar import commune_today
from tests import factories
from training.models import Attendance, TrainingSession
from training.services import attendance_record, session_record
from villages.models import Achievement, Resident
from villages.services import resident_departure_record, resident_ladder_correct

D = datetime.date


@pytest.fixture
def visitor(commune):
    return factories.worker(commune, full_name="Hà Thị Thu")


def test_visit_moves_each_helped_members_ladder(household_a, resident_a, visitor):
    spouse = factories.resident(household_a, full_name="Nông Văn Bảo")
    visit = visit_log(
        household=household_a,
        visited_on=D(2024, 9, 3),
        workers=[visitor],
        helped=[
            Help(resident_a, [Achievement.EID_ACTIVATED, Achievement.APPLICATION_SUBMITTED]),
            Help(spouse, [Achievement.SMARTPHONE]),
        ],
        follow_up_on=D(2024, 9, 20),
    )
    resident_a.refresh_from_db()
    spouse.refresh_from_db()
    assert (resident_a.eid_on, resident_a.online_on, resident_a.level34_on) == (D(2024, 9, 3),) * 3
    assert spouse.smartphone_on == D(2024, 9, 3) and spouse.eid_on is None
    application = Application.objects.get()
    assert (application.resident, application.visit, application.helped_by) == (resident_a, visit, visitor)
    assert VisitHelp.objects.filter(visit=visit).count() == 2


def test_visit_with_the_same_submission_key_is_logged_once(household_a, resident_a, visitor):
    key = uuid.uuid4()
    kwargs = dict(
        household=household_a,
        visited_on=D(2024, 9, 3),
        workers=[visitor],
        helped=[Help(resident_a, [Achievement.APPLICATION_SUBMITTED])],
        submission_key=key,
    )
    first = visit_log(**kwargs)
    second = visit_log(**kwargs)
    assert first.pk == second.pk
    assert HomeVisit.objects.count() == 1
    assert Application.objects.count() == 1


def test_visit_helping_someone_of_another_household_saves_nothing(household_a, resident_b, visitor):
    with pytest.raises(ValidationError) as error:
        visit_log(
            household=household_a, visited_on=D(2024, 9, 3), workers=[visitor], helped=[Help(resident_b)]
        )
    assert "helped" in error.value.message_dict
    assert not HomeVisit.objects.exists()


def test_visit_needs_a_worker_of_the_commune(household_a, other_commune):
    with pytest.raises(ValidationError) as error:
        visit_log(household=household_a, visited_on=D(2024, 9, 3), workers=[])
    assert "workers" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        visit_log(household=household_a, visited_on=D(2024, 9, 3), workers=[factories.worker(other_commune)])
    assert "workers" in error.value.message_dict
    assert not HomeVisit.objects.exists()


def test_visit_in_the_future_or_follow_up_before_it_is_refused(household_a, visitor):
    tomorrow = commune_today() + datetime.timedelta(1)
    with pytest.raises(ValidationError) as error:
        visit_log(household=household_a, visited_on=tomorrow, workers=[visitor])
    assert "visited_on" in error.value.message_dict
    with pytest.raises(ValidationError):
        visit_log(
            household=household_a, visited_on=D(2024, 9, 3), workers=[visitor], follow_up_on=D(2024, 9, 1)
        )
    assert not HomeVisit.objects.exists()


def test_unknown_achievement_rolls_back_the_whole_visit(household_a, resident_a, visitor):
    with pytest.raises(ValidationError):
        visit_log(
            household=household_a,
            visited_on=D(2024, 9, 3),
            workers=[visitor],
            helped=[Help(resident_a, [Achievement.EID_ACTIVATED, "flew_to_the_moon"])],
        )
    resident_a.refresh_from_db()
    assert not HomeVisit.objects.exists() and resident_a.eid_on is None


def test_session_attendance_moves_the_ladder_and_adds_achievements(commune, village_a, resident_a, visitor):
    session = session_record(
        commune=commune,
        village=village_a,
        held_on=D(2024, 10, 5),
        facilitators=[visitor],
        attendees=[Help(resident_a, [Achievement.PORTAL_ACCOUNT])],
    )
    attendance_record(
        session=session, help=Help(resident_a, [Achievement.ONLINE_SERVICE, Achievement.PORTAL_ACCOUNT])
    )
    attendance = Attendance.objects.get()
    assert attendance.achievements == [Achievement.PORTAL_ACCOUNT, Achievement.ONLINE_SERVICE]
    resident_a.refresh_from_db()
    assert (resident_a.eid_on, resident_a.online_on, resident_a.level34_on) == (
        D(2024, 10, 5),
        D(2024, 10, 5),
        None,
    )


def test_session_refuses_a_village_of_another_commune(commune, other_commune):
    with pytest.raises(ValidationError) as error:
        session_record(commune=commune, village=factories.village(other_commune), held_on=D(2024, 10, 5))
    assert "village" in error.value.message_dict
    assert not TrainingSession.objects.exists()


def test_attendance_of_a_resident_of_another_commune_is_refused(commune, village_a, other_commune):
    session = session_record(commune=commune, village=village_a, held_on=D(2024, 10, 5))
    stranger = factories.resident(factories.household(factories.village(other_commune)))
    with pytest.raises(ValidationError):
        attendance_record(session=session, help=Help(stranger))
    assert not Attendance.objects.exists()


def test_ladder_correction_can_move_a_date_later_but_keeps_level34_online(resident_a):
    resident_ladder_correct(resident=resident_a, step="level34", on=D(2024, 9, 1))
    resident_a.refresh_from_db()
    assert resident_a.online_on == D(2024, 9, 1)
    resident_ladder_correct(resident=resident_a, step="level34", on=D(2024, 11, 1))
    resident_a.refresh_from_db()
    assert (resident_a.online_on, resident_a.level34_on) == (D(2024, 9, 1), D(2024, 11, 1))
    with pytest.raises(ValidationError):
        resident_ladder_correct(resident=resident_a, step="online", on=None)
    with pytest.raises(ValidationError):
        resident_ladder_correct(resident=resident_a, step="online", on=D(2024, 12, 1))
    resident_a.refresh_from_db()
    assert resident_a.online_on == D(2024, 9, 1)


def test_departure_is_recorded_with_reason_and_checked(resident_a):
    resident_departure_record(resident=resident_a, on=D(2025, 1, 2), reason=Resident.LeftReason.DIED)
    resident_a.refresh_from_db()
    assert (resident_a.left_on, resident_a.left_reason) == (D(2025, 1, 2), "died")
    with pytest.raises(ValidationError):
        resident_departure_record(resident=resident_a, on=D(2025, 1, 2), reason="vanished")
