"""The morning's reminders: what is queued for a day, and sending what is queued.

Each message is recorded (queued) before it leaves, once per recipient, item and day (the
schema's unique constraints), so a run that stops midway, or a second run, sends nothing
twice. A message that fails for a reason that may pass (Kannel down, a phone's push service
busy) is tried again by the next run, up to MAX_ATTEMPTS; one that fails for good never is.

The texts name no one but the reader, no ID number, no health or ethnicity: only counts,
dates, the kind of venue and the village. A session's free-text place is never sent (it
may say "at Mr. X's house")."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reminders import push
from reminders.kannel import hand_to_kannel
from reminders.models import Channel, Message, ReminderSettings, SmsConsent
from reminders.selectors import follow_up_counts, sessions_facilitated_on, workers_to_remind
from reminders.services import MAX_ATTEMPTS, message_failed, message_sent
from reminders.sms import encoded, international, phone_key, segments_of
from reminders.texts import SMS_LANGUAGE, eve_text, facilitate_text, follow_ups_text, plain_communes
from training.models import TrainingSession

# No message leaves between these hours, commune time (the timer's run is at 07:00).
QUIET_FROM, QUIET_UNTIL = datetime.time(21, 0), datetime.time(7, 0)


def is_quiet(now: datetime.datetime) -> bool:
    local = timezone.localtime(now).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def _worker_message(worker, *, kind, item_id, day, text, plain: set[int]) -> Message:
    chosen = getattr(worker.user, "reminder_settings", None)
    channel = Channel.SMS if chosen and chosen.channel == Channel.SMS else Channel.PUSH
    sms = encoded(text, plain=worker.commune_id in plain)
    return Message(
        user=worker.user,
        commune_id=worker.commune_id,
        kind=kind,
        item_id=item_id,
        day=day,
        channel=channel,
        phone=phone_key(worker.phone),
        text=sms.text,
        segments=sms.segments,
    )


def queue_morning(*, day: datetime.date) -> int:
    """Record the morning's messages for `day`: each worker who wants reminders gets their
    follow-ups due on `day` and overdue (none when they have none), one message per session
    they facilitate the day after; each invited resident who still consents gets a reminder
    the day before their session. Already recorded ones are left as they are. Returns how many
    were recorded now."""
    plain = plain_communes()
    rows: list[Message] = []
    with translation.override(SMS_LANGUAGE):
        seen_users = set()
        for worker in workers_to_remind():
            if worker.user_id in seen_users:
                continue
            seen_users.add(worker.user_id)
            due, overdue = follow_up_counts(worker.user, day=day, commune_id=worker.commune_id)
            if due or overdue:
                text = follow_ups_text(due=due, overdue=overdue)
                rows.append(
                    _worker_message(
                        worker, kind=Message.Kind.FOLLOW_UPS, item_id=0, day=day, text=text, plain=plain
                    )
                )
        wanting = {w.pk: w for w in workers_to_remind()}
        tomorrow = day + datetime.timedelta(days=1)
        for session in sessions_facilitated_on(tomorrow):
            for facilitator in session.facilitators.all():
                worker = wanting.get(facilitator.pk)
                if worker is not None:
                    rows.append(
                        _worker_message(
                            worker,
                            kind=Message.Kind.FACILITATE,
                            item_id=session.pk,
                            day=day,
                            text=facilitate_text(session),
                            plain=plain,
                        )
                    )
        rows += _eve_messages(tomorrow=tomorrow, day=day, plain=plain)
    before = Message.objects.filter(day=day).count()
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return Message.objects.filter(day=day).count() - before


def _eve_messages(*, tomorrow, day, plain) -> list[Message]:
    """The day-before reminders: for residents invited to a session held tomorrow."""
    rows = []
    invited = (
        Message.objects.filter(
            kind=Message.Kind.INVITATION, item_id__in=sessions_facilitated_on(tomorrow).values("pk")
        )
        .exclude(status=Message.Status.FAILED, permanent=True)
        .values_list("resident_id", "item_id")
        .distinct()
    )
    sessions = {s.pk: s for s in sessions_facilitated_on(tomorrow)}
    consents = {
        c.resident_id: c
        for c in SmsConsent.objects.filter(
            resident_id__in=[r for r, _s in invited], withdrawn_at__isnull=True
        ).select_related("resident")
    }
    for resident_id, session_id in invited:
        consent = consents.get(resident_id)
        if consent is None:
            continue
        session = sessions[session_id]
        sms = encoded(eve_text(session), plain=session.commune_id in plain)
        rows.append(
            Message(
                resident_id=resident_id,
                commune_id=session.commune_id,
                kind=Message.Kind.SESSION_EVE,
                item_id=session_id,
                day=day,
                channel=Channel.SMS,
                phone=consent.phone,
                text=sms.text,
                segments=sms.segments,
            )
        )
    return rows


def _still_relevant(message: Message, *, today: datetime.date, sessions: dict) -> str:
    """Why the message should no longer be sent ("" when it should)."""
    if message.day > today:
        return "not yet"  # never sent before its day; left queued
    if message.kind == Message.Kind.FOLLOW_UPS and message.day != today:
        return _("out of date: a later morning's list replaces it")
    if message.kind != Message.Kind.FOLLOW_UPS:
        session = sessions.get(message.item_id)
        if session is None:
            return _("the session was deleted")
        if session.held_on < today or (session.held_on == today and message.kind != Message.Kind.INVITATION):
            return _("out of date: the session was already held")
    if message.user_id is not None:
        chosen = getattr(message.user, "reminder_settings", None)
        if chosen is None or not chosen.enabled:
            return _("reminders turned off")
    elif not SmsConsent.objects.filter(
        resident_id=message.resident_id, phone=message.phone, withdrawn_at__isnull=True
    ).exists():
        return _("no consent to SMS")
    return ""


def send_pending(*, now: datetime.datetime | None = None, ids=None) -> dict[str, int]:
    """Send every message queued, or failed for a temporary reason, of today or earlier that
    is still relevant; mark the others failed for good with why. Nothing leaves in quiet hours
    (21:00-07:00, commune time). Returns the count of each outcome."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    outcome = {"sent": 0, "failed": 0, "dropped": 0, "held": 0}
    pending = (
        Message.objects.filter(day__lte=today, permanent=False, attempts__lt=MAX_ATTEMPTS)
        .filter(status__in=[Message.Status.QUEUED, Message.Status.FAILED])
        .select_related("user__reminder_settings")
        .order_by("pk")
    )
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    if is_quiet(now):
        outcome["held"] = pending.count()
        return outcome
    pending = list(pending)
    session_ids = {m.item_id for m in pending if m.kind != Message.Kind.FOLLOW_UPS}
    sessions = TrainingSession.objects.in_bulk(session_ids)
    for message in pending:
        why_not = _still_relevant(message, today=today, sessions=sessions)
        if why_not:
            message_failed(message=message, why=why_not, permanent=True, attempted=False)
            outcome["dropped"] += 1
            continue
        outcome["sent" if _send_one(message, now=now) else "failed"] += 1
    return outcome


def _send_one(message: Message, *, now) -> bool:
    """Send one message by the channel its recipient has now; record the answer."""
    if message.user_id is not None:
        chosen: ReminderSettings = message.user.reminder_settings
        if chosen.channel != Channel.SMS and push.has_working_subscription(user=message.user):
            return _push(message, now=now)
        if not message.phone:
            message.channel = Channel.SMS
            message_failed(message=message, why=_("no phone number"), permanent=True)
            return False
        message.channel = Channel.SMS
    return _sms(message, now=now)


def _push(message: Message, *, now) -> bool:
    pushed = push.push_to_user(user=message.user, title="Softbridge", body=message.text, url=reverse("today"))
    if pushed.delivered:
        message_sent(message=message, channel=Channel.PUSH, now=now)
        return True
    message.channel = Channel.PUSH
    message_failed(message=message, why=pushed.reason or _("no phone took the notification"), permanent=False)
    return False


def _sms(message: Message, *, now) -> bool:
    coding, segments = segments_of(message.text)
    handed = hand_to_kannel(
        message_id=message.pk, to=international(message.phone), text=message.text, coding=coding
    )
    if handed.accepted:
        message_sent(message=message, channel=Channel.SMS, now=now, segments=segments)
        return True
    message.channel = Channel.SMS
    message_failed(message=message, why=handed.reason, permanent=not handed.temporary)
    return False
