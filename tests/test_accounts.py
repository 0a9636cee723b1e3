"""Accounts: sign-in lockout, password rules, session expiry, signing out.

The lockout counts wrong passwords per user name and address (django-axes); the limit and the
wait come from settings (SIGNIN_FAILURE_LIMIT=5, SIGNIN_LOCKOUT_MINUTES=15 by default).
"""

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests import factories

PASSWORD = "pass-word-123"
LIMIT = 5  # the default of SIGNIN_FAILURE_LIMIT, written out: the test states the promise


def sign_in(client, username, password, url=None, **extra):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def fail(client, username, times, url=None, **extra):
    return [sign_in(client, username, "wrong-guess", url, **extra) for _ in range(times)]


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


# --- lockout ---------------------------------------------------------------------------------


def test_wrong_passwords_below_the_limit_only_show_the_form_error(client, official):
    responses = fail(client, "official", LIMIT - 1)
    assert [r.status_code for r in responses] == [200] * (LIMIT - 1)
    assert sign_in(client, "official", PASSWORD).status_code == 302
    assert signed_in(client)
    assert "locked" not in responses[-1].content.decode()
    assert sign_in(client, "official", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_limit_of_wrong_passwords_locks_the_account_with_a_clear_message(client, official):
    last = fail(client, "official", LIMIT)[-1]
    assert last.status_code == 429
    page = last.content.decode()
    assert "Sign-in locked" in page
    assert "5 wrong passwords in a row" in page
    assert "“official”" in page
    assert "Try again in 15 minutes" in page
    assert 'role="alert"' in page


def test_the_right_password_is_refused_while_locked(client, official):
    fail(client, "official", LIMIT)
    response = sign_in(client, "official", PASSWORD)
    assert response.status_code == 429
    assert "Try again in 15 minutes" in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_page_is_in_vietnamese_by_default(client, official):
    for _ in range(LIMIT):
        response = client.post(reverse("login"), {"username": "official", "password": "wrong"})
    assert response.status_code == 429
    assert 'lang="vi"' in response.content.decode()


def test_the_lock_holds_one_user_name_from_one_address(client, official, leader):
    fail(client, "official", LIMIT, REMOTE_ADDR="10.0.0.7")
    # Another user at the same office computer signs in…
    assert sign_in(client, "leader", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 302
    assert signed_in(client)
    client.logout()
    # …and the same user from another address too.
    assert sign_in(client, "official", PASSWORD, REMOTE_ADDR="10.0.0.8").status_code == 302
    assert signed_in(client)


def test_the_admin_sign_in_is_locked_too(client, superuser):
    admin_login = reverse("admin:login")
    last = fail(client, superuser.username, LIMIT, url=admin_login)[-1]
    assert last.status_code == 429
    assert "Try again in 15 minutes" in last.content.decode()
    response = sign_in(client, superuser.username, PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert not signed_in(client)


def test_the_api_token_exchange_is_locked_too(client, official):
    def ask_token(password):
        credentials = {"username": "official", "password": password}
        return client.post("/api/token/", credentials, content_type="application/json")

    for _ in range(LIMIT):
        assert ask_token("wrong").status_code == 400
    response = ask_token(PASSWORD)
    assert response.status_code == 400
    assert "token" not in response.json()
    # The site's sign-in counts the same attempts.
    assert sign_in(client, "official", PASSWORD).status_code == 429


def test_failures_at_the_admin_and_the_site_count_together(client, superuser):
    fail(client, superuser.username, LIMIT - 1, url=reverse("admin:login"))
    assert fail(client, superuser.username, 1)[-1].status_code == 429
    assert sign_in(client, superuser.username, PASSWORD).status_code == 429
    assert not signed_in(client)


def test_the_lock_lifts_after_the_cool_off(client, official):
    fail(client, "official", LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, "official", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_still_holds_before_the_cool_off_ends(client, official):
    fail(client, "official", LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=14))
    assert sign_in(client, "official", PASSWORD).status_code == 429
    assert not signed_in(client)


def test_axes_reset_username_lifts_the_lock(client, official):
    fail(client, "official", LIMIT)
    call_command("axes_reset_username", "official", stdout=open("/dev/null", "w"))
    assert sign_in(client, "official", PASSWORD).status_code == 302
    assert signed_in(client)


def test_a_successful_sign_in_starts_the_count_again(client, official):
    fail(client, "official", LIMIT - 1)
    sign_in(client, "official", PASSWORD)
    client.logout()
    responses = fail(client, "official", LIMIT - 1)
    assert [r.status_code for r in responses] == [200] * (LIMIT - 1)


def test_the_client_address_comes_from_the_trusted_proxy_only(client, official, settings):
    settings.TRUSTED_PROXIES = 1
    # The proxy appends the address it saw; what the client wrote before it is not believed.
    fail(client, "official", LIMIT, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    forged = sign_in(
        client,
        "official",
        PASSWORD,
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.4",
    )
    assert forged.status_code == 302


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, official, settings):
    settings.TRUSTED_PROXIES = 0
    fail(client, "official", LIMIT, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.7"}
    response = sign_in(
        client, "official", PASSWORD, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="198.51.100.2"
    )
    assert response.status_code == 429


def test_the_stored_attempt_never_holds_the_password(client, official):
    sign_in(client, "official", "my-secret-guess")
    attempt = AccessAttempt.objects.get()
    assert "my-secret-guess" not in attempt.post_data


# --- passwords -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "weak, reason",
    [
        ("short-1", "too short"),
        ("password123", "too common"),
        ("4815162342108", "entirely numeric"),
        ("official-1", "too similar"),
    ],
)
def test_the_password_change_form_refuses_a_weak_password(client, official, weak, reason):
    client.force_login(official)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    official.refresh_from_db()
    assert official.check_password(PASSWORD)


def test_the_password_change_form_accepts_a_strong_password(client, official):
    client.force_login(official)
    new = "mây-trên-núi-Hạ-Lang-7"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    official.refresh_from_db()
    assert official.check_password(new)
    # The session that changed it stays signed in.
    assert client.get(reverse("home")).status_code == 200


def test_the_password_change_form_wants_the_old_password(client, official):
    client.force_login(official)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "not-it",
            "new_password1": "a-good-new-one-42",
            "new_password2": "a-good-new-one-42",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    official.refresh_from_db()
    assert official.check_password(PASSWORD)


def test_the_password_change_page_lists_the_rules_and_labels_each_input(client, official):
    client.force_login(official)
    page = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "at least 10 characters" in page
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{name}">' in page


def test_every_signed_in_page_links_to_the_password_change(client, official):
    client.force_login(official)
    assert f'href="{reverse("password_change")}"' in client.get(reverse("home")).content.decode()


# --- sessions --------------------------------------------------------------------------------


def test_a_session_lasts_the_configured_hours(client, official, settings):
    settings.SESSION_COOKIE_AGE = 2 * 3600
    sign_in(client, "official", PASSWORD)
    assert client.cookies["sessionid"]["max-age"] == 2 * 3600
    session = Session.objects.get()
    lasts = session.expire_date - timezone.now()
    assert datetime.timedelta(hours=2) - datetime.timedelta(minutes=1) < lasts <= datetime.timedelta(hours=2)


def test_a_session_can_end_with_the_browser(client, official, settings):
    settings.SESSION_EXPIRE_AT_BROWSER_CLOSE = True
    sign_in(client, "official", PASSWORD)
    assert client.cookies["sessionid"]["max-age"] == ""
    assert client.cookies["sessionid"]["expires"] == ""


def test_an_expired_session_is_signed_out(client, official):
    sign_in(client, "official", PASSWORD)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- signing out -----------------------------------------------------------------------------


def test_signing_out_by_post_ends_the_session(client, official):
    client.force_login(official)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert not signed_in(client)
    assert client.get(reverse("home")).status_code == 302


def test_a_get_to_the_sign_out_address_does_not_sign_out(client, official):
    client.force_login(official)
    assert client.get(reverse("logout")).status_code == 405
    assert signed_in(client)
    assert client.get(reverse("home")).status_code == 200


def test_signing_out_needs_the_csrf_token(official):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    assert client.post(reverse("logout")).status_code == 403
    assert signed_in(client)


@pytest.mark.parametrize(
    "url_name", ["home", "villages:households", "training:sessions", "reports:dashboard", "password_change"]
)
def test_every_signed_in_page_has_the_sign_out_form(client, official, url_name):
    client.force_login(official)
    page = client.get(reverse(url_name)).content.decode()
    assert f'<form action="{reverse("logout")}" method="post" class="signout">' in page


def test_the_admin_has_its_own_sign_out_form(client, superuser):
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    assert f'<form id="logout-form" method="post" action="{reverse("admin:logout")}">' in page
    client.post(reverse("admin:logout"))
    assert not signed_in(client)


def test_the_sign_in_page_has_no_sign_out_form(client, db):
    assert reverse("logout") not in client.get(reverse("login")).content.decode()


def test_factories_user_password_passes_the_validators(db):
    """The suite signs in as its fixture users; their password must be one the site accepts."""
    from django.contrib.auth.password_validation import validate_password

    validate_password(PASSWORD, factories.user(username="someone"))
