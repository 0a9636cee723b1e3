"""The reminders' pages: a worker's own settings, a resident's consent, the officials'
invitation with its cost before sending, and the page of what was sent."""

import datetime

import pytest
from django.urls import reverse

from reminders.models import Channel, CommuneSms, Message, ReminderSettings, SmsConsent
from reminders.services import consent_give
from tests import factories
from tests.kannel import sms_sink_fixture  # noqa: F401 (a fixture)
from training.models import TrainingSession

TODAY = datetime.date.today()  # the commune's today, set per test by tests/conftest.py


def test_a_worker_turns_reminders_off_and_chooses_sms(client, worker_a):
    client.force_login(worker_a)
    page = client.get(reverse("reminders:settings"))
    assert page.status_code == 200 and b'id="reminder-settings"' in page.content

    client.post(reverse("reminders:settings"), {"enabled": "on", "channel": Channel.SMS})
    assert ReminderSettings.objects.values_list("enabled", "channel").get(user=worker_a) == (True, "sms")
    client.post(reverse("reminders:settings"), {"channel": Channel.SMS})
    assert ReminderSettings.objects.get(user=worker_a).enabled is False


def test_a_bad_channel_is_refused_naming_the_field(client, worker_a):
    client.force_login(worker_a)
    page = client.post(reverse("reminders:settings"), {"enabled": "on", "channel": "fax"})
    assert page.status_code == 200
    assert "channel" in page.context["form"].errors
    assert not ReminderSettings.objects.exists()


def test_a_worker_records_and_withdraws_a_residents_consent(client, worker_a, resident_a):
    client.force_login(worker_a)
    url = reverse("reminders:consent", args=[resident_a.pk])
    client.post(url, {"phone": "0912 345 678", "given_on": TODAY.isoformat()})
    consent = SmsConsent.objects.get()
    assert (consent.phone, consent.given_on, consent.recorded_by) == ("0912345678", TODAY, worker_a)

    client.post(url, {"withdraw": "1"})
    consent.refresh_from_db()
    assert consent.withdrawn_how == SmsConsent.WithdrawnHow.RESIDENT_PAGE and consent.withdrawn_by == worker_a


def test_a_consent_with_a_bad_number_or_a_date_ahead_is_refused(client, worker_a, resident_a):
    client.force_login(worker_a)
    url = reverse("reminders:consent", args=[resident_a.pk])
    page = client.post(url, {"phone": "12345", "given_on": TODAY.isoformat()})
    assert "phone" in page.context["form"].errors
    ahead = (TODAY + datetime.timedelta(days=1)).isoformat()
    page = client.post(url, {"phone": "0912345678", "given_on": ahead})
    assert "given_on" in page.context["form"].errors
    assert not SmsConsent.objects.exists()


def test_a_leader_reads_but_does_not_change_consent(client, leader, resident_a):
    client.force_login(leader)
    url = reverse("reminders:consent", args=[resident_a.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"phone": "0912345678", "given_on": TODAY.isoformat()}).status_code == 403
    assert not SmsConsent.objects.exists()


def test_the_household_page_links_to_the_consent(client, head_a, resident_a):
    client.force_login(head_a)
    page = client.get(reverse("villages:household", args=[resident_a.household_id]))
    assert reverse("reminders:consent", args=[resident_a.pk]).encode() in page.content


@pytest.fixture
def session_ahead(commune, village_a, household_a, official):
    for n, (phone, level34) in enumerate([("0912000001", None), ("0912000002", TODAY), ("", None)]):
        resident = factories.resident(
            household_a, full_name=f"Người {n}", online_on=level34, level34_on=level34
        )
        if phone:
            consent_give(resident=resident, phone=phone, given_on=TODAY, recorded_by=official)
    return TrainingSession.objects.create(
        commune=commune, village=village_a, held_on=TODAY + datetime.timedelta(days=5)
    )


def test_an_official_sees_the_cost_then_confirms_once(client, official, session_ahead, sms_sink, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(
        timezone, "now", lambda: timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9)))
    )
    client.force_login(official)
    url = reverse("reminders:invite")
    page = client.get(url, {"session": session_ahead.pk, "audience": "not_level34"})
    preview = page.context["preview"]
    # One consenting resident not yet at level 3/4; the text with diacritics takes 2 UCS-2 segments.
    assert (preview["count"], preview["segments"]) == (1, 2)
    assert "1 tin nhắn, 2 tin SMS." in page.content.decode()
    assert not Message.objects.exists()
    # Where, as a resident says it (not the kind's "thôn/xóm" followed by the name), and the
    # session offered by its village and its date as the commune writes it.
    village = session_ahead.village.name
    assert f"nhà văn hóa {village}" in preview["text"] and "thôn/xóm" not in preview["text"]
    offered = dict(page.context["form"].fields["session"].choices)
    assert any(
        str(label).startswith(f"{village}, {session_ahead.held_on:%d-%m-%Y}") for label in offered.values()
    )

    form = {
        "session": session_ahead.pk,
        "audience": "village",
        "confirm": "1",
        "submission_key": preview["key"],
    }
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Message.objects.filter(kind=Message.Kind.INVITATION, status=Message.Status.SENT).count() == 2
    assert sorted(r["to"] for r in sms_sink.requests) == ["84912000001", "84912000002"]


def test_an_official_may_not_invite_to_another_communes_session(client, outsider, session_ahead):
    client.force_login(outsider)
    page = client.get(reverse("reminders:invite"), {"session": session_ahead.pk, "audience": "village"})
    assert page.status_code == 200 and page.context["preview"] is None
    assert "session" in page.context["form"].errors


def test_the_page_of_what_was_sent_counts_per_day_channel_and_status(client, official, commune, resident_a):
    for status, failure in [("sent", ""), ("delivered", ""), ("failed", "refused by the operator")]:
        Message.objects.create(
            resident=factories.resident(resident_a.household, full_name=f"R {status}"),
            commune=commune,
            kind=Message.Kind.INVITATION,
            day=TODAY,
            channel=Channel.SMS,
            status=status,
            failure=failure,
            text="x",
            segments=2,
        )
    client.force_login(official)
    page = client.get(reverse("reminders:sent"))
    rows = {(r["status"], r["count"], r["segments"]) for r in page.context["summary"]}
    assert rows == {("đã gửi", 1, 2), ("đã đến máy", 1, 2), ("không gửi được", 1, 2)}
    assert "refused by the operator" in page.content.decode()


def test_workers_may_not_read_what_was_sent(client, worker_a):
    client.force_login(worker_a)
    assert client.get(reverse("reminders:sent")).status_code == 403
    assert client.get(reverse("reminders:invite")).status_code == 403


def test_an_official_chooses_sms_without_diacritics_for_their_commune_only(
    client, official, commune, other_commune
):
    client.force_login(official)
    url = reverse("reminders:sms_mode")
    assert client.post(url, {"commune": commune.pk, "without_diacritics": "1"}).status_code == 302
    assert CommuneSms.objects.get(commune=commune).without_diacritics is True
    assert client.post(url, {"commune": other_commune.pk, "without_diacritics": "1"}).status_code == 404
    assert client.post(url, {"commune": "x"}).status_code == 404
    client.post(url, {"commune": commune.pk})
    assert CommuneSms.objects.get(commune=commune).without_diacritics is False
