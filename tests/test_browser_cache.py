"""No answer holding personal data stays in the browser's cache (softbridge.browser_cache):
pages, the API and exports say `Cache-Control: no-store`; static files keep their caching."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_household_page_is_not_stored(client, head_a, household_a, resident_a):
    client.force_login(head_a)
    response = client.get(reverse("villages:household", args=[household_a.pk]))
    assert response.status_code == 200
    assert "no-store" in directives(response)


def test_the_api_resident_list_read_with_a_token_is_not_stored(head_a, resident_a):
    key = Token.objects.create(user=head_a).key
    response = APIClient(headers={"authorization": f"Token {key}"}).get("/api/residents/")
    assert response.status_code == 200
    assert "no-store" in directives(response)


def test_an_api_refusal_is_not_stored(db):
    assert "no-store" in directives(APIClient().get("/api/households/"))


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_roster_export_is_not_stored(client, official, resident_a, extension):
    client.force_login(official)
    response = client.get(reverse("roster:export", args=["residents", extension]))
    assert response.status_code == 200
    assert "no-store" in directives(response)


def test_a_report_export_is_not_stored(client, official, resident_a):
    client.force_login(official)
    response = client.get(reverse("reports:export", kwargs={"table": "adoption", "fmt": "csv"}))
    assert response.status_code == 200
    assert "no-store" in directives(response)


def test_the_sign_in_page_is_not_stored(client, db):
    # It carries a CSRF token; Django's never_cache already says no-store, and is kept.
    response = client.get(reverse("login"))
    assert "no-store" in directives(response)
    assert "private" in directives(response)


def test_static_files_keep_their_caching(client, db):
    response = client.get("/static/css/softbridge.css")
    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert any(part.startswith("max-age=") for part in directives(response))
