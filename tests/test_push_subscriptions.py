"""A phone's push subscription through its pages (reminders.push_views) and sign-out: kept once per
endpoint, for whoever may open Today, CSRF-checked, and nobody's but the user's own to end."""

import json

import pytest
from django.test import Client
from py_vapid import Vapid

from reminders.models import PushSubscription
from reminders.push import private_key_text, public_key_of
from tests.push_receiver import start_receiver, stop

SUBSCRIBE = "/reminders/push/subscribe/"
UNSUBSCRIBE = "/reminders/push/unsubscribe/"
PHONE_AGENT = "Mozilla/5.0 (Linux; Android 13) Chrome/120 Mobile"


@pytest.fixture
def receiver(settings):
    settings.PUSH_ALLOW_HTTP_ENDPOINTS = True
    running = start_receiver()
    yield running
    stop(running)


def browser(user) -> Client:
    """A browser signed in as `user` that sends the CSRF token as static/js/push.js does."""
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=PHONE_AGENT)
    client.force_login(user)
    client.get("/")  # the page's sign-out form sets the CSRF cookie
    return client


def post_json(client: Client, url: str, data, csrf: bool = True):
    headers = {"X-CSRFToken": client.cookies["csrftoken"].value} if csrf else {}
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def test_a_worker_allows_reminders_on_a_phone(worker_a, receiver):
    phone = receiver.phone("worker-a")

    response = post_json(browser(worker_a), SUBSCRIBE, phone.as_json())

    assert response.status_code == 200
    kept = PushSubscription.objects.get()
    assert (kept.user, kept.endpoint, kept.p256dh, kept.auth) == (
        worker_a,
        phone.endpoint,
        phone.p256dh,
        phone.auth,
    )
    assert kept.user_agent == PHONE_AGENT


def test_the_same_subscription_sent_again_is_kept_once(worker_a, receiver):
    client, phone = browser(worker_a), receiver.phone("worker-a")

    post_json(client, SUBSCRIBE, phone.as_json())
    post_json(client, SUBSCRIBE, phone.as_json())

    assert PushSubscription.objects.count() == 1


def test_each_phone_is_a_subscription_of_its_own(worker_a, receiver):
    client = browser(worker_a)

    post_json(client, SUBSCRIBE, receiver.phone("phone").as_json())
    post_json(client, SUBSCRIBE, receiver.phone("tablet").as_json())

    assert PushSubscription.objects.filter(user=worker_a).count() == 2


def test_subscribing_without_the_csrf_token_is_refused(worker_a, receiver):
    response = post_json(browser(worker_a), SUBSCRIBE, receiver.phone("worker-a").as_json(), csrf=False)

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_anonymous_is_sent_to_sign_in(db, receiver):
    client = Client()

    response = client.post(
        SUBSCRIBE, json.dumps(receiver.phone("x").as_json()), content_type="application/json"
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not PushSubscription.objects.exists()


def test_a_leader_who_visits_no_one_gets_no_reminders(leader, receiver):
    response = post_json(browser(leader), SUBSCRIBE, receiver.phone("leader").as_json())

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"endpoint": "http://push.example.com/abc"}, "endpoint"),
        ({"endpoint": "javascript:alert(1)"}, "endpoint"),
        ({"endpoint": 12}, "endpoint"),
        ({"keys": {"p256dh": "c2hvcnQ", "auth": None}}, "p256dh"),
        ({"keys": {"auth": "bm90IHNpeHRlZW4"}}, "auth"),
    ],
)
def test_a_subscription_no_browser_would_send_is_refused_naming_the_field(
    worker_a, settings, receiver, change, field
):
    data = receiver.phone("worker-a").as_json() | change
    settings.PUSH_ALLOW_HTTP_ENDPOINTS = False

    response = post_json(browser(worker_a), SUBSCRIBE, data)

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps({"endpoint": "x" * 9000})])
def test_a_body_that_is_no_subscription_is_refused(worker_a, body):
    client = browser(worker_a)

    response = client.post(
        SUBSCRIBE,
        body,
        content_type="application/json",
        headers={"X-CSRFToken": client.cookies["csrftoken"].value},
    )

    assert response.status_code == 400
    assert not PushSubscription.objects.exists()


def test_a_worker_turns_reminders_off_on_a_phone(worker_a, receiver):
    client, phone, other = browser(worker_a), receiver.phone("phone"), receiver.phone("tablet")
    post_json(client, SUBSCRIBE, phone.as_json())
    post_json(client, SUBSCRIBE, other.as_json())

    response = post_json(client, UNSUBSCRIBE, {"endpoint": phone.endpoint})

    assert response.status_code == 200
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [other.endpoint]


def test_nobody_ends_another_users_subscription(worker_a, head_a, receiver):
    phone = receiver.phone("worker-a")
    post_json(browser(worker_a), SUBSCRIBE, phone.as_json())

    response = post_json(browser(head_a), UNSUBSCRIBE, {"endpoint": phone.endpoint})

    assert response.status_code == 404
    assert PushSubscription.objects.get().user == worker_a


def test_a_phone_that_changed_hands_moves_to_who_subscribed_last(worker_a, head_a, receiver):
    """The last user signed out with no network: the browser's subscription is the phone's."""
    phone = receiver.phone("shared")
    post_json(browser(worker_a), SUBSCRIBE, phone.as_json())

    post_json(browser(head_a), SUBSCRIBE, phone.as_json())

    assert PushSubscription.objects.get().user == head_a


def test_signing_out_forgets_this_phone_and_only_this_one(worker_a, head_a, receiver):
    client, phone, tablet, heads = (
        browser(worker_a),
        receiver.phone("phone"),
        receiver.phone("tablet"),
        receiver.phone("h"),
    )
    post_json(client, SUBSCRIBE, phone.as_json())
    post_json(client, SUBSCRIBE, tablet.as_json())
    post_json(browser(head_a), SUBSCRIBE, heads.as_json())

    response = client.post(
        "/accounts/logout/",
        {"push_endpoint": phone.endpoint, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert sorted(PushSubscription.objects.values_list("endpoint", flat=True)) == sorted(
        [tablet.endpoint, heads.endpoint]
    )


def test_signing_out_with_another_users_endpoint_leaves_it(worker_a, head_a, receiver):
    heads = receiver.phone("h")
    post_json(browser(head_a), SUBSCRIBE, heads.as_json())
    client = browser(worker_a)

    client.post(
        "/accounts/logout/",
        {"push_endpoint": heads.endpoint, "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )

    assert PushSubscription.objects.get().user == head_a


def test_signing_out_without_an_endpoint_still_signs_out(worker_a, receiver):
    client = browser(worker_a)
    post_json(client, SUBSCRIBE, receiver.phone("phone").as_json())

    response = client.post("/accounts/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert PushSubscription.objects.count() == 1


def test_today_and_the_account_page_offer_reminders_with_the_servers_key(worker_a, settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY, settings.VAPID_KEY_FILE = "", "", None
    key = Vapid()
    key.generate_keys()
    settings.VAPID_PRIVATE_KEY = private_key_text(key)
    client = browser(worker_a)

    for url in ("/today/", "/accounts/password/"):
        page = client.get(url).content.decode()
        assert "data-push" in page, url
        assert f'data-key="{public_key_of(key)}"' in page, url
        assert 'src="/static/js/push.js"' in page, url
        if url == "/today/":
            # Below the households (or the word that there are none): shown late by push.js, it
            # would push the list down as it appears.
            list_at = max(page.find("data-waiting-list"), page.find('<p class="card">'))
            assert 0 < list_at < page.index("data-push")


def test_no_reminders_offered_by_a_server_without_a_key(worker_a, settings):
    settings.VAPID_PRIVATE_KEY, settings.VAPID_PUBLIC_KEY, settings.VAPID_KEY_FILE = "", "", None
    assert "data-push" not in browser(worker_a).get("/today/").content.decode()

    key = Vapid()
    key.generate_keys()
    settings.VAPID_PRIVATE_KEY = private_key_text(key)
    assert "data-push" in browser(worker_a).get("/today/").content.decode()


def test_a_leader_is_not_offered_reminders(leader, settings):
    key = Vapid()
    key.generate_keys()
    settings.VAPID_PRIVATE_KEY, settings.VAPID_KEY_FILE = private_key_text(key), None

    assert "data-push" not in browser(leader).get("/accounts/password/").content.decode()
