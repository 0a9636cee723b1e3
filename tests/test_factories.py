"""The outreach factories make their records through the services, as the pages do: a record a
factory makes moves the ladder and keeps the commune's rules like one entered on a page."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from villages.models import Achievement

D = datetime.date


def test_a_visit_is_made_by_a_worker_of_the_households_commune(household_a, resident_a):
    visit = factories.visit(household_a, visited_on=D(2024, 9, 2), helped=[resident_a])

    assert [w.commune for w in visit.workers.all()] == [household_a.commune]
    assert list(visit.helped.values_list("resident", flat=True)) == [resident_a.pk]


def test_a_visit_by_a_worker_of_another_commune_is_refused_as_the_service_refuses_it(
    household_a, other_commune
):
    with pytest.raises(ValidationError):
        factories.visit(household_a, workers=[factories.worker(other_commune)])


def test_an_attendance_moves_the_ladder_to_the_sessions_day(commune, village_a, resident_a):
    session = factories.session(commune, village=village_a, held_on=D(2024, 9, 3))

    factories.attendance(session, resident_a, Achievement.EID_ACTIVATED)

    resident_a.refresh_from_db()
    assert resident_a.eid_on == D(2024, 9, 3)


def test_an_application_is_online_at_level_3_and_moves_the_ladder(resident_a):
    factories.application(resident_a, submitted_on=D(2024, 9, 4))

    resident_a.refresh_from_db()
    assert resident_a.online_on == D(2024, 9, 4)
    assert resident_a.level34_on == D(2024, 9, 4)


def test_a_communication_reaches_every_village_of_the_commune(commune, village_a, village_b):
    activity = factories.communication(commune, held_on=D(2024, 9, 5))

    assert set(activity.villages.all()) == {village_a, village_b}
