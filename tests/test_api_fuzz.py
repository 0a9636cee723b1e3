"""Schemathesis over every operation of /api/schema/: no 5xx, and every response (status
code, content type, headers, body) as the schema documents it.

The schema is read through the WSGI application, as a client would read it. Each
operation is a test of its own, run as a commune official holding a token, with a small
register present. Every generated request is sent twice: as generated (its ids mostly
name nothing, which must answer 404 or 400), then with its ids pointing at real records
of the commune, so that the services behind the writes are reached too. Examples are few
per operation, in positive and negative mode, and derandomized, so the run is quick and the
same on every machine.
"""

import datetime
import os

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mobilization.models import Application, CommunicationActivity, Worker
from mobilization.services import Help, visit_log
from reports.models import Target
from softbridge.calendar import commune_today
from softbridge.wsgi import application
from tests import factories
from training.models import Topic
from training.services import session_record
from villages.models import Role

# `API_FUZZ_THOROUGH=1 pytest tests/test_api_fuzz.py` adds schemathesis's coverage phase
# (boundary values of every parameter) and ten times the examples: minutes, not seconds.
THOROUGH = os.environ.get("API_FUZZ_THOROUGH") == "1"
EXAMPLES_PER_OPERATION = 50 if THOROUGH else 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema.config.generation.update(modes=["positive", "negative"], max_examples=EXAMPLES_PER_OPERATION)
schema.config.phases.update(
    phases=["examples", "coverage", "fuzzing"] if THOROUGH else ["examples", "fuzzing"]
)


class Register:
    """One commune with a record of every kind, and the official who fuzzes it."""

    def __init__(self):
        yesterday = commune_today() - datetime.timedelta(days=1)
        commune = factories.commune("01558", "Xã Hạ Lang")
        village = factories.village(commune, code="NK", name="Nà Khau")
        other_village = factories.village(commune, code="BT", name="Bản Thang")
        household = factories.household(village, code="NK-001")
        empty_household = factories.household(other_village, code="BT-001")
        resident = factories.resident(household, full_name="Nông Thị Hoa", birth_year=1985)
        # No password: the token authenticates, and hashing one for each operation's test
        # would take most of the run's time.
        self.official = get_user_model().objects.create(username="fuzzer")
        Role.objects.create(user=self.official, commune=commune, kind=Role.Kind.OFFICIAL)
        worker = factories.worker(commune, full_name="Hoàng Văn Đức", user=self.official)
        group = factories.worker_group(commune)
        topic = Topic.objects.create(commune=commune, name="VNeID", skill="online_public_services")
        visit = visit_log(
            household=household,
            visited_on=yesterday,
            workers=[worker],
            helped=[Help(resident=resident, achievements=["eid_activated", "application_submitted"])],
        )
        session = session_record(commune=commune, held_on=yesterday, village=village, topics=[topic])
        CommunicationActivity.objects.create(
            commune=commune, channel="leaflet", held_on=yesterday, topic="VNeID"
        )
        Target.objects.create(
            commune=commune, indicator="eid_share", due_on=datetime.date(2025, 6, 30), value="0.5"
        )
        self.ids = {
            "commune": commune.pk,
            "village": village.pk,
            "household": household.pk,
            "resident": resident.pk,
            "worker": worker.pk,
            "group": group.pk,
            "topic": topic.pk,
            "visit": visit.pk,
            "session": session.pk,
            "helped_by": worker.pk,
        }
        self.by_path = {
            "communes": commune.pk,
            "villages": other_village.pk,
            "households": empty_household.pk,
            "residents": resident.pk,
            "worker-groups": group.pk,
            "workers": Worker.objects.get(pk=worker.pk).pk,
            "visits": visit.pk,
            "training-sessions": session.pk,
            "communications": CommunicationActivity.objects.get().pk,
            "applications": Application.objects.get().pk,
            "targets": Target.objects.get().pk,
        }
        self.headers = {
            "Authorization": f"Token {Token.objects.create(user=self.official).key}",
            # Schemathesis reads the body as the app wrote it: the app compresses what a client
            # accepts compressed (GZipMiddleware), which test_the_api_answers_compressed proves.
            "Accept-Encoding": "identity",
        }

    def point_at_real_records(self, case) -> None:
        if case.path_parameters and "id" in case.path_parameters:
            resource = case.path.strip("/").split("/")[1]
            case.path_parameters["id"] = self.by_path[resource]
        if isinstance(case.body, dict):
            for name in (
                "commune",
                "village",
                "household",
                "resident",
                "group",
                "helped_by",
                "visit",
                "session",
            ):
                if name in case.body:
                    case.body[name] = self.ids[name]
            for name, key in (("villages", "village"), ("workers", "worker"), ("topics", "topic")):
                if isinstance(case.body.get(name), list):
                    case.body[name] = [self.ids[key]]


@pytest.fixture
def register(db):
    # The WSGI handler closes the database connection at the end of each request, as a
    # server should; inside the test's transaction that would close it under the test.
    # Django's test client disconnects the same handler.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    cache.clear()
    try:
        yield Register()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_its_contract(case, register):
    case.call_and_validate(headers=register.headers, checks=CHECKS)
    register.point_at_real_records(case)
    case.call_and_validate(headers=register.headers, checks=CHECKS)


RESOURCES = {
    "communes",
    "villages",
    "households",
    "residents",
    "worker-groups",
    "workers",
    "visits",
    "training-sessions",
    "communications",
    "applications",
    "targets",
    "token",
    "reports",
    "devices",
}


def test_every_resource_is_in_the_fuzzed_schema():
    paths = {operation.ok().path for operation in schema.get_all_operations()}
    assert {path.strip("/").split("/")[1] for path in paths} == RESOURCES
    assert len(paths) >= 2 * (len(RESOURCES) - 2)
