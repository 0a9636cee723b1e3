"""Kannel, the SMS gateway: the one place that speaks its HTTP sendsms interface.

Kannel's smsbox takes a message by GET on /cgi-bin/sendsms (SMS_SENDSMS_URL, which carries
the user and password) and hands it to bearerbox, which talks SMPP to the operator. It calls
back the dlr-url we give it with each delivery report (%d the status), and the sms-service's
get-url with each message a resident sends us (reminders.views)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

# Which delivery reports we ask for: delivered to the phone (1), not delivered to the phone
# (2), accepted by the operator's SMSC (8), refused by it (16).
DLR_MASK = 1 | 2 | 8 | 16
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Handed:
    """What Kannel said to one message."""

    accepted: bool
    temporary: bool = False  # a refusal worth trying again (Kannel down, its queue full)
    reason: str = ""


def dlr_url(message_id: int) -> str:
    """Where Kannel reports on the message: our id in the path, its status as %d."""
    path = reverse("reminders:delivery_report", args=[settings.SMS_CALLBACK_TOKEN or "-"])
    return f"{settings.SITE_URL}{path}?message={message_id}&status=%d&smsc_id=%I"


def hand_to_kannel(*, message_id: int, to: str, text: str, coding: int) -> Handed:
    """Give one SMS to Kannel's sendsms. Accepted (HTTP 202, "0: Accepted for delivery" or "3:
    Queued for later delivery") means Kannel holds it; a 4xx is a refusal that sending again
    would not change (permanent); no answer, or a 5xx, is temporary."""
    base = settings.SMS_SENDSMS_URL
    if not base:
        return Handed(accepted=False, temporary=True, reason="SMS_SENDSMS_URL is not set")
    query = urllib.parse.urlencode(
        {
            "to": to,
            "text": text,
            "charset": "UTF-8",
            "coding": coding,
            "dlr-mask": DLR_MASK,
            "dlr-url": dlr_url(message_id),
        }
    )
    url = f"{base}{'&' if '?' in base else '?'}{query}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (our own setting)
            body = answer.read(200).decode("utf-8", "replace").strip()
            return Handed(accepted=True, reason=body)
    except urllib.error.HTTPError as refusal:
        body = refusal.read(200).decode("utf-8", "replace").strip()
        reason = f"Kannel {refusal.code}: {body}"[:200]
        return Handed(accepted=False, temporary=refusal.code >= 500, reason=reason)
    except (OSError, ValueError) as trouble:
        return Handed(accepted=False, temporary=True, reason=f"Kannel unreachable: {trouble}"[:200])
