"""Training sessions through the REST API: recorded and attended through the same services as
the pages, scoped like them, refusing what they refuse."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mobilization.models import Application, Worker
from mobilization.services import Help
from softbridge.calendar import PLANNING_DAYS, commune_today
from tests import factories
from tests.factories import api_client as api
from training.models import Attendance, Topic, TrainingSession
from villages.models import Resident

TODAY = commune_today()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def ladder_of(resident) -> tuple:
    r = Resident.objects.get(pk=resident.pk)
    return (r.smartphone_on, r.eid_on, r.online_on, r.level34_on)


def post_session(user, **body):
    return api(user).post("/api/training-sessions/", {"held_on": str(YESTERDAY), **body}, format="json")


@pytest.fixture
def topic(commune):
    return Topic.objects.create(commune=commune, name="VNeID", skill="online_public_services")


def test_session_through_the_api_moves_ladders_as_the_service_does(village_a, commune, topic, worker_a):
    facilitator = Worker.objects.get(user=worker_a)
    through_api = factories.resident(factories.household(village_a))
    through_service = factories.resident(factories.household(village_a))
    achievements = ["eid_activated", "online_service", "application_submitted"]
    response = post_session(
        worker_a,
        village=village_a.pk,
        topics=[topic.pk],
        facilitators=[facilitator.pk],
        attendees=[
            {"resident": through_api.pk, "achievements": achievements, "application_channel": "online_level4"}
        ],
    )
    assert response.status_code == 201, response.content
    factories.session(
        commune,
        held_on=YESTERDAY,
        village=village_a,
        topics=[topic],
        facilitators=[facilitator],
        attendees=[
            Help(resident=through_service, achievements=achievements, application_channel="online_level4")
        ],
    )
    assert ladder_of(through_api) == ladder_of(through_service) == (None, YESTERDAY, YESTERDAY, YESTERDAY)
    assert Application.objects.get(resident=through_api).helped_by == facilitator
    body = response.json()
    assert body["attendances"] == [{"resident": through_api.pk, "achievements": achievements}]
    assert (body["commune"], body["topics"], body["facilitators"]) == (
        commune.pk,
        [topic.pk],
        [facilitator.pk],
    )


def test_a_retried_session_is_saved_once(village_a, worker_a):
    key = str(uuid.uuid4())
    assert post_session(worker_a, village=village_a.pk, submission_key=key).status_code == 201
    assert post_session(worker_a, village=village_a.pk, submission_key=key).status_code == 200
    assert TrainingSession.objects.count() == 1


def test_session_outside_the_role_is_refused(commune, village_a, village_b, worker_a, leader):
    assert post_session(worker_a, village=village_b.pk).status_code == 404
    assert post_session(leader, village=village_a.pk).status_code == 403
    # Outside any village (the commune office): officials only.
    assert post_session(worker_a, commune=commune.pk, venue_kind="commune_office").status_code == 403
    assert not TrainingSession.objects.exists()


def test_official_records_a_session_at_the_commune_office(commune, official):
    response = post_session(official, commune=commune.pk, venue_kind="commune_office", venue="Hội trường")
    assert response.status_code == 201, response.content
    assert TrainingSession.objects.get().village is None


def test_session_bad_input_names_the_field(commune, village_a, other_commune, resident_b, worker_a, official):
    foreign_topic = Topic.objects.create(commune=other_commune, name="X", skill="online_payment")
    cases = [
        # More than a year ahead: a session may be planned up to a year (tests/test_planned_sessions.py).
        (
            {"village": village_a.pk, "held_on": str(TODAY + datetime.timedelta(days=PLANNING_DAYS + 1))},
            "held_on",
        ),
        ({"commune": commune.pk}, "village"),  # a cultural house names its village
        ({}, "village"),
        ({"village": village_a.pk, "topics": [foreign_topic.pk]}, "topics"),
        ({"village": village_a.pk, "venue_kind": "beach"}, "venue_kind"),
    ]
    for body, field in cases:
        response = post_session(official, **body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json(), (body, response.json())
    # A worker does not see village B's residents: the attendee is refused, nothing saved.
    response = post_session(worker_a, village=village_a.pk, attendees=[{"resident": resident_b.pk}])
    assert response.status_code == 400 and "attendees" in response.json()
    assert not TrainingSession.objects.exists()


def test_attendance_action(village_a, resident_a, worker_a, leader):
    session = factories.session(village_a.commune, held_on=YESTERDAY, village=village_a)
    url = f"/api/training-sessions/{session.pk}/attendance/"
    response = api(worker_a).post(
        url, {"resident": resident_a.pk, "achievements": ["smartphone"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["attendances"] == [{"resident": resident_a.pk, "achievements": ["smartphone"]}]
    assert ladder_of(resident_a)[0] == YESTERDAY
    assert api(leader).post(url, {"resident": resident_a.pk}, format="json").status_code == 403
    response = api(worker_a).post(url, {"resident": resident_a.pk, "achievements": ["x"]}, format="json")
    assert response.status_code == 400 and "achievements" in response.json()
    assert Attendance.objects.get().achievements == ["smartphone"]


def test_session_scope_by_role(village_a, village_b, official, head_a, worker_a, outsider, leader):
    a = factories.session(village_a.commune, held_on=YESTERDAY, village=village_a)
    b = factories.session(village_b.commune, held_on=YESTERDAY, village=village_b)
    assert ids(api(official).get("/api/training-sessions/")) == {a.pk, b.pk}
    assert ids(api(leader).get("/api/training-sessions/")) == {a.pk, b.pk}
    assert ids(api(head_a).get("/api/training-sessions/")) == {a.pk}
    assert ids(api(worker_a).get("/api/training-sessions/")) == {a.pk}
    assert ids(api(outsider).get("/api/training-sessions/")) == set()
    assert api(worker_a).get(f"/api/training-sessions/{b.pk}/").status_code == 404
    assert api(worker_a).delete(f"/api/training-sessions/{b.pk}/").status_code == 404
    assert TrainingSession.objects.filter(pk=b.pk).exists()


def test_session_update_keeps_what_achievements_depend_on(village_a, resident_a, worker_a):
    session = factories.session(
        village_a.commune,
        held_on=YESTERDAY,
        village=village_a,
        attendees=[Help(resident=resident_a, achievements=["smartphone"])],
    )
    url = f"/api/training-sessions/{session.pk}/"
    assert api(worker_a).patch(url, {"notes": "Đông người"}, format="json").status_code == 200
    response = api(worker_a).patch(
        url, {"held_on": str(YESTERDAY - datetime.timedelta(days=1))}, format="json"
    )
    assert response.status_code == 400 and "held_on" in response.json()
    session.refresh_from_db()
    assert (session.notes, session.held_on) == ("Đông người", YESTERDAY)


def test_session_delete(village_a, worker_a, leader):
    session = factories.session(village_a.commune, held_on=YESTERDAY, village=village_a, recorded_by=worker_a)
    assert api(leader).delete(f"/api/training-sessions/{session.pk}/").status_code == 403
    assert api(worker_a).delete(f"/api/training-sessions/{session.pk}/").status_code == 204
    assert not TrainingSession.objects.exists()


def test_session_filters(village_a, village_b, topic, official):
    a = factories.session(
        village_a.commune, held_on=datetime.date(2024, 4, 2), village=village_a, topics=[topic]
    )
    b = factories.session(village_b.commune, held_on=datetime.date(2024, 9, 2), village=village_b)
    client = api(official)
    assert ids(client.get("/api/training-sessions/", {"village": village_b.pk})) == {b.pk}
    assert ids(client.get("/api/training-sessions/", {"topic": topic.pk})) == {a.pk}
    assert ids(client.get("/api/training-sessions/", {"held_after": "2024-06-01"})) == {b.pk}


def test_session_list_queries_do_not_grow_with_rows(village_a, topic, official):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api(official).get("/api/training-sessions/").status_code == 200
        return len(queries)

    def sessions(n):
        for _ in range(n):
            resident = factories.resident(factories.household(village_a))
            factories.session(
                village_a.commune,
                held_on=YESTERDAY,
                village=village_a,
                topics=[topic],
                attendees=[Help(resident=resident, achievements=["smartphone"])],
            )

    sessions(3)
    few = count()
    sessions(27)
    assert count() == few
