"""Web Push to a worker's phones: the one way a reminder reaches a device where the user allowed it.

The morning's reminders (`reminders.sending`) ask this module two things and nothing else:
whether a user has a phone that still takes pushes, and to push one message to every such
phone. Subscriptions, VAPID keys and the push service's answers stay in here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PushOutcome:
    """What pushing one message to a user's phones came to."""

    delivered: int  # phones whose push service accepted the message
    failed: int  # phones whose push service refused it (a gone subscription is removed)
    reason: str = ""  # why the last refusal, for the page of what was sent


def has_working_subscription(*, user) -> bool:
    """True when at least one of the user's phones allowed notifications and was not refused since."""
    return False


def push_to_user(*, user, title: str, body: str, url: str) -> PushOutcome:
    """Push one notification to each of the user's phones; opening it goes to `url`."""
    return PushOutcome(delivered=0, failed=0, reason="no subscription")
