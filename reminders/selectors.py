"""Reads for reminders: who gets one this morning and about what, consents, what was sent.

When a follow-up is due, overdue or closed is the program's rule (mobilization.selectors
.follow_ups_due, follow_up_overdue_q): asked here, never written again."""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from mobilization.models import Worker
from mobilization.selectors import follow_up_overdue_q, follow_ups_due
from reminders.models import Message, ReminderSettings, SmsConsent
from training.models import TrainingSession
from villages.access import communes_managed_by
from villages.models import Resident


def workers_to_remind() -> QuerySet[Worker]:
    """Workers whose user turned morning reminders on (a user with a worker record in several
    communes is reminded once, from the first)."""
    enabled = ReminderSettings.objects.filter(user=OuterRef("user"), enabled=True)
    return (
        Worker.objects.filter(user__isnull=False)
        .filter(Exists(enabled))
        .select_related("user", "commune", "user__reminder_settings")
        .order_by("user_id", "pk")
    )


def follow_up_counts(user, *, day: datetime.date, commune_id: int) -> tuple[int, int]:
    """(due on `day`, overdue on `day`) of the user's follow-ups still open in the commune: one
    query. Narrowed to the worker's commune so that it reads that commune's visits (by its
    index), not the province's: the scope alone is an OR the planner cannot index."""
    counts = (
        follow_ups_due(user, today=day, mine_only=True)
        .filter(commune_id=commune_id, follow_up_on__lte=day)
        .aggregate(
            overdue=Count("pk", filter=follow_up_overdue_q(day)), due=Count("pk", filter=Q(follow_up_on=day))
        )
    )
    return counts["due"], counts["overdue"]


def sessions_facilitated_on(day: datetime.date) -> QuerySet[TrainingSession]:
    """Sessions held on `day`, with their facilitators' users."""
    return (
        TrainingSession.objects.filter(held_on=day)
        .select_related("village")
        .prefetch_related("facilitators")
        .order_by("pk")
    )


def consenting_q(prefix: str = "") -> Q:
    """Residents with an open consent to training SMS."""
    consents = SmsConsent.objects.filter(
        resident=OuterRef(f"{prefix}pk"), withdrawn_at__isnull=True, purpose=SmsConsent.Purpose.TRAINING
    )
    return Q(Exists(consents))


class Audience:
    """Who an official may invite to a session: present residents of the session's village
    with an open consent, optionally only those not yet at level 3/4."""

    VILLAGE = "village"
    NOT_LEVEL34 = "not_level34"
    CHOICES = (VILLAGE, NOT_LEVEL34)


def audience_of(session: TrainingSession, *, audience: str, day: datetime.date) -> QuerySet[Resident]:
    residents = Resident.objects.filter(household__village=session.village_id, left_on__isnull=True).filter(
        consenting_q()
    )
    if audience == Audience.NOT_LEVEL34:
        residents = residents.filter(Q(level34_on__isnull=True) | Q(level34_on__gt=day))
    return residents.order_by("pk")


def open_consent(resident) -> SmsConsent | None:
    return resident.sms_consents.filter(withdrawn_at__isnull=True).first()


def messages_visible_to(user) -> QuerySet[Message]:
    """Messages of the communes the user manages (officials, superusers)."""
    return Message.objects.filter(commune__in=communes_managed_by(user))


def consents_visible_to(user) -> QuerySet[SmsConsent]:
    return SmsConsent.objects.filter(resident__commune__in=communes_managed_by(user))


def sessions_to_invite(user, *, today: datetime.date) -> QuerySet[TrainingSession]:
    """Sessions still ahead in a village of the communes the user manages."""
    return (
        TrainingSession.objects.filter(
            commune__in=communes_managed_by(user), held_on__gte=today, village__isnull=False
        )
        .select_related("village")
        .order_by("held_on", "pk")
    )
