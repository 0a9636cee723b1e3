"""Each role sees exactly its scope, from the one scoping function of each domain."""

import datetime

import pytest

from mobilization.models import Application, CommunicationActivity, HomeVisit
from mobilization.selectors import (
    applications_visible_to,
    communications_visible_to,
    visits_visible_to,
    worker_groups_visible_to,
    workers_visible_to,
)
from tests import factories
from training.models import TrainingSession
from training.selectors import sessions_visible_to
from villages.access import may_edit_register, may_log_outreach, may_manage_program
from villages.models import Role
from villages.selectors import (
    communes_visible_to,
    households_visible_to,
    residents_visible_to,
    villages_visible_to,
)

DAY = datetime.date(2024, 9, 1)


@pytest.fixture
def far_household(other_commune):
    return factories.household(factories.village(other_commune, code="NK"), code="QL-001")


@pytest.fixture
def far_resident(far_household):
    return factories.resident(far_household, full_name="Đàm Văn Xa")


@pytest.fixture
def records(household_a, household_b, far_household, village_a, village_b, commune, other_commune):
    """One visit, session, communication and application in each of A, B and the other commune."""
    made = {}
    for key, household in (("a", household_a), ("b", household_b), ("far", far_household)):
        village = household.village
        made[key] = {
            "visit": HomeVisit.objects.create(commune=village.commune, household=household, visited_on=DAY),
            "session": TrainingSession.objects.create(commune=village.commune, village=village, held_on=DAY),
            "application": Application.objects.create(
                commune=village.commune, village=village, field="land", channel="in_person", submitted_on=DAY
            ),
        }
        activity = CommunicationActivity.objects.create(
            commune=village.commune, channel="loudspeaker", held_on=DAY, topic="VNeID"
        )
        activity.villages.set([village])
        made[key]["communication"] = activity
    return made


def ids(queryset):
    return set(queryset.values_list("id", flat=True))


def test_official_sees_the_whole_commune_and_nothing_outside(
    official, household_a, household_b, far_household, resident_a, resident_b, far_resident
):
    assert ids(households_visible_to(official)) == {household_a.id, household_b.id}
    assert ids(residents_visible_to(official)) == {resident_a.id, resident_b.id}
    assert ids(communes_visible_to(official)) == {household_a.commune_id}


def test_leader_reads_the_whole_commune(leader, household_a, household_b, far_household):
    assert ids(households_visible_to(leader)) == {household_a.id, household_b.id}


def test_village_head_sees_only_their_villages(
    head_a, household_a, household_b, resident_a, resident_b, village_a
):
    assert ids(households_visible_to(head_a)) == {household_a.id}
    assert ids(residents_visible_to(head_a)) == {resident_a.id}
    assert ids(villages_visible_to(head_a)) == {village_a.id}


def test_worker_reads_the_villages_they_are_assigned_to(worker_a, household_a, household_b):
    assert ids(households_visible_to(worker_a)) == {household_a.id}


def test_outsider_sees_nothing_of_this_commune(outsider, household_a, resident_a, records, far_household):
    assert ids(households_visible_to(outsider)) == {far_household.id}
    assert resident_a.id not in ids(residents_visible_to(outsider))
    assert ids(visits_visible_to(outsider)) == {records["far"]["visit"].id}


def test_anonymous_and_roleless_users_see_nothing(household_a, records, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), factories.user()):
        assert not households_visible_to(user).exists()
        assert not residents_visible_to(user).exists()
        assert not visits_visible_to(user).exists()
        assert not sessions_visible_to(user).exists()
        assert not communications_visible_to(user).exists()
        assert not applications_visible_to(user).exists()
        assert not communes_visible_to(user).exists()


def test_superuser_sees_every_commune(superuser, household_a, far_household):
    assert ids(households_visible_to(superuser)) == {household_a.id, far_household.id}


@pytest.mark.parametrize(
    "selector, kind",
    [
        (visits_visible_to, "visit"),
        (sessions_visible_to, "session"),
        (applications_visible_to, "application"),
        (communications_visible_to, "communication"),
    ],
)
def test_outreach_records_follow_the_same_scope(selector, kind, records, official, head_a, worker_a, leader):
    expected_whole = {records["a"][kind].id, records["b"][kind].id}
    assert ids(selector(official)) == expected_whole
    assert ids(selector(leader)) == expected_whole
    assert ids(selector(head_a)) == {records["a"][kind].id}
    assert ids(selector(worker_a)) == {records["a"][kind].id}


def test_communication_touching_two_villages_appears_once(head_a, village_a, village_b, commune):
    activity = CommunicationActivity.objects.create(
        commune=commune, channel="bulletin_board", held_on=DAY, topic="Level 4"
    )
    activity.villages.set([village_a, village_b])
    assert list(communications_visible_to(head_a)) == [activity]


def test_program_rosters_are_commune_wide(official, head_a, outsider, commune, other_commune):
    here = factories.worker_group(commune)
    there = factories.worker_group(other_commune)
    helper = factories.worker(commune)
    assert ids(worker_groups_visible_to(head_a)) == {here.id}
    assert ids(worker_groups_visible_to(outsider)) == {there.id}
    assert helper.id in ids(workers_visible_to(official))
    assert helper.id not in ids(workers_visible_to(outsider))


def test_scoped_selector_is_one_query(head_a, household_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(households_visible_to(head_a))


def test_write_permissions_follow_the_roles(
    official, head_a, worker_a, leader, outsider, village_a, village_b, commune
):
    assert may_edit_register(official, village_b)
    assert may_edit_register(head_a, village_a)
    assert not may_edit_register(head_a, village_b)
    assert not may_edit_register(worker_a, village_a)
    assert not may_edit_register(leader, village_a)
    assert not may_edit_register(outsider, village_a)

    assert may_log_outreach(worker_a, village_a)
    assert may_log_outreach(head_a, village_a)
    assert not may_log_outreach(worker_a, village_b)
    assert not may_log_outreach(leader, village_a)

    assert may_manage_program(official, commune)
    assert not may_manage_program(head_a, commune)
    assert not may_manage_program(leader, commune)
    assert not may_manage_program(outsider, commune)


def test_inactive_user_loses_their_scope(head_a, household_a):
    head_a.is_active = False
    head_a.save()
    assert not households_visible_to(head_a).exists()
    assert Role.objects.filter(user=head_a).exists()
