"""Web Push to a real push service of our own (tests/push_receiver.py): the payload decrypts with
the phone's keys to the message, the VAPID signature holds, and what the service answers is kept."""

import pytest
from py_vapid import Vapid

from reminders.models import PushSubscription
from reminders.push import (
    has_working_subscription,
    private_key_text,
    public_key_of,
    push_to_user,
    subscription_save,
)
from tests.push_receiver import RefusedPush, check_vapid, start_receiver, stop

SUBJECT = "mailto:operator@halang.example"
MESSAGE = {"title": "Softbridge", "body": "3 follow-ups due today", "url": "/today/"}


@pytest.fixture
def server_key(settings):
    """The server's VAPID key pair, as an operator sets it in the environment."""
    key = Vapid()
    key.generate_keys()
    settings.VAPID_PRIVATE_KEY = private_key_text(key)
    settings.VAPID_PUBLIC_KEY = public_key_of(key)
    settings.VAPID_SUBJECT = SUBJECT
    settings.VAPID_KEY_FILE = None
    settings.PUSH_ALLOW_HTTP_ENDPOINTS = True
    return public_key_of(key)


@pytest.fixture
def receiver():
    running = start_receiver()
    yield running
    stop(running)


def allow(user, phone):
    return subscription_save(user=user, endpoint=phone.endpoint, p256dh=phone.p256dh, auth=phone.auth)


def test_the_phone_decrypts_the_push_to_the_message(worker_a, server_key, receiver):
    allow(worker_a, receiver.phone("worker-a"))

    outcome = push_to_user(user=worker_a, **MESSAGE)

    assert (outcome.delivered, outcome.failed, outcome.reason) == (1, 0, "")
    assert receiver.refused == []
    [push] = receiver.received
    assert push.message == MESSAGE
    assert push.signer == server_key
    assert push.claims["sub"] == SUBJECT
    assert push.claims["aud"] == receiver.origin
    assert push.headers["ttl"] == str(12 * 3600)
    assert push.headers["urgency"] == "normal"
    assert PushSubscription.objects.get(user=worker_a).last_success_at is not None


def test_every_phone_of_the_user_gets_it_and_no_one_elses(worker_a, head_a, server_key, receiver):
    allow(worker_a, receiver.phone("worker-a-phone"))
    allow(worker_a, receiver.phone("worker-a-tablet"))
    allow(head_a, receiver.phone("head-a"))

    outcome = push_to_user(user=worker_a, **MESSAGE)

    assert (outcome.delivered, outcome.failed) == (2, 0)
    assert sorted(push.path for push in receiver.received) == [
        "/push/worker-a-phone",
        "/push/worker-a-tablet",
    ]


def test_vietnamese_text_arrives_whole(worker_a, server_key, receiver):
    allow(worker_a, receiver.phone("worker-a"))

    push_to_user(user=worker_a, title="Nhắc việc", body="Hôm nay có 3 lần thăm lại", url="/today/")

    assert receiver.received[0].message["body"] == "Hôm nay có 3 lần thăm lại"


@pytest.mark.parametrize("gone", [404, 410])
def test_a_gone_phone_is_forgotten(worker_a, server_key, receiver, gone):
    allow(worker_a, receiver.phone("gone", answer=gone))
    allow(worker_a, receiver.phone("here"))

    outcome = push_to_user(user=worker_a, **MESSAGE)

    assert (outcome.delivered, outcome.failed, outcome.removed) == (1, 1, 1)
    assert str(gone) in outcome.reason
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        receiver.origin + "/push/here"
    ]


def test_a_refusal_that_may_pass_keeps_the_phone_with_its_reason(worker_a, server_key, receiver):
    phone = receiver.phone("busy", answer=500)
    allow(worker_a, phone)

    outcome = push_to_user(user=worker_a, **MESSAGE)

    assert (outcome.delivered, outcome.failed, outcome.removed) == (0, 1, 0)
    kept = PushSubscription.objects.get(endpoint=phone.endpoint)
    assert "500" in kept.last_failure_reason
    assert kept.last_failure_at is not None
    assert outcome.reason == kept.last_failure_reason
    assert not has_working_subscription(user=worker_a)

    receiver.answers["/push/busy"] = 201
    assert push_to_user(user=worker_a, **MESSAGE).delivered == 1
    assert has_working_subscription(user=worker_a)


def test_a_push_service_out_of_reach_is_a_refusal_with_its_reason(worker_a, server_key, receiver):
    phone = receiver.phone("away")
    allow(worker_a, phone)
    stop(receiver)  # nothing listens on its port any more

    outcome = push_to_user(user=worker_a, **MESSAGE)

    assert (outcome.delivered, outcome.failed) == (0, 1)
    assert "could not be reached" in PushSubscription.objects.get().last_failure_reason


def test_has_working_subscription(worker_a, head_a, server_key, receiver):
    assert not has_working_subscription(user=worker_a)

    allow(head_a, receiver.phone("head-a"))
    assert not has_working_subscription(user=worker_a)

    allow(worker_a, receiver.phone("worker-a"))
    assert has_working_subscription(user=worker_a)


def test_a_phone_allowed_again_after_a_refusal_works_again(worker_a, server_key, receiver):
    phone = receiver.phone("again", answer=500)
    allow(worker_a, phone)
    push_to_user(user=worker_a, **MESSAGE)
    assert not has_working_subscription(user=worker_a)

    allow(worker_a, phone)  # the page sends the subscription again when it opens

    assert has_working_subscription(user=worker_a)


def test_a_server_without_a_vapid_key_pushes_nothing(worker_a, server_key, receiver, settings):
    allow(worker_a, receiver.phone("worker-a"))
    settings.VAPID_PRIVATE_KEY = settings.VAPID_PUBLIC_KEY = ""

    outcome = push_to_user(user=worker_a, **MESSAGE)

    assert not has_working_subscription(user=worker_a)
    assert (outcome.delivered, outcome.failed) == (0, 0)
    assert receiver.received == []


def test_a_user_with_no_phone_gets_an_outcome_not_an_error(worker_a, server_key):
    outcome = push_to_user(user=worker_a, **MESSAGE)

    assert (outcome.delivered, outcome.failed) == (0, 0)
    assert outcome.reason


def test_the_receiver_refuses_a_forged_or_misdirected_signature(worker_a, server_key, receiver):
    """The receiver's own check: what it accepts above is a signature it would refuse forged."""
    allow(worker_a, receiver.phone("worker-a"))
    push_to_user(user=worker_a, **MESSAGE)
    authorization = receiver.received[0].headers["authorization"]
    token = authorization.split("t=")[1].split(",")[0]
    head, _body, signature = token.split(".")
    other = Vapid()
    other.generate_keys()
    forged_claims = other.sign({"sub": SUBJECT, "aud": receiver.origin})["Authorization"]
    forged_body = forged_claims.split("t=")[1].split(",")[0].split(".")[1]

    with pytest.raises(RefusedPush, match="signature"):
        check_vapid(authorization.replace(token, f"{head}.{forged_body}.{signature}"), receiver.origin)
    with pytest.raises(RefusedPush, match="aud"):
        check_vapid(authorization, "http://127.0.0.1:1")
    assert check_vapid(authorization, receiver.origin)[0]["sub"] == SUBJECT
