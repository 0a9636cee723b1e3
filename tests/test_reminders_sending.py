"""The morning's reminders (issue 30): queued once per recipient, item and day, sent once,
retried on a temporary failure only, never in the quiet hours, and never to someone who
turned them off or withdrew consent. Kannel is stood in for by an HTTP sink here
(tests/kannel.py); tests/test_reminders_kannel.py sends through a real one."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mobilization.models import Worker
from reminders.models import Channel, CommuneSms, Message, ReminderSettings, SmsConsent
from reminders.selectors import Audience
from reminders.sending import queue_morning, send_pending
from reminders.services import (
    consent_give,
    delivery_report_record,
    invitations_queue,
    message_sent,
    reply_record,
)
from tests import factories
from tests.kannel import TOKEN, sms_sink_fixture  # noqa: F401 (a fixture)

TODAY = datetime.date.today()  # the commune's today, set per test by tests/conftest.py


def at(hour: int, minute: int = 5, day=None) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day or TODAY, datetime.time(hour, minute)))


@pytest.fixture
def morning(monkeypatch):
    """The clock at 07:05 in the commune, when the timer has run."""
    monkeypatch.setattr(timezone, "now", lambda: at(7))


@pytest.fixture
def worker_record(worker_a):
    worker = Worker.objects.get(user=worker_a)
    worker.phone = "0912 345 678"
    worker.save()
    ReminderSettings.objects.create(user=worker_a, enabled=True, channel=Channel.SMS)
    return worker


def upcoming_session(village, *, held_on, facilitators=(), venue="", notes=""):
    """A session planned ahead as an official plans it: through session_record."""
    return factories.session(
        village.commune, village=village, held_on=held_on, venue=venue, notes=notes, facilitators=facilitators
    )


def test_running_twice_sends_each_due_reminder_once(worker_record, village_a, household_a, sms_sink, morning):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=9),
        workers=[worker_record],
        follow_up_on=TODAY - datetime.timedelta(days=2),
    )
    other = factories.household(village_a, code="NK-002")
    factories.visit(
        other, visited_on=TODAY - datetime.timedelta(days=3), workers=[worker_record], follow_up_on=TODAY
    )
    upcoming_session(village_a, held_on=TODAY + datetime.timedelta(days=1), facilitators=[worker_record])

    call_command("send_reminders")
    call_command("send_reminders")
    call_command("send_reminders", "--day", TODAY.isoformat())

    assert sorted(r["to"] for r in sms_sink.requests) == ["84912345678", "84912345678"]
    texts = sorted(r["text"] for r in sms_sink.requests)
    assert "1 hẹn thăm lại đến hạn hôm nay, 1 quá hạn" in texts[0]
    assert "ngày mai" in texts[1]
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
    assert Message.objects.count() == 2


def test_a_follow_up_closed_by_a_later_visit_is_not_reminded(worker_record, household_a, sms_sink, morning):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=9),
        workers=[worker_record],
        follow_up_on=TODAY - datetime.timedelta(days=2),
    )
    factories.visit(household_a, visited_on=TODAY - datetime.timedelta(days=1), workers=[worker_record])

    call_command("send_reminders")

    assert sms_sink.requests == []
    assert not Message.objects.exists()


def test_a_worker_who_turned_reminders_off_gets_nothing(
    worker_record, worker_a, household_a, sms_sink, morning
):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=9),
        workers=[worker_record],
        follow_up_on=TODAY,
    )
    ReminderSettings.objects.filter(user=worker_a).update(enabled=False)

    call_command("send_reminders")

    assert sms_sink.requests == []


def test_reminders_turned_off_after_queueing_are_not_sent(worker_record, worker_a, household_a, sms_sink):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=9),
        workers=[worker_record],
        follow_up_on=TODAY,
    )
    queue_morning(day=TODAY)
    ReminderSettings.objects.filter(user=worker_a).update(enabled=False)

    send_pending(now=at(7))

    message = Message.objects.get()
    assert (message.status, message.permanent, sms_sink.requests) == (Message.Status.FAILED, True, [])
    assert message.failure == "reminders turned off"


@pytest.fixture
def consenting(resident_a, official):
    resident_a.phone = "0987654321"
    resident_a.national_id = "004085001234"
    resident_a.save()
    consent_give(resident=resident_a, phone="+84 987 654 321", given_on=TODAY, recorded_by=official)
    return resident_a


def test_a_resident_who_replied_huy_gets_no_reminder(consenting, village_a, official, sms_sink, morning):
    session = upcoming_session(village_a, held_on=TODAY + datetime.timedelta(days=2))
    invitations_queue(session=session, audience=Audience.VILLAGE, official=official)
    send_pending()
    assert [r["to"] for r in sms_sink.requests] == ["84987654321"]

    assert reply_record(sender="84987654321", text="  Hủy ") == 1

    eve = TODAY + datetime.timedelta(days=1)
    queue_morning(day=eve)
    send_pending(now=at(7, day=eve))
    assert len(sms_sink.requests) == 1
    consent = SmsConsent.objects.get()
    assert consent.withdrawn_how == SmsConsent.WithdrawnHow.REPLY and consent.withdrawn_at is not None


def test_an_invited_resident_who_consents_is_reminded_the_day_before(
    consenting, village_a, official, sms_sink, morning
):
    session = upcoming_session(village_a, held_on=TODAY + datetime.timedelta(days=2))
    invitations_queue(session=session, audience=Audience.VILLAGE, official=official)
    send_pending()
    eve = TODAY + datetime.timedelta(days=1)

    queue_morning(day=eve)
    queue_morning(day=eve)
    send_pending(now=at(7, day=eve))
    send_pending(now=at(8, day=eve))

    kinds = list(Message.objects.order_by("pk").values_list("kind", "status"))
    assert kinds == [
        (Message.Kind.INVITATION, Message.Status.SENT),
        (Message.Kind.SESSION_EVE, Message.Status.SENT),
    ]
    assert len(sms_sink.requests) == 2 and "ngày mai" in sms_sink.requests[1]["text"]


def test_no_message_names_anyone_or_carries_an_id_number_or_a_free_text_place(
    consenting, worker_record, village_a, household_a, official, sms_sink, morning
):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=3),
        workers=[worker_record],
        follow_up_on=TODAY,
        notes="Bà Hoa bị tiểu đường, người Tày",
    )
    session = upcoming_session(
        village_a,
        held_on=TODAY + datetime.timedelta(days=1),
        facilitators=[worker_record],
        venue="nhà ông Nông Văn Tài",
        notes="người Nùng, khuyết tật",
    )
    invitations_queue(session=session, audience=Audience.VILLAGE, official=official)
    call_command("send_reminders")

    texts = [r["text"] for r in sms_sink.requests]
    assert len(texts) == 4  # the invitation, its eve reminder, the facilitator's and the follow-ups
    forbidden = [
        consenting.full_name,
        "Nông",
        "Hoa",
        "Hoàng Văn Đức",
        "004085001234",
        "Tày",
        "Nùng",
        "tiểu đường",
        "khuyết tật",
        household_a.code,
    ]
    assert [(t, word) for t in texts for word in forbidden if word.lower() in t.lower()] == []


def test_nothing_leaves_in_the_quiet_hours_and_it_goes_at_seven(worker_record, household_a, sms_sink):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=3),
        workers=[worker_record],
        follow_up_on=TODAY,
    )
    queue_morning(day=TODAY)

    assert send_pending(now=at(6, 59))["held"] == 1
    assert send_pending(now=at(21, 0))["held"] == 1
    assert sms_sink.requests == []
    send_pending(now=at(7, 0))
    assert len(sms_sink.requests) == 1


def test_a_temporary_failure_is_retried_and_a_permanent_one_never(worker_record, household_a, sms_sink):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=3),
        workers=[worker_record],
        follow_up_on=TODAY,
    )
    queue_morning(day=TODAY)
    sms_sink.answers = [503]
    send_pending(now=at(7))
    message = Message.objects.get()
    assert (message.status, message.permanent, message.attempts) == (Message.Status.FAILED, False, 1)
    assert message.failure.startswith("Kannel 503")

    send_pending(now=at(8))
    assert Message.objects.get().status == Message.Status.SENT
    assert len(sms_sink.requests) == 2


def test_a_refusal_by_kannel_is_permanent(worker_record, household_a, sms_sink):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=3),
        workers=[worker_record],
        follow_up_on=TODAY,
    )
    queue_morning(day=TODAY)
    sms_sink.answers = [403]
    send_pending(now=at(7))
    send_pending(now=at(8))

    message = Message.objects.get()
    assert (message.status, message.permanent, len(sms_sink.requests)) == (Message.Status.FAILED, True, 1)


def test_a_past_day_sends_what_is_still_relevant(worker_record, village_a, household_a, sms_sink, morning):
    yesterday = TODAY - datetime.timedelta(days=1)
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=5),
        workers=[worker_record],
        follow_up_on=yesterday,
    )
    upcoming_session(village_a, held_on=TODAY, facilitators=[worker_record])

    call_command("send_reminders", "--day", yesterday.isoformat())

    assert sms_sink.requests == []
    why = set(Message.objects.values_list("failure", flat=True))
    assert why == {
        "out of date: a later morning's list replaces it",
        "out of date: the session was already held",
    }


def test_a_day_ahead_or_not_a_date_is_refused():
    with pytest.raises(CommandError, match="--day"):
        call_command("send_reminders", "--day", "2024-02-30")
    with pytest.raises(CommandError, match="--day"):
        call_command("send_reminders", "--day", (TODAY + datetime.timedelta(days=1)).isoformat())


def test_a_commune_without_diacritics_sends_gsm7(worker_record, commune, household_a, sms_sink, morning):
    CommuneSms.objects.create(commune=commune, without_diacritics=True)
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=3),
        workers=[worker_record],
        follow_up_on=TODAY,
    )

    call_command("send_reminders")

    sent = sms_sink.requests[0]
    assert sent["coding"] == "0" and sent["charset"] == "UTF-8"
    assert sent["text"].startswith("Softbridge: 1 hen tham lai den han hom nay, 0 qua han")
    assert Message.objects.get().segments == 1


def test_the_delivery_report_moves_the_status_and_never_back(
    worker_record, household_a, sms_sink, client, morning
):
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=3),
        workers=[worker_record],
        follow_up_on=TODAY,
    )
    call_command("send_reminders")
    message = Message.objects.get()
    assert f"message={message.pk}&status=%d" in sms_sink.requests[0]["dlr-url"]
    url = f"/reminders/sms/dlr/{TOKEN}/"

    assert client.get(url, {"message": message.pk, "status": 1, "smsc_id": "abc"}).status_code == 200
    assert client.get(url, {"message": message.pk, "status": 8}).status_code == 200
    message.refresh_from_db()
    assert (message.status, message.kannel_id) == (Message.Status.DELIVERED, "abc")
    assert client.get("/reminders/sms/dlr/wrong/", {"message": message.pk, "status": 2}).status_code == 404
    assert client.get(url, {"message": "x", "status": 2}).status_code == 400
    assert client.get(url, {"message": "9" * 30, "status": 2}).status_code == 400
    assert client.get(url, {"message": message.pk + 99, "status": 2}).status_code == 404


def test_a_delivery_reported_before_the_hand_off_is_recorded_stays_delivered(
    worker_record, household_a, sms_sink, morning
):
    """Kannel can call the dlr-url while the sender still waits for sendsms's answer: the
    report arrives first, and recording the hand-off must not put the message back to sent."""
    factories.visit(
        household_a,
        visited_on=TODAY - datetime.timedelta(days=3),
        workers=[worker_record],
        follow_up_on=TODAY,
    )
    queue_morning(day=TODAY)
    message = Message.objects.get()
    assert delivery_report_record(message_id=message.pk, status=1, smsc_id="early")
    message_sent(message=message, channel=Channel.SMS, now=at(7), segments=1)
    message.refresh_from_db()
    assert (message.status, message.kannel_id, message.attempts) == (Message.Status.DELIVERED, "early", 1)

    refused = Message.objects.create(
        user=worker_record.user,
        commune_id=worker_record.commune_id,
        kind=message.kind,
        item_id=message.item_id + 1,
        day=TODAY,
        channel=Channel.SMS,
        phone=message.phone,
        text=message.text,
        segments=1,
    )
    assert delivery_report_record(message_id=refused.pk, status=16)
    message_sent(message=refused, channel=Channel.SMS, now=at(7), segments=1)
    refused.refresh_from_db()
    assert (refused.status, refused.permanent) == (Message.Status.FAILED, True)


def test_a_reply_needs_the_token_and_only_huy_withdraws(consenting, client, settings):
    settings.SMS_CALLBACK_TOKEN = TOKEN
    assert (
        client.get("/reminders/sms/inbound/wrong/", {"from": "84987654321", "text": "HUY"}).status_code == 404
    )
    client.get(f"/reminders/sms/inbound/{TOKEN}/", {"from": "84987654321", "text": "cảm ơn"})
    assert SmsConsent.objects.get().withdrawn_at is None
    client.get(f"/reminders/sms/inbound/{TOKEN}/", {"from": "+84987654321", "text": "HUỶ"})
    assert SmsConsent.objects.get().withdrawn_at is not None


def test_no_token_set_takes_no_callback(consenting, client, settings):
    settings.SMS_CALLBACK_TOKEN = ""
    assert client.get("/reminders/sms/inbound//", {"from": "84987654321", "text": "HUY"}).status_code == 404
    assert client.get("/reminders/sms/inbound/-/", {"from": "84987654321", "text": "HUY"}).status_code == 404
    assert SmsConsent.objects.get().withdrawn_at is None
