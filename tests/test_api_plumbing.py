"""What every endpoint shares: authentication by session or token, throttling, paging, the
schema and its docs (served without a CDN), route names, and lists whose query count
does not grow with their rows."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from mobilization.models import Membership
from mobilization.services import communication_record
from tests import factories
from tests.factories import api_client as api
from villages.models import Household, Village


def rates(**changed):
    return override_settings(
        REST_FRAMEWORK={
            **api_settings.user_settings,
            "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, **changed},
        }
    )


# --- Authentication


def test_a_token_is_exchanged_for_a_password_and_authenticates(household_a, household_b, head_a):
    response = api().post("/api/token/", {"username": "head_a", "password": "pass-word-123"}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=head_a).key == key
    client = APIClient(headers={"authorization": f"Token {key}"})
    rows = client.get("/api/households/").json()["results"]
    assert [row["id"] for row in rows] == [household_a.pk]


def test_a_wrong_password_gets_no_token(head_a):
    response = api().post("/api/token/", {"username": "head_a", "password": "guess"}, format="json")
    assert response.status_code == 400
    assert not Token.objects.exists()


def test_a_bad_token_is_refused(household_a):
    client = APIClient(headers={"authorization": "Token not-a-key"})
    response = client.get("/api/households/")
    assert response.status_code == 401
    assert household_a.code not in response.content.decode()


def test_a_token_write_needs_no_csrf_token(village_a, head_a):
    key = Token.objects.create(user=head_a).key
    client = APIClient(enforce_csrf_checks=True, headers={"authorization": f"Token {key}"})
    response = client.post("/api/households/", {"village": village_a.pk, "code": "NK-050"}, format="json")
    assert response.status_code == 201
    assert Household.objects.filter(village=village_a, code="NK-050").exists()


def test_a_signed_in_browser_reads_and_writes_with_csrf(village_a, head_a):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(head_a)
    assert client.get("/api/households/").status_code == 200
    response = client.post("/api/households/", {"village": village_a.pk, "code": "NK-050"}, format="json")
    assert response.status_code == 403  # a session write without the CSRF token
    assert not Household.objects.filter(code="NK-050").exists()


def test_an_inactive_user_token_is_refused(head_a, household_a):
    key = Token.objects.create(user=head_a).key
    head_a.is_active = False
    head_a.save()
    response = APIClient(headers={"authorization": f"Token {key}"}).get("/api/households/")
    assert response.status_code == 401
    assert household_a.code not in response.content.decode()


# --- Throttling


def test_a_user_over_the_rate_gets_429(commune, official):
    client = api(official)
    with rates(user="3/minute"):
        assert [client.get("/api/communes/").status_code for _ in range(4)] == [200, 200, 200, 429]
        response = client.get("/api/communes/")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0


def test_anonymous_requests_are_throttled(db):
    client = api()
    with rates(anon="2/minute"):
        codes = [client.get("/api/schema/").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_password_guesses_are_throttled(head_a):
    client = api()
    with rates(token="2/minute"):
        codes = [
            client.post("/api/token/", {"username": "head_a", "password": "guess"}, format="json").status_code
            for _ in range(3)
        ]
    assert codes == [400, 400, 429]


def test_the_default_rates_leave_room_for_a_busy_client(settings):
    rates_in_force = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(rates_in_force) == {"anon", "user", "token"}
    number, period = rates_in_force["user"].split("/")
    assert period.startswith("min") and int(number) >= 600


# --- Paging


def test_pages_hold_fifty_rows_and_at_most_two_hundred(village_a, official):
    Household.objects.bulk_create(
        Household(commune_id=village_a.commune_id, village=village_a, code=f"NK-{n:03}") for n in range(205)
    )
    client = api(official)
    first = client.get("/api/households/").json()
    assert (first["count"], len(first["results"])) == (205, 50)
    assert first["next"] and first["previous"] is None
    assert len(client.get("/api/households/", {"page_size": 10}).json()["results"]) == 10
    assert len(client.get("/api/households/", {"page_size": 1000}).json()["results"]) == 200
    assert client.get("/api/households/", {"page": 99}).status_code == 404


# --- The schema and the docs


def test_schema_is_served_and_valid(db):
    response = api().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    for resource in (
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
    ):
        assert f"/api/{resource}/" in paths
        assert f"/api/{resource}/{{id}}/" in paths
    assert "/api/reports/adoption/" in paths
    assert "/api/residents/{id}/ladder/" in paths


def test_schema_generation_has_no_warnings(tmp_path):
    # The same check as `manage.py spectacular --validate --fail-on-warn`: it raises on any warning.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    assert "openapi:" in (tmp_path / "schema.yml").read_text()


def test_schema_documents_the_lost_update_rules(db):
    schema = api().get("/api/schema/", {"format": "json"}).json()
    patch = schema["paths"]["/api/households/{id}/"]["patch"]
    assert "If-Match" in [p["name"] for p in patch["parameters"]]
    assert {"409", "412"} <= set(patch["responses"])
    assert "ETag" in schema["paths"]["/api/households/{id}/"]["get"]["responses"]["200"]["headers"]


def test_docs_are_served_from_our_own_static_files(db):
    response = api().get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "cdn" not in page.lower()


def test_routes_are_named_in_the_api_namespace(household_a):
    assert reverse("api:household-list") == "/api/households/"
    assert reverse("api:household-detail", args=[household_a.pk]) == f"/api/households/{household_a.pk}/"
    assert reverse("api:resident-ladder", args=[1]) == "/api/residents/1/ladder/"
    assert reverse("api:training-session-attendance", args=[1]) == "/api/training-sessions/1/attendance/"
    assert reverse("api:schema") == "/api/schema/"
    assert reverse("api:docs") == "/api/docs/"
    assert reverse("api:token") == "/api/token/"


def test_ids_too_long_to_exist_answer_404(official):
    assert api(official).get("/api/households/123456789012345678901234/").status_code == 404


# --- Query counts of the lists not covered in the per-resource files


def _queries(user, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api(user).get(url)
    assert response.status_code == 200
    return len(queries)


def _add_program_rows(commune, village, n):
    for _ in range(n):
        worker = factories.worker(commune)
        group = factories.worker_group(commune)
        Membership.objects.create(worker=worker, group=group)
        communication_record(
            commune_id=commune.pk,
            channel="leaflet",
            held_on=datetime.date(2024, 5, 1),
            villages=[village],
            topic="VNeID",
        )
        Village.objects.create(commune=commune, code=f"X{Village.objects.count()}", name="Xóm")


@pytest.mark.parametrize(
    "url", ["/api/villages/", "/api/worker-groups/", "/api/workers/", "/api/communications/"]
)
def test_list_queries_do_not_grow_with_rows(commune, village_a, official, url):
    _add_program_rows(commune, village_a, 3)
    few = _queries(official, url)
    _add_program_rows(commune, village_a, 27)
    assert _queries(official, url) == few


def test_the_docs_answer_options_and_refuse_other_methods(db):
    # OPTIONS drew the page's template with nothing to draw: TemplateDoesNotExist, a 500 (issue 28).
    client = APIClient()
    response = client.options("/api/docs/")
    assert response.status_code == 200
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert [client.generic(method, "/api/docs/").status_code for method in ("POST", "PUT", "DELETE")] == [
        405
    ] * 3


def test_an_api_address_no_route_matches_answers_json_and_a_page_address_html(official):
    # The schema fuzz found it: an id with a line break matches no route, and the site's HTML
    # 404 page answered an API that promises JSON.
    answer = api(official).put("/api/communications/12\n/", {}, format="json")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    assert set(answer.json()) == {"detail"}
    page = api(official).get("/households/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
