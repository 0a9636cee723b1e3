"""Writes of the reminders app: a worker's settings, a resident's consent given and
withdrawn, invitations queued, and what Kannel tells us back."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reminders.models import Channel, CommuneSms, Message, ReminderSettings, SmsConsent
from reminders.selectors import audience_of
from reminders.sms import encoded, is_opt_out, phone_key
from reminders.texts import SMS_LANGUAGE, invitation_text, plain_communes
from softbridge.calendar import commune_today
from training.models import TrainingSession

# A temporary failure is tried again by each run until this many attempts, then counts as permanent.
MAX_ATTEMPTS = 5


def reminder_settings_update(*, user, enabled: bool, channel: str) -> ReminderSettings:
    """The user's reminder choice, created on first use."""
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Choose push or SMS.")})
    chosen, _created = ReminderSettings.objects.update_or_create(
        user=user, defaults={"enabled": enabled, "channel": channel}
    )
    return chosen


@transaction.atomic
def consent_give(*, resident, phone: str, given_on: datetime.date, recorded_by) -> SmsConsent:
    """Record the resident's consent to training SMS at `phone` on `given_on`, by whom. Refused
    with the field named when the number is not a Vietnamese mobile number, the date lies ahead,
    or an open consent exists already."""
    key = phone_key(phone)
    if not key:
        raise ValidationError({"phone": _("Enter a mobile number of ten digits, for example 0912345678.")})
    if given_on > commune_today():
        raise ValidationError({"given_on": _("The date is in the future.")})
    try:
        with transaction.atomic():
            return SmsConsent.objects.create(
                resident=resident, phone=key, given_on=given_on, recorded_by=recorded_by
            )
    except IntegrityError:
        raise ValidationError(
            {"phone": _("This resident has already consented; withdraw it first.")}
        ) from None


@transaction.atomic
def consent_withdraw(*, consent: SmsConsent, how: str, by=None) -> SmsConsent:
    """Withdraw an open consent now (a reply, a worker, the resident's page); the messages still
    queued for that resident are not sent (reminders.sending checks consent when sending)."""
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_how = how
        consent.withdrawn_by = by
        consent.save(update_fields=["withdrawn_at", "withdrawn_how", "withdrawn_by"])
    return consent


def reply_record(*, sender: str, text: str) -> int:
    """A resident's SMS to us: HUY (any case, with or without its marks) withdraws every open
    consent of that number. Returns how many were withdrawn."""
    if not is_opt_out(text):
        return 0
    key = phone_key(sender)
    if not key:
        return 0
    consents = list(SmsConsent.objects.filter(phone=key, withdrawn_at__isnull=True))
    for consent in consents:
        consent_withdraw(consent=consent, how=SmsConsent.WithdrawnHow.REPLY)
    return len(consents)


# Kannel's delivery report types (its %d): 1 delivered to the phone, 2 not delivered to the
# phone, 4 queued at the operator, 8 accepted by the operator, 16 refused by the operator.
_REPORTED = {
    1: Message.Status.DELIVERED,
    2: Message.Status.FAILED,
    8: Message.Status.SENT,
    16: Message.Status.FAILED,
}


def delivery_report_record(*, message_id: int, status: int, smsc_id: str = "") -> bool:
    """Record Kannel's report on a message sent. A later report never goes back: delivered
    stays delivered when the operator's acceptance arrives after it. False when unknown.

    Kannel sends its reports at once and our server takes them on two threads, so the rule
    lives in one UPDATE's WHERE: reading the status and then writing would let the acceptance
    (8) undo the delivery (1) it raced with."""
    new = _REPORTED.get(status)
    rows = Message.objects.filter(pk=message_id, channel=Channel.SMS)
    if new is None:
        return rows.exists()
    changes = {"status": new}
    if smsc_id:
        changes["kannel_id"] = smsc_id[:64]
    if new == Message.Status.FAILED:
        # The operator said no: sending the same text to the same number again would not help.
        reason = _("not delivered to the phone") if status == 2 else _("refused by the operator")
        changes.update(failure=reason, permanent=True)
    moving = rows.exclude(status=Message.Status.DELIVERED)
    if new == Message.Status.SENT:
        moving = moving.exclude(status=Message.Status.FAILED)
    return moving.update(**changes) > 0 or rows.exists()


def invitations_queue(*, session: TrainingSession, audience: str, official) -> list[int]:
    """Queue an invitation to `session` for each consenting resident of its village in the
    audience, once per resident, session and day. Returns the ids of the messages queued now."""
    today = commune_today()
    residents = audience_of(session, audience=audience, day=today)
    consents = {
        c.resident_id: c for c in SmsConsent.objects.filter(resident__in=residents, withdrawn_at__isnull=True)
    }
    with translation.override(SMS_LANGUAGE):
        sms = encoded(invitation_text(session), plain=session.commune_id in plain_communes())
    rows = [
        Message(
            resident_id=resident_id,
            commune_id=session.commune_id,
            kind=Message.Kind.INVITATION,
            item_id=session.pk,
            day=today,
            channel=Channel.SMS,
            phone=consent.phone,
            text=sms.text,
            segments=sms.segments,
        )
        for resident_id, consent in consents.items()
    ]
    already = set(
        Message.objects.filter(kind=Message.Kind.INVITATION, item_id=session.pk, day=today).values_list(
            "pk", flat=True
        )
    )
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Message.objects.filter(kind=Message.Kind.INVITATION, item_id=session.pk, day=today)
        .exclude(pk__in=already)
        .values_list("pk", flat=True)
    )


def message_sent(*, message: Message, channel: str, now, segments: int | None = None) -> None:
    """The channel took the message (Kannel holds it, or a phone's push service accepted it).
    The operator's report can arrive before this is recorded (Kannel calls back while we still
    wait for its answer): a message already reported delivered, or refused for good, keeps
    that status."""
    changes = {"channel": channel, "sent_at": now, "attempts": message.attempts + 1}
    if segments is not None:
        changes["segments"] = segments
    row = Message.objects.filter(pk=message.pk)
    row.update(**changes)
    row.exclude(status=Message.Status.DELIVERED).exclude(status=Message.Status.FAILED, permanent=True).update(
        status=Message.Status.SENT, failure=""
    )


def message_failed(*, message: Message, why: str, permanent: bool, attempted: bool = True) -> None:
    """The message did not leave, and why; a temporary failure is tried again by the next run
    until MAX_ATTEMPTS, after which it counts as permanent."""
    attempts = message.attempts + (1 if attempted else 0)
    Message.objects.filter(pk=message.pk).update(
        channel=message.channel,
        status=Message.Status.FAILED,
        failure=why[:200],
        permanent=permanent or attempts >= MAX_ATTEMPTS,
        attempts=attempts,
    )


def commune_sms_update(*, commune, without_diacritics: bool) -> CommuneSms:
    """The commune's choice of SMS with diacritics (UCS-2) or without (GSM-7), from now on."""
    chosen, _created = CommuneSms.objects.update_or_create(
        commune=commune, defaults={"without_diacritics": without_diacritics}
    )
    return chosen
