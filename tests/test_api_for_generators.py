"""What a client generated from /api/schema/ relies on (issue 32): bodies in JSON only (a form's
content type answers 415 and saves nothing), and machine names that do not change with the
request's language. The generated client itself: tests/test_api_generated_client.py."""

import datetime
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from mobilization.models import HomeVisit
from softbridge.calendar import commune_today
from softbridge.request_limits import API_BODY_MAX_BYTES
from tests import factories
from tests.api_schema_names import is_ascii, machine_names

REFUSAL = {"detail": "The API takes JSON: send the body with Content-Type: application/json."}


def yesterday() -> datetime.date:
    return commune_today() - datetime.timedelta(days=1)


def schema(client, language: str) -> dict:
    response = client.get("/api/schema/", {"format": "json"}, headers={"accept-language": language})
    assert response.status_code == 200
    return response.json()


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data; boundary=BoUnDaRy", "text/plain"],
)
def test_a_write_not_in_json_is_refused_with_415_and_saves_nothing(official, household_a, content_type):
    api = factories.api_client(official)
    worker = factories.worker(household_a.commune)
    fields = {"household": household_a.pk, "visited_on": yesterday().isoformat(), "workers": worker.pk}
    if content_type.startswith("multipart"):
        body = (
            "".join(
                f'--BoUnDaRy\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
                for name, value in fields.items()
            )
            + "--BoUnDaRy--\r\n"
        )
    else:
        body = urlencode(fields)
    response = api.generic("POST", "/api/visits/", body, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == REFUSAL
    assert not HomeVisit.objects.exists()


def test_a_form_encoded_change_is_refused_with_415_and_changes_nothing(official, household_a):
    api = factories.api_client(official)
    url = f"/api/households/{household_a.pk}/"
    response = api.patch(
        url, urlencode({"phone": "0912345678"}), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    household_a.refresh_from_db()
    assert household_a.phone == ""
    assert household_a.version == 1


def test_the_same_write_in_json_is_saved(official, household_a):
    worker = factories.worker(household_a.commune)
    api = factories.api_client(official)
    body = {"household": household_a.pk, "visited_on": yesterday(), "workers": [worker.pk]}
    response = api.post("/api/visits/", body, format="json")
    assert response.status_code == 201
    assert HomeVisit.objects.get().household == household_a


def test_the_token_exchange_takes_json_only(official):
    api = factories.api_client()
    credentials = {"username": "official", "password": "pass-word-123"}
    form = api.post("/api/token/", urlencode(credentials), content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert form.json() == REFUSAL
    assert not Token.objects.exists()
    response = api.post("/api/token/", credentials, format="json")
    assert response.status_code == 200
    assert response.json()["token"] == Token.objects.get(user=official).key
    assert set(response.json()) == {"token", "expires"}


def test_a_form_body_over_the_cap_is_refused_for_its_size_first(official, household_a):
    # The cap answers from Content-Length before any parser is chosen: a body too large is
    # refused unread whatever its content type.
    api = factories.api_client(official)
    body = "notes=" + "x" * API_BODY_MAX_BYTES
    response = api.generic("POST", "/api/visits/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert not HomeVisit.objects.exists()


def test_the_site_pages_still_take_forms(client, official):
    response = client.post("/accounts/login/", {"username": "official", "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(official.pk)


def test_every_request_body_in_the_schema_is_json(client, db):
    operations = machine_names(schema(client, "en"))["operations"]
    bodies = {name: op["body"] for name, op in operations.items() if op["body"]}
    assert "post /api/visits/" in bodies
    assert "post /api/token/" in bodies
    assert set(map(tuple, bodies.values())) == {("application/json",)}
    # Each of them may answer 415, as documented.
    assert all("415" in operations[name]["responses"] for name in bodies)


def test_the_schema_names_are_the_same_in_vietnamese_and_english(client, db):
    vietnamese, english = schema(client, "vi"), schema(client, "en")
    # The human text follows the language...
    assert vietnamese["info"]["description"] != english["info"]["description"]
    # ...the names a generator makes classes and modules of do not.
    names = machine_names(vietnamese)
    assert names == machine_names(english)
    assert is_ascii(names)
    assert names["titles"] == []
    assert names["package title"] == "Softbridge API"
    assert {"VisitOutcomeEnum", "SexEnum", "StepEnum", "ObjectTypeEnum"} <= set(names["enums"])


def test_the_visits_outcome_filter_has_no_title(client, db):
    # The case of the issue: `title: Kết quả` made a module `visits_list_kế_t_qu_ả.py`.
    parameters = schema(client, "vi")["paths"]["/api/visits/"]["get"]["parameters"]
    outcome = next(p for p in parameters if p["name"] == "outcome")
    assert "title" not in outcome["schema"]
    assert outcome["schema"]["enum"] == sorted(HomeVisit.Outcome.values)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_schema_is_valid_without_a_warning(db, tmp_path, language):
    # drf-spectacular warns of two enums named alike, a field it cannot type, ...: each one a
    # name a generated client could get wrong. --fail-on-warn makes any of them an error.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--lang", language, "--file", str(tmp_path / "s.yaml")
    )
