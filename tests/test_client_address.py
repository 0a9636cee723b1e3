"""One client address for the sign-in lockout and the API throttles (softbridge.client_address).

X-Forwarded-For is whatever the client wrote unless a trusted proxy (TRUSTED_PROXIES) appended
to it: a client that invents a new address each request must still be counted as one.
"""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from softbridge.client_address import client_address

LIMIT = 5  # SIGNIN_FAILURE_LIMIT's default


def token_rate(rate: str):
    return override_settings(
        REST_FRAMEWORK={
            **api_settings.user_settings,
            "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "token": rate},
        }
    )


def ask_token(forwarded: str, username: str = "nobody", **extra) -> int:
    response = APIClient().post(
        "/api/token/",
        {"username": username, "password": "guess"},
        format="json",
        HTTP_X_FORWARDED_FOR=forwarded,
        **extra,
    )
    return response.status_code


@pytest.mark.parametrize(
    "proxies, forwarded, expected",
    [
        (0, "198.51.100.7", "10.0.0.2"),
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "1.1.1.1, 198.51.100.7", "198.51.100.7"),
        (2, "1.1.1.1, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        # Fewer entries than proxies, or no address where the proxy writes one: the socket's.
        (2, "198.51.100.7", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, " , ,", "10.0.0.2"),
        (1, "1.1.1.1, not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_one_the_outermost_trusted_proxy_saw(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


# --- the API's throttles ---------------------------------------------------------------------


def test_invented_forwarded_addresses_do_not_escape_the_token_throttle(db, settings):
    settings.TRUSTED_PROXIES = 0
    # The default token rate, 10 a minute; a different user name each time keeps the
    # sign-in lockout out of it.
    codes = [ask_token(f"203.0.113.{n}", username=f"guess{n}") for n in range(16)]
    assert codes == [400] * 10 + [429] * 6


def test_behind_a_trusted_proxy_the_address_it_appended_is_throttled(db, settings):
    settings.TRUSTED_PROXIES = 1
    with token_rate("2/minute"):
        first = [ask_token("203.0.113.1", username=f"a{n}") for n in range(2)]
        # The same client inventing what comes before the proxy's entry.
        invented = ask_token("6.6.6.6, 203.0.113.1", username="a3")
        # Another client behind the same proxy is counted apart.
        other = ask_token("203.0.113.2", username="b1")
    assert first == [400, 400]
    assert invented == 429
    assert other == 400


def test_anonymous_api_requests_are_throttled_by_the_real_address(db, settings):
    settings.TRUSTED_PROXIES = 0
    with override_settings(
        REST_FRAMEWORK={
            **api_settings.user_settings,
            "DEFAULT_THROTTLE_RATES": {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "2/minute"},
        }
    ):
        codes = [
            APIClient().get("/api/schema/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
            for n in range(3)
        ]
    assert codes == [200, 200, 429]


# --- the sign-in lockout ---------------------------------------------------------------------


def sign_in(client, password, **extra):
    return client.post(
        reverse("login"), {"username": "official", "password": password}, HTTP_ACCEPT_LANGUAGE="en", **extra
    )


def test_the_lockout_holds_whatever_x_forwarded_for_says(client, official, settings):
    settings.TRUSTED_PROXIES = 0
    codes = [
        sign_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(LIMIT)
    ]
    assert codes == [200] * (LIMIT - 1) + [429]
    assert sign_in(client, "pass-word-123", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_behind_a_proxy_an_invented_left_part_does_not_escape_the_lockout(client, official, settings):
    settings.TRUSTED_PROXIES = 1
    for n in range(LIMIT):
        sign_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 203.0.113.1")
    assert sign_in(client, "pass-word-123", HTTP_X_FORWARDED_FOR="7.7.7.7, 203.0.113.1").status_code == 429
    assert SESSION_KEY not in client.session


def test_a_malformed_forwarded_header_is_answered_and_counted_at_the_socket(client, official, settings):
    settings.TRUSTED_PROXIES = 1
    response = sign_in(client, "wrong", HTTP_X_FORWARDED_FOR="1.1.1.1, not-an-address")
    assert response.status_code == 200
    # PostgreSQL's inet column would refuse "not-an-address".
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["127.0.0.1"]
    assert ask_token("\x00, ,;", username="x") == 400
