"""SMS through a real Kannel (tests/kannel.py): bearerbox and smsbox, with fakesmsc as the
operator. The message reaches the operator in the coding we chose, its delivery reports come
back to the live server, and a resident's HUY sent to our number withdraws their consent."""

import datetime

import pytest
from django.utils import timezone

from reminders.models import CommuneSms, Message, SmsConsent
from reminders.selectors import Audience
from reminders.sending import send_pending
from reminders.services import consent_give, invitations_queue
from softbridge.calendar import commune_today
from tests import factories
from tests.kannel import kannel_fixture, wait_until  # noqa: F401 (a fixture)
from training.models import TrainingSession

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def invited(commune, village_a, household_a, official):
    today = commune_today()
    resident = factories.resident(household_a, full_name="Nông Thị Hoa", phone="0987654321")
    consent_give(resident=resident, phone="0987654321", given_on=today, recorded_by=official)
    session = TrainingSession.objects.create(
        commune=commune, village=village_a, held_on=today + datetime.timedelta(days=3)
    )
    ids = invitations_queue(session=session, audience=Audience.VILLAGE, official=official)
    return Message.objects.get(pk__in=ids)


def seven_in_the_morning():
    return timezone.make_aware(datetime.datetime.combine(commune_today(), datetime.time(7, 5)))


def test_an_invitation_reaches_the_operator_in_ucs2_and_its_delivery_is_reported(kannel, invited):
    assert send_pending(now=seven_in_the_morning())["sent"] == 1

    got = wait_until(kannel.received)
    assert got == [("84987654321", "ucs-2", invited.text, 2)]
    assert invited.segments == 2  # our count of what the operator bills
    assert "Mời anh/chị" in invited.text
    delivered = wait_until(
        lambda: Message.objects.filter(pk=invited.pk, status=Message.Status.DELIVERED).exists()
    )
    assert delivered, (kannel.folder / "smsbox.log").read_text()[-2000:]
    assert Message.objects.get(pk=invited.pk).kannel_id


def test_a_commune_without_diacritics_sends_gsm7_text(kannel, commune, village_a, household_a, official):
    CommuneSms.objects.create(commune=commune, without_diacritics=True)
    today = commune_today()
    resident = factories.resident(household_a, full_name="Lương Văn Tú")
    consent_give(resident=resident, phone="0912000111", given_on=today, recorded_by=official)
    session = TrainingSession.objects.create(
        commune=commune, village=village_a, held_on=today + datetime.timedelta(days=3)
    )
    invitations_queue(session=session, audience=Audience.VILLAGE, official=official)

    send_pending(now=seven_in_the_morning())

    ((to, coding, text, segments),) = wait_until(kannel.received)
    assert (to, coding, segments) == ("84912000111", "text", Message.objects.get().segments)
    assert text.startswith("Moi anh/chi du buoi huong dan dich vu cong truc tuyen")


def test_a_huy_sent_to_our_number_withdraws_consent(kannel, invited):
    kannel.reply("0987654321", "Huy")

    withdrawn = wait_until(lambda: SmsConsent.objects.filter(withdrawn_at__isnull=False).exists())
    assert withdrawn, (kannel.folder / "smsbox.log").read_text()[-2000:]
    assert SmsConsent.objects.get().withdrawn_how == SmsConsent.WithdrawnHow.REPLY
    assert send_pending(now=seven_in_the_morning()) == {"sent": 0, "failed": 0, "dropped": 1, "held": 0}
    assert kannel.received() == []
