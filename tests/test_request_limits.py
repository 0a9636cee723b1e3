"""Every list a request carries has a maximum (softbridge.request_limits): declared in the API
schema, counted before any of its items is looked up, refused with a 400 (or a form error)
naming the field, and nothing saved."""

import datetime
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from mobilization.models import Application, CommunicationActivity, HomeVisit
from softbridge.request_limits import (
    API_BODY_MAX_BYTES,
    ATTENDEES_MAX,
    HOUSEHOLD_MEMBERS_MAX,
    TOPICS_MAX,
    VILLAGES_MAX,
    WORKERS_MAX,
)
from tests import factories
from training.models import Attendance, Topic, TrainingSession
from training.services import session_record
from villages.models import Achievement, Household

DAY = datetime.date(2025, 3, 4)
# A long list that still fits in a body of API_BODY_MAX_BYTES.
HUGE = 30_000


def test_every_list_of_every_request_body_declares_its_maximum():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    arrays = {}

    def walk(node, where):
        if isinstance(node, dict):
            if node.get("type") == "array" and not node.get("readOnly"):
                arrays[where] = node.get("maxItems")
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            walk(component, name)
    assert arrays["VisitInputRequest.properties.helped"] == HOUSEHOLD_MEMBERS_MAX
    assert arrays["VisitInputRequest.properties.workers"] == WORKERS_MAX
    assert arrays["HelpRequest.properties.achievements"] == len(Achievement.choices)
    assert arrays["CommunicationInputRequest.properties.villages"] == VILLAGES_MAX
    assert arrays["SessionInputRequest.properties.attendees"] == ATTENDEES_MAX
    assert arrays["SessionInputRequest.properties.topics"] == TOPICS_MAX
    assert arrays["SessionInputRequest.properties.facilitators"] == WORKERS_MAX
    assert arrays["SplitRequest.properties.members"] == HOUSEHOLD_MEMBERS_MAX
    assert None not in arrays.values(), [where for where, most in arrays.items() if most is None]


@pytest.fixture
def scene(commune, village_a, household_a, resident_a):
    worker = factories.worker(commune)
    topic = Topic.objects.create(commune=commune, name="VNeID", skill="online_public_services")
    session = session_record(commune=commune, village=village_a, held_on=DAY)
    return {
        "household": household_a.pk,
        "resident": resident_a.pk,
        "worker": worker.pk,
        "village": village_a.pk,
        "topic": topic.pk,
        "session": session.pk,
    }


def visit(s, **body):
    return "post", "/api/visits/", {"household": s["household"], "visited_on": str(DAY), **body}


def session_body(s, **body):
    return "post", "/api/training-sessions/", {"village": s["village"], "held_on": str(DAY), **body}


# name: (the request for a list of n items, the field the 400 names, the maximum, what it would save)
LISTS = {
    "visit helped": (
        lambda s, n: visit(s, workers=[s["worker"]], helped=[{"resident": s["resident"]}] * n),
        "helped",
        HOUSEHOLD_MEMBERS_MAX,
        HomeVisit,
    ),
    "visit workers": (
        lambda s, n: visit(s, workers=[s["worker"]] * n),
        "workers",
        WORKERS_MAX,
        HomeVisit,
    ),
    "visit achievements": (
        lambda s, n: visit(
            s, workers=[s["worker"]], helped=[{"resident": s["resident"], "achievements": ["smartphone"] * n}]
        ),
        "helped",
        len(Achievement.choices),
        HomeVisit,
    ),
    "communication villages": (
        lambda s, n: (
            "post",
            "/api/communications/",
            {"channel": "loudspeaker", "held_on": str(DAY), "topic": "VNeID", "villages": [s["village"]] * n},
        ),
        "villages",
        VILLAGES_MAX,
        CommunicationActivity,
    ),
    "session attendees": (
        lambda s, n: session_body(s, attendees=[{"resident": s["resident"]}] * n),
        "attendees",
        ATTENDEES_MAX,
        TrainingSession,
    ),
    "session topics": (
        lambda s, n: session_body(s, topics=[s["topic"]] * n),
        "topics",
        TOPICS_MAX,
        TrainingSession,
    ),
    "session facilitators": (
        lambda s, n: session_body(s, facilitators=[s["worker"]] * n),
        "facilitators",
        WORKERS_MAX,
        TrainingSession,
    ),
    "session update topics": (
        lambda s, n: ("patch", f"/api/training-sessions/{s['session']}/", {"topics": [s["topic"]] * n}),
        "topics",
        TOPICS_MAX,
        TrainingSession.topics.through,
    ),
    "attendance achievements": (
        lambda s, n: (
            "post",
            f"/api/training-sessions/{s['session']}/attendance/",
            {"resident": s["resident"], "achievements": ["smartphone"] * n},
        ),
        "achievements",
        len(Achievement.choices),
        Attendance,
    ),
    "split members": (
        lambda s, n: (
            "post",
            f"/api/households/{s['household']}/split/",
            {
                "village": s["village"],
                "code": "NK-900",
                "members": [s["resident"]] * n,
                "head": s["resident"],
                "on": str(DAY),
            },
        ),
        "members",
        HOUSEHOLD_MEMBERS_MAX,
        Household,
    ),
}


def send(client, request):
    method, path, body = request
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, body, format="json")
    return response, len(queries)


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_over_its_maximum_is_refused_before_its_items_are_read(official, scene, name):
    request, field, most, model = LISTS[name]
    client = factories.api_client(official)
    rows_before = model.objects.count()

    response, queries_just_over = send(client, request(scene, most + 1))
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert f"at most {most} items; {most + 1} were sent" in str(response.json()[field])

    response, queries_huge = send(client, request(scene, HUGE))
    assert response.status_code == 400
    assert f"at most {most} items; {HUGE} were sent" in str(response.json()[field])
    # The refusal costs the same few queries (the user, the scope) whatever the list's length.
    assert queries_huge == queries_just_over
    assert model.objects.count() == rows_before


@pytest.mark.parametrize("items", [150_000, 200_000])
def test_the_findings_body_is_refused_unread(official, scene, items):
    # 150,000 helped residents, 2.25 MB: it held a gunicorn worker for 60 s, then answered 500.
    # 200,000 is past Django's own cap on a body (DATA_UPLOAD_MAX_MEMORY_SIZE) whatever the ids'
    # length, where DRF reading `request.body` answered a bare 400 page instead.
    method, path, body = LISTS["visit helped"][0](scene, items)
    client = factories.api_client(official)
    response, queries = send(client, (method, path, body))
    # As the API client sends it: compact JSON.
    size = len(json.dumps(body, separators=(",", ":")).encode())
    assert items == 150_000 or size > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The body is {size} bytes; the API takes at most {API_BODY_MAX_BYTES}."
    }
    _, queries_small = send(client, LISTS["visit helped"][0](scene, HOUSEHOLD_MEMBERS_MAX + 1))
    assert queries <= queries_small
    assert not HomeVisit.objects.exists()


def test_the_largest_body_a_real_client_sends_fits_under_the_cap():
    """A session with every list at its maximum, every achievement and the longest texts, each
    Vietnamese letter escaped as \\uXXXX (json.dumps' default): what the cap must never refuse."""
    largest_id = 2**63 - 1
    attendee = {
        "resident": largest_id,
        "achievements": [value for value, _ in Achievement.choices],
        "application_field": max(Application.Field.values, key=len),
        "application_channel": max(Application.Channel.values, key=len),
        "application_procedure": ("Đăng ký khai sinh ở ủy ban nhân dân xã " * 7)[:255],
    }
    body = {
        "village": largest_id,
        "commune": largest_id,
        "venue_kind": max(TrainingSession.VenueKind.values, key=len),
        "venue": ("Nhà văn hoá xóm Nà Khau " * 20)[:255],
        "held_on": "2025-03-04",
        "topics": [largest_id] * TOPICS_MAX,
        "facilitators": [largest_id] * WORKERS_MAX,
        "group": largest_id,
        "model": largest_id,
        "notes": ("Ghi chú buổi tập huấn " * 400)[:4000],
        "attendees": [attendee] * ATTENDEES_MAX,
        "submission_key": "3f1c2b9e-8d4a-4f6b-9c1d-2e3f4a5b6c7d",
    }
    assert len(json.dumps(body).encode()) < API_BODY_MAX_BYTES / 2


def test_a_visit_at_the_maximum_of_workers_is_logged(official, commune, household_a):
    workers = [factories.worker(commune).pk for _ in range(WORKERS_MAX)]
    response = factories.api_client(official).post(
        "/api/visits/",
        {"household": household_a.pk, "visited_on": str(DAY), "workers": workers},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert HomeVisit.objects.get().workers.count() == WORKERS_MAX


# --- The forms: the same maximum, beside the field


def test_the_visit_form_refuses_too_many_workers_beside_the_field(client, official, commune, household_a):
    worker = factories.worker(commune)
    client.force_login(official)
    response = client.post(
        reverse("visits:new"),
        {
            "submission_key": "3f1c2b9e-8d4a-4f6b-9c1d-2e3f4a5b6c7d",
            "household": household_a.pk,
            "visited_on": str(DAY),
            "workers": [worker.pk] * (WORKERS_MAX + 1),
            "outcome": "done",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["workers"] == [
        f"This list holds at most {WORKERS_MAX} items; {WORKERS_MAX + 1} were sent."
    ]
    assert not HomeVisit.objects.exists()


def test_the_attendance_form_refuses_too_many_residents(client, official, village_a, resident_a):
    session = session_record(commune=village_a.commune, village=village_a, held_on=DAY)
    client.force_login(official)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("training:attendance", args=[session.pk]),
            # A form of more than DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields is refused before.
            {"action": "save", "resident": [str(resident_a.pk)] * (ATTENDEES_MAX + 1)},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert f"at most {ATTENDEES_MAX} items; {ATTENDEES_MAX + 1} were sent" in response.content.decode()
    assert not Attendance.objects.exists()
    assert len(queries) < 50


def test_the_communication_form_refuses_too_many_villages(client, official, village_a):
    client.force_login(official)
    response = client.post(
        reverse("program:communication_new"),
        {
            "channel": "loudspeaker",
            "held_on": str(DAY),
            "villages": [village_a.pk] * (VILLAGES_MAX + 1),
            "topic": "VNeID",
            "reach": 10,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["villages"] == [
        f"This list holds at most {VILLAGES_MAX} items; {VILLAGES_MAX + 1} were sent."
    ]
    assert not CommunicationActivity.objects.exists()


def test_the_split_form_refuses_too_many_members(client, official, household_a, resident_a):
    client.force_login(official)
    response = client.post(
        reverse("villages:household_split", args=[household_a.pk]),
        {
            "members": [resident_a.pk] * (HOUSEHOLD_MEMBERS_MAX + 1),
            "head": resident_a.pk,
            "village": household_a.village_id,
            "code": "NK-900",
            "on": str(DAY),
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["members"] == [
        f"This list holds at most {HOUSEHOLD_MEMBERS_MAX} items; {HOUSEHOLD_MEMBERS_MAX + 1} were sent."
    ]
    assert Household.objects.count() == 1
