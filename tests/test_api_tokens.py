"""API tokens end (issue 28, finding 2): after API_TOKEN_LIFETIME_HOURS, when the password
changes by any door, when a role of the user's is removed, and when the user ends theirs
(softbridge.services); every API endpoint refuses a token that has ended."""

import datetime
import logging
import shlex

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories
from tests.test_authorization_matrix import url_patterns
from villages.models import Role
from villages.services import role_remove

PASSWORD = "pass-word-123"  # tests.factories.user's


def exchange(username: str, password: str = PASSWORD):
    return factories.api_client().post(
        "/api/token/", {"username": username, "password": password}, format="json"
    )


def with_token(key: str) -> APIClient:
    return APIClient(headers={"authorization": f"Token {key}", "accept-language": "en"})


def age(key: str, hours: float) -> None:
    """Make the token `hours` old, as the clock would."""
    created = Token.objects.get(key=key).created - datetime.timedelta(hours=hours)
    Token.objects.filter(key=key).update(created=created)


@pytest.fixture
def security_lines(caplog):
    caplog.set_level(logging.INFO, logger="softbridge.security")

    def lines(event: str) -> list[dict[str, str]]:
        parsed = [
            dict(part.split("=", 1) for part in shlex.split(record.getMessage()))
            for record in caplog.records
            if record.name == "softbridge.security"
        ]
        return [line for line in parsed if line["event"] == event]

    return lines


# --- Lifetime


def test_the_exchange_says_when_the_token_expires(head_a, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 12
    before = datetime.datetime.now(datetime.UTC)
    response = exchange("head_a")
    assert response.status_code == 200
    expires = datetime.datetime.fromisoformat(response.json()["expires"])
    assert (
        before + datetime.timedelta(hours=12) <= expires <= before + datetime.timedelta(hours=12, minutes=1)
    )


def test_a_token_works_within_its_lifetime_and_is_refused_after(household_a, head_a, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 12
    key = exchange("head_a").json()["token"]
    age(key, 11.9)
    assert with_token(key).get("/api/households/").status_code == 200
    age(key, 0.2)
    response = with_token(key).get("/api/households/")
    assert response.status_code == 401
    assert response.json() == {"detail": "The token has expired: ask for a new one at /api/token/."}


def test_the_lifetime_comes_from_the_settings(household_a, head_a, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 1
    key = exchange("head_a").json()["token"]
    age(key, 1.5)
    assert with_token(key).get("/api/households/").status_code == 401
    settings.API_TOKEN_LIFETIME_HOURS = 2
    assert with_token(key).get("/api/households/").status_code == 200


def test_exchanging_again_gives_the_same_key_until_it_expires_then_a_new_one(head_a, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 12
    first = exchange("head_a").json()["token"]
    assert exchange("head_a").json()["token"] == first  # a second device shares it
    age(first, 13)
    fresh = exchange("head_a").json()["token"]
    assert fresh != first
    assert with_token(fresh).get("/api/communes/").status_code == 200
    assert with_token(first).get("/api/communes/").status_code == 401


def test_an_expired_token_sent_along_does_not_refuse_the_exchange(head_a):
    key = exchange("head_a").json()["token"]
    age(key, 1000)
    response = with_token(key).post(
        "/api/token/", {"username": "head_a", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["token"] != key


# --- Revoked when the password changes, by any door


def test_the_password_page_ends_the_token(client, head_a):
    key = exchange("head_a").json()["token"]
    client.force_login(head_a)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-pass-word-9",
            "new_password2": "a-new-pass-word-9",
        },
    )
    assert response.status_code == 302
    assert with_token(key).get("/api/communes/").status_code == 401
    assert not Token.objects.filter(user=head_a).exists()


def test_the_admin_setting_a_password_ends_the_token(client, head_a, superuser):
    key = exchange("head_a").json()["token"]
    client.force_login(superuser)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[head_a.pk]),
        {"password1": "a-new-pass-word-9", "password2": "a-new-pass-word-9", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert with_token(key).get("/api/communes/").status_code == 401


def test_set_password_anywhere_ends_the_token(head_a):
    key = exchange("head_a").json()["token"]
    user = get_user_model().objects.get(pk=head_a.pk)
    user.set_password("a-new-pass-word-9")
    user.save()
    assert with_token(key).get("/api/communes/").status_code == 401


def test_a_save_that_keeps_the_password_keeps_the_token(head_a):
    key = exchange("head_a").json()["token"]
    user = get_user_model().objects.get(pk=head_a.pk)
    user.first_name = "Lan"
    user.save()
    user.save(update_fields=["last_login"])
    assert with_token(key).get("/api/communes/").status_code == 200


def test_the_changepassword_command_ends_the_token(head_a, monkeypatch, security_lines):
    key = exchange("head_a").json()["token"]
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a-new-pass-word-9")
    call_command("changepassword", "head_a")
    assert with_token(key).get("/api/communes/").status_code == 401
    [line] = security_lines("api_token_revoked")
    assert (line["token_user_id"], line["reason"], line["user"]) == (str(head_a.pk), "password_changed", "-")


# --- Revoked when a role is removed


def test_removing_a_role_in_the_admin_ends_the_token(client, head_a, superuser, security_lines):
    key = exchange("head_a").json()["token"]
    role = Role.objects.get(user=head_a)
    client.force_login(superuser)
    response = client.post(reverse("admin:villages_role_delete", args=[role.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Role.objects.filter(pk=role.pk).exists()
    assert with_token(key).get("/api/communes/").status_code == 401
    [line] = security_lines("api_token_revoked")
    assert (line["token_user_id"], line["reason"], line["user"]) == (str(head_a.pk), "role_removed", "root")


def test_removing_roles_in_bulk_ends_each_users_token(client, head_a, worker_a, superuser):
    keys = [exchange(name).json()["token"] for name in ("head_a", "worker_a")]
    client.force_login(superuser)
    roles = list(Role.objects.filter(user__in=[head_a, worker_a]).values_list("pk", flat=True))
    response = client.post(
        reverse("admin:villages_role_changelist"),
        {"action": "delete_selected", "_selected_action": roles, "post": "yes"},
    )
    assert response.status_code == 302
    assert not Role.objects.filter(pk__in=roles).exists()
    assert [with_token(key).get("/api/communes/").status_code for key in keys] == [401, 401]


# --- Revoked by the user


def test_the_user_ends_their_token_through_the_api(head_a, security_lines):
    key = exchange("head_a").json()["token"]
    assert with_token(key).post("/api/token/revoke/").status_code == 204
    assert with_token(key).get("/api/communes/").status_code == 401
    assert not Token.objects.filter(user=head_a).exists()
    [line] = security_lines("api_token_revoked")
    assert (line["user"], line["reason"], line["path"]) == ("head_a", "by_user", "/api/token/revoke/")
    assert exchange("head_a").json()["token"] != key


def test_ending_a_token_needs_credentials(head_a):
    key = exchange("head_a").json()["token"]
    assert factories.api_client().post("/api/token/revoke/").status_code == 401
    assert with_token(key).get("/api/communes/").status_code == 200


def test_the_password_page_shows_the_token_and_ends_it(english_client, head_a, settings):
    settings.API_TOKEN_LIFETIME_HOURS = 12
    key = exchange("head_a").json()["token"]
    english_client.force_login(head_a)
    page = english_client.get(reverse("password_change")).content.decode()
    assert "You hold an API token" in page
    assert reverse("api_token_end") in page
    response = english_client.post(reverse("api_token_end"), follow=True)
    assert "Your API token has ended" in response.content.decode()
    assert with_token(key).get("/api/communes/").status_code == 401
    assert "You hold no working API token." in english_client.get(reverse("password_change")).content.decode()


def test_an_expired_token_is_not_shown_as_working(english_client, head_a):
    age(exchange("head_a").json()["token"], 1000)
    english_client.force_login(head_a)
    assert "You hold no working API token." in english_client.get(reverse("password_change")).content.decode()


def test_issuing_is_in_the_security_log(head_a, security_lines):
    exchange("head_a")
    exchange("head_a")  # the same key: nothing new issued
    [line] = security_lines("api_token_issued")
    assert line["token_user_id"] == str(head_a.pk)
    assert "token" not in line and not any(Token.objects.get().key in value for value in line.values())


# --- Every API endpoint refuses a token that has ended


def api_urls() -> list[tuple[str, str]]:
    """(key, a URL) of every API pattern, each argument filled in: the token is refused before
    anything looks the record up. Not the exchange itself, which takes no credentials, nor the
    catch-all that answers 404 to everyone."""
    found = []
    for key, route, pattern in url_patterns():
        if not route.startswith("api/") or key == "api:token" or pattern.name is None:
            continue
        kwargs = {name: "json" if name == "format" else "1" for name in pattern.pattern.regex.groupindex}
        found.append((key, reverse(key.removesuffix(" (format)"), kwargs=kwargs)))
    return found


API_URLS = api_urls()


def test_every_api_pattern_is_tried():
    assert len(API_URLS) > 30
    assert {"api:household-list", "api:token-revoke", "reports_api:adoption"} <= {key for key, _ in API_URLS}


@pytest.mark.parametrize("ended_by", ["lifetime", "password", "role removed", "the user"])
def test_every_api_endpoint_refuses_a_token_that_has_ended(official, ended_by):
    key = exchange("official").json()["token"]
    assert with_token(key).get("/api/communes/").status_code == 200
    if ended_by == "lifetime":
        age(key, 10_000)
    elif ended_by == "password":
        official.set_password("a-new-pass-word-9")
        official.save()
    elif ended_by == "role removed":
        role_remove(role=Role.objects.get(user=official))
    else:
        with_token(key).post("/api/token/revoke/")
    client = with_token(key)
    answers = {
        (method, url): getattr(client, method)(url, {}, format="json").status_code
        for _key, url in API_URLS
        for method in ("get", "post", "put", "patch", "delete")
    }
    # The docs page refuses another method than GET before it reads any credentials.
    refused_first = {(method, "/api/docs/"): 405 for method in ("post", "put", "patch", "delete")}
    # A phone's report takes the signed-in session only, never a token (frontdoor.device_reports).
    refused_first |= {
        (method, "/api/devices/report/"): 403 for method in ("get", "post", "put", "patch", "delete")
    }
    assert {place: code for place, code in answers.items() if code != 401} == refused_first
