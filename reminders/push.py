"""Web Push to a worker's phones: the one way a reminder reaches a device where the user allowed it.

The morning's reminders (`reminders.sending`) ask this module two things and nothing else:
whether a user has a phone that still takes pushes, and to push one message to every such
phone. Subscriptions, VAPID keys and the push service's answers stay in here, and so do the
writes of a subscription (subscribe, unsubscribe, sign-out, the push service's answer): this
module is their one door.

A push carries the title, the body and the page to open, encrypted for the browser (RFC 8291,
aes128gcm) and signed with the server's VAPID key (RFC 8292); the push service sees neither.
What a caller puts in the title and body must be the worker's own counts, never a person's
name or anything about a household: the phone shows it on the lock screen.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from reminders.models import PushSubscription
from villages.access import villages_open_to_outreach

log = logging.getLogger(__name__)

# A morning's reminder is stale by the evening: a phone off all day is not woken with it.
TTL_SECONDS = 12 * 3600
# Not "high": the push services wake a phone in battery saving only for what cannot wait.
URGENCY = "normal"
# How long one push service may take to answer before the phone counts as refused this time.
TIMEOUT_SECONDS = 10
# The push service's answers that say the subscription is gone for good (RFC 8030 §7.3 says
# 404 and 410; browsers' services answer either when the user revoked the permission or
# cleared the site's data).
GONE = (404, 410)


@dataclass(frozen=True)
class PushOutcome:
    """What pushing one message to a user's phones came to."""

    delivered: int  # phones whose push service accepted the message
    failed: int  # phones whose push service refused it (a gone subscription is removed)
    reason: str = ""  # why the last refusal, for the page of what was sent
    removed: int = 0  # of the failed, the subscriptions removed as gone (404/410)


# --- The server's VAPID key ----------------------------------------------------------------


@lru_cache(maxsize=4)
def _vapid_of(private_key: str, key_file: str) -> Vapid | None:
    if private_key:
        return Vapid.from_string(private_key)
    if key_file:
        if not os.path.exists(key_file):
            # Made once and put in place whole: two processes starting at once (the test
            # workers, two dev servers) never read a half-written file.
            made = Vapid()
            made.generate_keys()
            handle, draft = tempfile.mkstemp(dir=os.path.dirname(key_file) or ".", suffix=".pem")
            with os.fdopen(handle, "wb") as out:
                out.write(made.private_pem())
            os.replace(draft, key_file)
        return Vapid.from_file(key_file)
    return None


def vapid() -> Vapid | None:
    """The server's VAPID key pair, or None when none is set (production without keys)."""
    key_file = str(settings.VAPID_KEY_FILE) if settings.VAPID_KEY_FILE else ""
    found = _vapid_of(settings.VAPID_PRIVATE_KEY, key_file)
    if found is not None and settings.VAPID_PUBLIC_KEY and settings.VAPID_PUBLIC_KEY != public_key_of(found):
        raise ImproperlyConfigured("VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY.")
    return found


def public_key_of(key: Vapid) -> str:
    """The public key as browsers take it for applicationServerKey: the uncompressed point,
    base64url without padding."""
    raw = key.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def private_key_text(key: Vapid) -> str:
    """The private key as VAPID_PRIVATE_KEY takes it: the 32-byte scalar, base64url."""
    number = key.private_key.private_numbers().private_value
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def vapid_public_key() -> str:
    """What the page gives pushManager.subscribe; empty when the server sends no push."""
    key = vapid()
    return public_key_of(key) if key is not None else ""


# --- Who and which phones -------------------------------------------------------------------


def may_take_pushes(user) -> bool:
    """Reminders are for those who visit households: whoever may open the Today list."""
    return user.is_authenticated and villages_open_to_outreach(user).exists()


def has_working_subscription(*, user) -> bool:
    """True when at least one of the user's phones allowed notifications and was not refused since."""
    if vapid() is None:
        return False
    return PushSubscription.objects.filter(user=user).working().exists()


def _endpoint_refusal(endpoint: str) -> str | None:
    parts = urlsplit(endpoint)
    schemes = ("https", "http") if settings.PUSH_ALLOW_HTTP_ENDPOINTS else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        return _("The push service's address must start with https://.")
    return None


def _key_refusal(text: str, length: int) -> bool:
    try:
        return len(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))) != length
    except (ValueError, TypeError):
        return True


@transaction.atomic
def subscription_save(
    *, user, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Keep the phone's subscription for `user`: one row per endpoint, the same row however often
    the phone sends it. An endpoint kept for someone else moves to `user`: only the browser that
    holds the subscription knows its endpoint, so the phone has changed hands (the last user
    signed out with no network, and their phone could not say so).

    Raises ValidationError naming the field when the address or a key is not one a browser gives."""
    errors = {}
    if not isinstance(endpoint, str) or len(endpoint) > 2048 or (refusal := _endpoint_refusal(endpoint)):
        errors["endpoint"] = (
            refusal if isinstance(endpoint, str) and len(endpoint) <= 2048 else _("Not an address.")
        )
    # A P-256 public key in uncompressed form is 65 bytes; the auth secret 16 (RFC 8291).
    if not isinstance(p256dh, str) or _key_refusal(p256dh, 65):
        errors["p256dh"] = _("Not a browser's public key.")
    if not isinstance(auth, str) or _key_refusal(auth, 16):
        errors["auth"] = _("Not a browser's authentication secret.")
    if errors:
        raise ValidationError(errors)
    subscription, _created = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={
            "user": user,
            "p256dh": p256dh,
            "auth": auth,
            "user_agent": (user_agent or "")[:300],
            "last_failure_at": None,
            "last_failure_reason": "",
        },
    )
    return subscription


def subscription_forget(*, user, endpoint: str) -> bool:
    """Forget the user's subscription at `endpoint` (they turned reminders off on that phone, or
    signed out on it); True when there was one. Another user's subscription is never touched."""
    if not endpoint:
        return False
    deleted, _by_model = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted > 0


# --- Sending --------------------------------------------------------------------------------


def _send(subscription: PushSubscription, payload: str, key: Vapid) -> tuple[int | None, str]:
    """Hand the message to the phone's push service: (status, why not) with status None when
    the service could not be reached."""
    try:
        response = webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=payload,
            vapid_private_key=key,
            # A new dict each time: webpush writes the audience and expiry into it.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            ttl=TTL_SECONDS,
            headers={"Urgency": URGENCY},
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as refused:
        if refused.response is None:
            return None, str(refused)[:200]
        return refused.response.status_code, refused.response.text[:200]
    except requests.RequestException as unreachable:
        return None, type(unreachable).__name__
    return response.status_code, ""


def _record(subscription: PushSubscription, status: int | None, detail: str) -> str:
    """Keep what the push service said of the phone; returns why it refused ("" when it did not)."""
    now = timezone.now()
    if status is not None and 200 <= status < 300:
        PushSubscription.objects.filter(pk=subscription.pk).update(last_success_at=now)
        return ""
    if status in GONE:
        PushSubscription.objects.filter(pk=subscription.pk).delete()
        return _("The phone no longer takes notifications (the push service answered %(status)s).") % {
            "status": status
        }
    if status is None:
        reason = _("The push service could not be reached (%(detail)s).") % {"detail": detail}
    else:
        reason = _("The push service answered %(status)s.") % {"status": status}
    PushSubscription.objects.filter(pk=subscription.pk).update(
        last_failure_at=now, last_failure_reason=reason[:300]
    )
    return reason


def push_to_user(*, user, title: str, body: str, url: str) -> PushOutcome:
    """Push one notification to each of the user's phones; opening it goes to `url`.

    Each phone is tried once: a phone whose service answers 404 or 410 is forgotten, any other
    refusal is kept on the subscription with its reason (the phone counts as not working until a
    later push is accepted). Nothing is retried here; the caller decides what a failure means."""
    key = vapid()
    if key is None:
        return PushOutcome(delivered=0, failed=0, reason=_("The server has no VAPID key."))
    subscriptions = list(PushSubscription.objects.filter(user=user).order_by("pk"))
    if not subscriptions:
        return PushOutcome(delivered=0, failed=0, reason=_("No phone allowed notifications."))
    payload = json.dumps({"title": title, "body": body, "url": url}, ensure_ascii=False)
    delivered = failed = removed = 0
    reason = ""
    for subscription in subscriptions:
        status, detail = _send(subscription, payload, key)
        refusal = _record(subscription, status, detail)
        if not refusal:
            delivered += 1
            continue
        failed += 1
        removed += status in GONE
        reason = refusal
        log.info("push refused user=%s subscription=%s status=%s", user.pk, subscription.pk, status)
    return PushOutcome(delivered=delivered, failed=failed, reason=reason, removed=removed)
