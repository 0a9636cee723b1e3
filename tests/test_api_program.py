"""The program through the REST API: worker groups, workers, home visits, communication
activities and applications. A visit or application posted here must move the ladder
exactly as the services (and so the web forms) do."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mobilization.models import Application, CommunicationActivity, HomeVisit, Membership, Worker, WorkerGroup
from mobilization.services import Help, application_record
from softbridge.calendar import commune_today
from tests import factories
from tests.factories import api_client as api
from villages.models import Achievement, Resident

D = datetime.date
TODAY = commune_today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def ladder_of(resident) -> tuple:
    r = Resident.objects.get(pk=resident.pk)
    return (r.smartphone_on, r.eid_on, r.online_on, r.level34_on)


@pytest.fixture
def field_worker(worker_a):
    return Worker.objects.get(user=worker_a)


# --- Worker groups


def test_groups_are_read_by_every_role_of_the_commune(
    commune, other_commune, official, head_a, leader, outsider
):
    group = factories.worker_group(commune)
    elsewhere = factories.worker_group(other_commune)
    for user in (official, head_a, leader):
        assert ids(api(user).get("/api/worker-groups/")) == {group.pk}
    assert ids(api(outsider).get("/api/worker-groups/")) == {elsewhere.pk}
    assert api(outsider).get(f"/api/worker-groups/{group.pk}/").status_code == 404


def test_official_keeps_groups(commune, village_a, official):
    client = api(official)
    response = client.post(
        "/api/worker-groups/",
        {
            "commune": commune.pk,
            "kind": "digital_tech_team",
            "name": "Tổ CNS Nà Khau",
            "village": village_a.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    group = WorkerGroup.objects.get(name="Tổ CNS Nà Khau")
    assert (
        client.patch(f"/api/worker-groups/{group.pk}/", {"name": "Tổ CNS"}, format="json").status_code == 200
    )
    group.refresh_from_db()
    assert group.name == "Tổ CNS"
    assert client.delete(f"/api/worker-groups/{group.pk}/").status_code == 204
    assert not WorkerGroup.objects.filter(pk=group.pk).exists()


def test_group_rules_name_the_field(commune, village_a, official):
    factories.worker_group(commune, name="Đoàn Thanh niên")
    client = api(official)
    response = client.post(
        "/api/worker-groups/",
        {"commune": commune.pk, "kind": "digital_tech_team", "name": "Tổ"},
        format="json",
    )
    assert response.status_code == 400 and "village" in response.json()
    response = client.post(
        "/api/worker-groups/",
        {"commune": commune.pk, "kind": "youth_union", "name": "Đoàn Thanh niên"},
        format="json",
    )
    assert response.status_code == 400 and "name" in response.json()
    assert WorkerGroup.objects.count() == 1


@pytest.mark.parametrize("role", ["leader", "head_a", "worker_a"])
def test_only_officials_keep_groups(request, commune, role):
    group = factories.worker_group(commune, name="Hội Phụ nữ")
    client = api(request.getfixturevalue(role))
    body = {"commune": commune.pk, "kind": "youth_union", "name": "New"}
    assert client.post("/api/worker-groups/", body, format="json").status_code == 403
    assert client.patch(f"/api/worker-groups/{group.pk}/", {"name": "X"}, format="json").status_code == 403
    assert client.delete(f"/api/worker-groups/{group.pk}/").status_code == 403
    assert list(WorkerGroup.objects.values_list("name", flat=True)) == ["Hội Phụ nữ"]


def test_outsider_cannot_add_a_group_to_another_commune(commune, outsider):
    body = {"commune": commune.pk, "kind": "youth_union", "name": "New"}
    assert api(outsider).post("/api/worker-groups/", body, format="json").status_code == 404
    assert not WorkerGroup.objects.exists()


def test_a_group_with_members_is_not_deleted(commune, official):
    group = factories.worker_group(commune)
    Membership.objects.create(worker=factories.worker(commune), group=group)
    assert api(official).delete(f"/api/worker-groups/{group.pk}/").status_code == 409
    assert Membership.objects.filter(group=group).exists()


# --- Workers


def test_official_adds_a_worker_and_reads_memberships(commune, official):
    response = api(official).post(
        "/api/workers/",
        {"commune": commune.pk, "full_name": " Hoàng  Thị Lan ", "phone": "0912 000 111"},
        format="json",
    )
    assert response.status_code == 201, response.content
    worker = Worker.objects.get(full_name="Hoàng Thị Lan")
    group = factories.worker_group(commune)
    Membership.objects.create(worker=worker, group=group, position="member")
    body = api(official).get(f"/api/workers/{worker.pk}/").json()
    assert body["memberships"] == [
        {
            "group": group.pk,
            "group_name": group.name,
            "position": "member",
            "joined_on": None,
            "left_on": None,
        }
    ]


def test_worker_bad_input_names_the_field(commune, official):
    response = api(official).post(
        "/api/workers/", {"commune": commune.pk, "full_name": "A", "phone": "abc"}, format="json"
    )
    assert response.status_code == 400 and "phone" in response.json()
    response = api(official).post("/api/workers/", {"commune": commune.pk, "full_name": "  "}, format="json")
    assert response.status_code == 400 and "full_name" in response.json()


def test_worker_with_visits_is_not_deleted(household_a, field_worker, official):
    factories.visit(household_a, visited_on=YESTERDAY, workers=[field_worker])
    assert api(official).delete(f"/api/workers/{field_worker.pk}/").status_code == 409
    assert Worker.objects.filter(pk=field_worker.pk).exists()
    assert HomeVisit.objects.get().workers.count() == 1


def test_leader_cannot_add_a_worker(commune, leader):
    assert (
        api(leader)
        .post("/api/workers/", {"commune": commune.pk, "full_name": "A B"}, format="json")
        .status_code
        == 403
    )
    assert not Worker.objects.filter(full_name="A B").exists()


# --- Home visits: logging through visit_log


def post_visit(user, household, **body):
    return api(user).post(
        "/api/visits/", {"household": household.pk, "visited_on": str(YESTERDAY), **body}, format="json"
    )


def test_visit_through_the_api_moves_the_ladder_as_the_service_does(village_a, field_worker, worker_a):
    through_api = factories.resident(factories.household(village_a))
    through_service = factories.resident(factories.household(village_a))
    achievements = [Achievement.EID_ACTIVATED, Achievement.APPLICATION_SUBMITTED, Achievement.SMARTPHONE]
    response = post_visit(
        worker_a,
        through_api.household,
        helped=[
            {
                "resident": through_api.pk,
                "achievements": achievements,
                "application_field": "justice_civil_status",
                "application_channel": "online_level4",
            }
        ],
        follow_up_on=str(TODAY + datetime.timedelta(days=7)),
        outcome="partly_done",
    )
    assert response.status_code == 201, response.content
    factories.visit(
        through_service.household,
        visited_on=YESTERDAY,
        workers=[field_worker],
        helped=[
            Help(
                resident=through_service,
                achievements=list(achievements),
                application_field="justice_civil_status",
                application_channel="online_level4",
            )
        ],
        outcome="partly_done",
        follow_up_on=TODAY + datetime.timedelta(days=7),
    )
    assert ladder_of(through_api) == ladder_of(through_service)
    assert ladder_of(through_api) == (YESTERDAY, YESTERDAY, YESTERDAY, YESTERDAY)
    made = Application.objects.get(resident=through_api)
    twin = Application.objects.get(resident=through_service)
    assert (made.field, made.channel, made.submitted_on, made.helped_by) == (
        twin.field,
        twin.channel,
        twin.submitted_on,
        twin.helped_by,
    )
    body = response.json()
    assert body["workers"] == [field_worker.pk]  # the worker named themself by leaving it out
    assert body["helped"] == [{"resident": through_api.pk, "achievements": achievements}]
    visit = HomeVisit.objects.get(pk=body["id"])
    assert visit.recorded_by == worker_a


def test_a_retried_visit_is_saved_once(household_a, resident_a, worker_a):
    key = str(uuid.uuid4())
    body = {"submission_key": key, "helped": [{"resident": resident_a.pk, "achievements": ["eid_activated"]}]}
    first = post_visit(worker_a, household_a, **body)
    again = post_visit(worker_a, household_a, **body)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert HomeVisit.objects.count() == 1


def test_logging_a_visit_costs_a_fixed_number_of_queries(
    household_a, field_worker, official, django_assert_num_queries
):
    # The user's outreach villages, the household, the workers, the submission key; inside the
    # transaction (a savepoint here) the visit (savepoint, insert, audit row, release) and its
    # workers; its workers and help read back.
    with django_assert_num_queries(13):
        response = post_visit(
            official, household_a, workers=[field_worker.pk], submission_key=str(uuid.uuid4())
        )
    assert response.status_code == 201, response.content
    assert response.json()["workers"] == [field_worker.pk]
    assert HomeVisit.objects.get(pk=response.json()["id"]).workers.get() == field_worker


def test_a_member_helped_with_several_steps_is_locked_and_saved_once(
    household_a, resident_a, field_worker, worker_a, django_assert_num_queries
):
    audit_entries = resident_a.history.count()
    achievements = [
        "smartphone",
        "eid_activated",
        "portal_account",
        "online_service",
        "application_submitted",
    ]
    # As above without a submission key, plus the member named, the help row, the dossier's
    # village (its commune came with the household), the dossier (savepoint, insert, audit
    # row, release), and the member: savepoint, locked read, one update and one audit row for
    # all five achievements, release.
    with django_assert_num_queries(13 - 1 + 1 + 1 + 1 + 4 + 5):
        response = post_visit(
            worker_a,
            household_a,
            workers=[field_worker.pk],
            helped=[{"resident": resident_a.pk, "achievements": achievements}],
        )
    assert response.status_code == 201, response.content
    assert ladder_of(resident_a) == (YESTERDAY, YESTERDAY, YESTERDAY, YESTERDAY)
    resident_a.refresh_from_db()
    assert resident_a.version == 2
    assert resident_a.history.count() == audit_entries + 1
    entry = resident_a.history.first()
    assert (entry.history_type, entry.eid_on, entry.level34_on) == ("~", YESTERDAY, YESTERDAY)
    assert Application.objects.get(resident=resident_a).visit_id == response.json()["id"]


def test_a_submission_key_of_an_unseen_record_is_refused(
    household_a, household_b, official, worker_a, outsider
):
    key = uuid.uuid4()
    factories.visit(
        household_b,
        visited_on=YESTERDAY,
        workers=[factories.worker(household_b.commune)],
        submission_key=key,
    )
    response = post_visit(worker_a, household_a, submission_key=str(key))
    assert response.status_code == 409
    assert HomeVisit.objects.count() == 1


def test_visit_to_a_household_outside_the_area_answers_404(household_b, head_a, worker_a):
    assert post_visit(worker_a, household_b).status_code == 404
    assert post_visit(head_a, household_b).status_code == 404
    assert not HomeVisit.objects.exists()


def test_leader_cannot_log_a_visit(household_a, leader):
    assert post_visit(leader, household_a, workers=[]).status_code == 403
    assert not HomeVisit.objects.exists()


def test_visit_bad_input_names_the_field(
    household_a, household_b, resident_b, field_worker, worker_a, official
):
    future = str(TODAY + datetime.timedelta(days=1))
    cases = [
        ({"visited_on": future}, "visited_on"),
        ({"follow_up_on": str(YESTERDAY - datetime.timedelta(days=3))}, "follow_up_on"),
        ({"helped": [{"resident": resident_b.pk, "achievements": []}]}, "helped"),
        ({"helped": [{"resident": household_a.pk * 1000, "achievements": []}]}, "helped"),
        ({"outcome": "exploded"}, "outcome"),
        ({"workers": [field_worker.pk + 1000]}, "workers"),
    ]
    for extra, field in cases:
        response = post_visit(worker_a, household_a, **extra)
        assert response.status_code == 400, (extra, response.content)
        assert field in response.json(), (extra, response.json())
    # An official with no worker record of their own must name the visitors.
    response = post_visit(official, household_a)
    assert response.status_code == 400 and "workers" in response.json()
    assert not HomeVisit.objects.exists()


def test_unknown_achievement_names_the_field(household_a, resident_a, worker_a):
    response = post_visit(
        worker_a, household_a, helped=[{"resident": resident_a.pk, "achievements": ["flew"]}]
    )
    assert response.status_code == 400
    assert "achievements" in str(response.json()["helped"])
    assert ladder_of(resident_a) == (None, None, None, None)


def test_visit_scope_by_role(household_a, household_b, official, leader, head_a, worker_a, outsider):
    worker = factories.worker(household_a.commune)
    a = factories.visit(household_a, visited_on=YESTERDAY, workers=[worker])
    b = factories.visit(household_b, visited_on=YESTERDAY, workers=[worker])
    assert ids(api(official).get("/api/visits/")) == {a.pk, b.pk}
    assert ids(api(leader).get("/api/visits/")) == {a.pk, b.pk}
    assert ids(api(head_a).get("/api/visits/")) == {a.pk}
    assert ids(api(worker_a).get("/api/visits/")) == {a.pk}
    assert ids(api(outsider).get("/api/visits/")) == set()
    assert api(worker_a).get(f"/api/visits/{b.pk}/").status_code == 404


def test_visit_date_filters(household_a, field_worker, official):
    early = factories.visit(household_a, visited_on=D(2024, 3, 5), workers=[field_worker])
    late = factories.visit(household_a, visited_on=D(2024, 9, 5), workers=[field_worker])
    client = api(official)
    assert ids(client.get("/api/visits/", {"visited_after": "2024-06-01"})) == {late.pk}
    assert ids(client.get("/api/visits/", {"visited_before": "2024-06-01"})) == {early.pk}
    assert ids(
        client.get("/api/visits/", {"visited_after": "2024-03-01", "visited_before": "2024-03-31"})
    ) == {early.pk}
    response = client.get("/api/visits/", {"visited_after": "March"})
    assert response.status_code == 400 and "visited_after" in response.json()


def test_a_visit_follow_up_is_corrected_but_not_deleted(household_a, field_worker, worker_a, leader):
    visit = factories.visit(household_a, visited_on=YESTERDAY, workers=[field_worker])
    url = f"/api/visits/{visit.pk}/"
    assert api(worker_a).patch(url, {"follow_up_on": str(TODAY)}, format="json").status_code == 200
    response = api(worker_a).patch(
        url, {"follow_up_on": str(YESTERDAY - datetime.timedelta(days=1))}, format="json"
    )
    assert response.status_code == 400 and "follow_up_on" in response.json()
    assert api(leader).patch(url, {"notes": "x"}, format="json").status_code == 403
    assert api(worker_a).delete(url).status_code == 405
    visit.refresh_from_db()
    assert (visit.follow_up_on, visit.notes) == (TODAY, "")


def test_visit_list_queries_do_not_grow_with_rows(village_a, field_worker, official):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api(official).get("/api/visits/").status_code == 200
        return len(queries)

    def visits(n):
        for _ in range(n):
            resident = factories.resident(factories.household(village_a))
            factories.visit(
                resident.household,
                visited_on=YESTERDAY,
                workers=[field_worker],
                helped=[Help(resident=resident, achievements=["smartphone"])],
            )

    visits(3)
    few = count()
    visits(27)
    assert count() == few


# --- Communication activities


def post_activity(user, villages, **body):
    data = {
        "channel": "loudspeaker",
        "held_on": str(YESTERDAY),
        "villages": [v.pk for v in villages],
        "topic": "VNeID",
    }
    return api(user).post("/api/communications/", {**data, **body}, format="json")


def test_worker_logs_an_activity_in_their_village(village_a, worker_a):
    response = post_activity(worker_a, [village_a], reach=120)
    assert response.status_code == 201, response.content
    activity = CommunicationActivity.objects.get()
    assert list(activity.villages.all()) == [village_a]
    assert (activity.reach, activity.recorded_by) == (120, worker_a)


def test_activity_outside_the_role_is_refused(village_a, village_b, worker_a, leader):
    assert post_activity(worker_a, [village_b]).status_code == 404
    assert post_activity(worker_a, [village_a, village_b]).status_code == 404
    assert post_activity(leader, [village_a]).status_code == 403
    assert not CommunicationActivity.objects.exists()


def test_activity_bad_input_names_the_field(village_a, other_commune, official):
    assert "villages" in post_activity(official, []).json()
    assert (
        "held_on"
        in post_activity(official, [village_a], held_on=str(TODAY + datetime.timedelta(days=1))).json()
    )
    assert "channel" in post_activity(official, [village_a], channel="pigeon").json()
    assert "reach" in post_activity(official, [village_a], reach=-1).json()
    assert (
        "group" in post_activity(official, [village_a], group=factories.worker_group(other_commune).pk).json()
    )
    assert not CommunicationActivity.objects.exists()


def test_a_retried_activity_is_saved_once(village_a, worker_a):
    key = str(uuid.uuid4())
    assert post_activity(worker_a, [village_a], submission_key=key).status_code == 201
    assert post_activity(worker_a, [village_a], submission_key=key).status_code == 200
    assert CommunicationActivity.objects.count() == 1


def test_activity_changes_need_every_village(village_a, village_b, worker_a, official):
    shared = factories.communication(
        village_a.commune,
        channel="leaflet",
        held_on=YESTERDAY,
        villages=[village_a, village_b],
        topic="t",
    )
    own = factories.communication(
        village_a.commune, channel="leaflet", held_on=YESTERDAY, villages=[village_a], topic="t"
    )
    client = api(worker_a)
    assert ids(client.get("/api/communications/")) == {shared.pk, own.pk}
    assert client.patch(f"/api/communications/{shared.pk}/", {"reach": 5}, format="json").status_code == 403
    assert client.patch(f"/api/communications/{own.pk}/", {"reach": 5}, format="json").status_code == 200
    response = client.patch(f"/api/communications/{own.pk}/", {"villages": [village_b.pk]}, format="json")
    assert response.status_code == 404
    assert api(official).delete(f"/api/communications/{shared.pk}/").status_code == 204
    own.refresh_from_db()
    assert own.reach == 5 and list(own.villages.all()) == [village_a]


# --- Applications


def post_application(user, **body):
    data = {"field": "land", "submitted_on": str(YESTERDAY), "channel": "online_level3"}
    return api(user).post("/api/applications/", {**data, **body}, format="json")


def test_application_moves_the_ladder_as_the_service_does(village_a, worker_a):
    through_api = factories.resident(factories.household(village_a))
    through_service = factories.resident(factories.household(village_a))
    response = post_application(
        worker_a, resident=through_api.pk, channel="online_level4", result_delivery="online"
    )
    assert response.status_code == 201, response.content
    application_record(
        commune=through_service.commune,
        resident=through_service,
        field="land",
        channel="online_level4",
        submitted_on=YESTERDAY,
        result_delivery="online",
    )
    assert ladder_of(through_api) == ladder_of(through_service) == (None, None, YESTERDAY, YESTERDAY)
    body = response.json()
    assert (body["village"], body["commune"]) == (village_a.pk, village_a.commune_id)


def test_application_outside_the_role_is_refused(resident_a, resident_b, commune, worker_a, leader):
    assert post_application(worker_a, resident=resident_b.pk).status_code == 404
    assert post_application(leader, resident=resident_a.pk).status_code == 403
    # A commune-wide dossier (no village) is recorded by officials only.
    assert post_application(worker_a, commune=commune.pk).status_code == 403
    assert not Application.objects.exists()


def test_application_bad_input_names_the_field(resident_a, official):
    assert "commune" in post_application(official).json()
    assert (
        "submitted_on" in post_application(official, resident=resident_a.pk, submitted_on="2999-01-01").json()
    )
    assert "channel" in post_application(official, resident=resident_a.pk, channel="fax").json()
    assert not Application.objects.exists()


def test_application_scope_and_filters(resident_a, resident_b, official, head_a):
    a = factories.application(
        resident_a,
        field="land",
        channel="in_person",
        submitted_on=D(2024, 2, 1),
    )
    b = factories.application(
        resident_b,
        field="land",
        channel="online_level4",
        submitted_on=D(2024, 8, 1),
    )
    assert ids(api(head_a).get("/api/applications/")) == {a.pk}
    assert ids(api(official).get("/api/applications/", {"channel": "online_level4"})) == {b.pk}
    assert ids(api(official).get("/api/applications/", {"submitted_before": "2024-03-01"})) == {a.pk}


def test_the_visit_and_household_checks_in_python_know_every_constraint():
    """visit_log and the household API test these constraints in Python, not with a query
    each (mobilization.services._visit_full_clean, HouseholdInputSerializer.validate): a new
    constraint must be added there too, or the API would answer it with a database error."""
    from mobilization.models import HomeVisit
    from villages.models import Household

    assert {c.name for c in HomeVisit._meta.constraints} == {
        "visit_follow_up_not_before_visit",
        "visit_outcome_valid",
    }
    assert {c.name for c in Household._meta.constraints} == {
        "household_code_unique_in_commune_any_case",
        "household_code_not_blank",
        "household_distance_range",
    }
