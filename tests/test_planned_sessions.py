"""Planned training sessions (issue 30): a session may be dated up to a year ahead, so that its
residents can be invited and reminded; nobody can have attended it, nor achieved anything at it,
before its day, and the reports count it as held only from that day on."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from frontdoor.device import kept_pages
from mobilization.models import Worker
from mobilization.services import Help
from reminders.models import Channel, Message, ReminderSettings
from reminders.selectors import Audience
from reminders.services import consent_give, invitations_queue
from reports.selectors.activity import activity_by_commune, activity_series
from softbridge.calendar import PLANNING_DAYS, commune_today, month_start
from tests import factories
from tests.factories import api_client as api
from tests.kannel import sms_sink_fixture  # noqa: F401 (a fixture)
from training.models import Attendance, TrainingSession
from training.services import attendance_record, session_update
from villages.models import Resident

TODAY = commune_today()
NEXT_WEEK = TODAY + datetime.timedelta(days=7)
NOT_HELD_YET = "The session has not been held yet: attendance is recorded from its day on."


def session_post(village, **changes):
    return {
        "submission_key": str(uuid.uuid4()),
        "held_on": NEXT_WEEK.isoformat(),
        "village": village.pk,
        "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
        "venue": "",
        "notes": "",
        **changes,
    }


def planned(village, held_on=NEXT_WEEK, **fields):
    return factories.session(village.commune, village=village, held_on=held_on, **fields)


def ladder_of(resident) -> tuple:
    r = Resident.objects.get(pk=resident.pk)
    return (r.smartphone_on, r.eid_on, r.online_on, r.level34_on)


# --- Planning a session


def test_an_official_plans_a_session_for_next_week_on_the_page(english_client, official, village_a):
    english_client.force_login(official)

    response = english_client.post(reverse("training:new"), session_post(village_a))

    session = TrainingSession.objects.get()
    assert session.held_on == NEXT_WEEK and session.is_planned
    # Not on to the attendance page: there is nothing to tick before the day.
    assert response.status_code == 302 and response.url == reverse("training:session", args=[session.pk])
    page = english_client.get(response.url).content.decode()
    assert "Planned" in page and NOT_HELD_YET in page
    assert reverse("training:attendance", args=[session.pk]) not in page


def test_a_worker_plans_a_session_in_their_village_through_the_api(worker_a, village_a):
    response = api(worker_a).post(
        "/api/training-sessions/", {"village": village_a.pk, "held_on": str(NEXT_WEEK)}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["held_on"] == NEXT_WEEK.isoformat()
    assert TrainingSession.objects.get().held_on == NEXT_WEEK


def test_a_year_ahead_is_taken_and_a_day_more_is_refused_naming_the_date(english_client, official, village_a):
    last = TODAY + datetime.timedelta(days=PLANNING_DAYS)
    beyond = last + datetime.timedelta(days=1)
    english_client.force_login(official)

    page = english_client.post(reverse("training:new"), session_post(village_a, held_on=beyond.isoformat()))
    through_api = api(official).post(
        "/api/training-sessions/", {"village": village_a.pk, "held_on": str(beyond)}, format="json"
    )

    assert page.status_code == 200
    assert page.context["form"].errors["held_on"] == [
        f"{beyond.isoformat()} is too far ahead: a session can be planned up to {last.isoformat()}."
    ]
    assert through_api.status_code == 400 and list(through_api.json()) == ["held_on"]
    assert not TrainingSession.objects.exists()
    taken = english_client.post(reverse("training:new"), session_post(village_a, held_on=last.isoformat()))
    assert taken.status_code == 302
    assert TrainingSession.objects.get().held_on == last


def test_the_admin_plans_a_session_but_not_beyond_a_year(english_client, official, village_a):
    official.is_staff = True
    official.save(update_fields=["is_staff"])
    english_client.force_login(official)
    data = {
        "commune": village_a.commune_id,
        "village": village_a.pk,
        "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
        "venue": "",
        "notes": "",
        **{f"attendances-{key}": value for key, value in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()},
    }
    beyond = TODAY + datetime.timedelta(days=PLANNING_DAYS + 1)
    url = reverse("admin:training_trainingsession_add")

    refused = english_client.post(url, {**data, "held_on": beyond.isoformat()})
    assert refused.status_code == 200 and "held_on" in refused.context["adminform"].form.errors
    assert not TrainingSession.objects.exists()
    assert english_client.post(url, {**data, "held_on": NEXT_WEEK.isoformat()}).status_code == 302
    assert TrainingSession.objects.get().held_on == NEXT_WEEK


def test_a_planned_session_may_be_moved_but_not_one_with_attendees_into_the_days_ahead(village_a, resident_a):
    session = planned(village_a)
    session_update(**_facts(session, held_on=NEXT_WEEK + datetime.timedelta(days=2)))
    assert TrainingSession.objects.get().held_on == NEXT_WEEK + datetime.timedelta(days=2)

    held = factories.session(village_a.commune, village=village_a, held_on=TODAY)
    factories.attendance(held, resident_a)
    with pytest.raises(ValidationError) as refused:
        session_update(**_facts(held, held_on=NEXT_WEEK))
    assert "held_on" in refused.value.message_dict
    assert TrainingSession.objects.get(pk=held.pk).held_on == TODAY


def _facts(session, **changes) -> dict:
    return {
        "session": session,
        "village": session.village,
        "venue_kind": session.venue_kind,
        "venue": session.venue,
        "held_on": session.held_on,
        "topics": [],
        "facilitators": [],
        "group": None,
        "notes": "",
        "model": None,
        **changes,
    }


# --- No attendance before the day


def test_the_service_refuses_attendance_at_a_planned_session(village_a, resident_a):
    session = planned(village_a)
    before = ladder_of(resident_a)

    with pytest.raises(ValidationError) as refused:
        attendance_record(session=session, help=Help(resident_a, ["eid_activated"]))

    assert refused.value.messages == [NOT_HELD_YET]
    assert not Attendance.objects.exists()
    assert ladder_of(resident_a) == before


def test_a_planned_session_is_not_recorded_with_attendees(worker_a, village_a, resident_a):
    response = api(worker_a).post(
        "/api/training-sessions/",
        {"village": village_a.pk, "held_on": str(NEXT_WEEK), "attendees": [{"resident": resident_a.pk}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"attendees": [NOT_HELD_YET]}
    assert not TrainingSession.objects.exists() and not Attendance.objects.exists()


def test_the_api_refuses_attendance_at_a_planned_session(official, village_a, resident_a):
    session = planned(village_a)
    before = ladder_of(resident_a)

    response = api(official).post(
        f"/api/training-sessions/{session.pk}/attendance/",
        {"resident": resident_a.pk, "achievements": ["eid_activated"]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [NOT_HELD_YET]}
    assert not Attendance.objects.exists()
    assert ladder_of(resident_a) == before


def test_the_attendance_page_of_a_planned_session_says_so_and_saves_nothing(
    english_client, worker_a, village_a, resident_a
):
    session = planned(village_a)
    english_client.force_login(worker_a)
    url = reverse("training:attendance", args=[session.pk])

    shown = english_client.get(url)
    sent = english_client.post(
        url,
        {
            "submission_key": str(uuid.uuid4()),
            "action": "save",
            "resident": [resident_a.pk],
            f"ach-{resident_a.pk}": ["eid_activated"],
        },
    )

    assert shown.status_code == 200 and NOT_HELD_YET in shown.content.decode()
    assert 'id="attendance-form"' not in shown.content.decode()
    assert sent.status_code == 400 and NOT_HELD_YET in sent.content.decode()
    assert not Attendance.objects.exists()


def test_a_phone_keeps_no_attendance_form_of_a_planned_session(worker_a, village_a):
    held = factories.session(village_a.commune, village=village_a, held_on=TODAY)
    ahead = planned(village_a, held_on=TODAY + datetime.timedelta(days=1))

    urls = [page["url"] for page in kept_pages(worker_a, language="en")]

    assert reverse("training:attendance", args=[held.pk]) in urls
    assert not [url for url in urls if url.startswith(reverse("training:session", args=[ahead.pk]))]


# --- The list and the reports


def test_the_list_shows_planned_sessions_first_the_soonest_on_top(
    english_client, official, village_a, village_b
):
    later = planned(village_b, held_on=NEXT_WEEK + datetime.timedelta(days=7))
    sooner = planned(village_a)
    held = factories.session(village_a.commune, village=village_a, held_on=TODAY)
    english_client.force_login(official)

    response = english_client.get(reverse("training:sessions"))

    assert list(response.context["planned"]) == [sooner, later]
    assert list(response.context["page"].object_list) == [held]
    page = response.content.decode()
    assert page.index("Planned") < page.index(reverse("training:session", args=[sooner.pk]))
    assert page.index(reverse("training:session", args=[sooner.pk])) < page.index(
        reverse("training:session", args=[later.pk])
    )


def test_the_reports_count_a_planned_session_only_from_its_day_on(commune, village_a):
    factories.session(commune, village=village_a, held_on=TODAY)
    day = TODAY + datetime.timedelta(days=1)
    planned(village_a, held_on=day)
    months = (month_start(TODAY), day)

    def sessions_counted(today):
        series = activity_series(commune=commune, start=months[0], end=months[1], today=today)
        by_commune = activity_by_commune(communes=[commune], start=months[0], end=months[1], today=today)
        return sum(m.sessions for m in series), by_commune[commune.pk].sessions

    assert sessions_counted(TODAY) == (1, 1)
    assert sessions_counted(day) == (2, 2)


# --- Invitations and reminders


def test_a_planned_session_is_invited_to_and_reminded_the_day_before(
    english_client, official, worker_a, village_a, resident_a, sms_sink, monkeypatch
):
    facilitator = Worker.objects.get(user=worker_a)
    facilitator.phone = "0912 345 678"
    facilitator.save()
    ReminderSettings.objects.create(user=worker_a, enabled=True, channel=Channel.SMS)
    call_command_as = _clock(monkeypatch)
    resident_a.phone = "0987654321"
    resident_a.save()
    consent_give(resident=resident_a, phone="0987654321", given_on=TODAY, recorded_by=official)
    english_client.force_login(official)
    day = TODAY + datetime.timedelta(days=2)
    english_client.post(
        reverse("training:new"),
        session_post(village_a, held_on=day.isoformat(), facilitators=[facilitator.pk]),
    )
    session = TrainingSession.objects.get()

    call_command_as(TODAY)
    invitations_queue(session=session, audience=Audience.VILLAGE, official=official)
    call_command_as(TODAY)
    eve = day - datetime.timedelta(days=1)
    call_command_as(eve)
    call_command_as(eve)

    sent = sorted(Message.objects.values_list("kind", "status", "day"))
    assert sent == sorted(
        [
            (Message.Kind.INVITATION, Message.Status.SENT, TODAY),
            (Message.Kind.SESSION_EVE, Message.Status.SENT, eve),
            (Message.Kind.FACILITATE, Message.Status.SENT, eve),
        ]
    )
    assert sorted(r["to"] for r in sms_sink.requests) == ["84912345678", "84987654321", "84987654321"]


def _clock(monkeypatch):
    """send_reminders run at 07:05 in the commune on a given day."""

    def run(day):
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7, 5)))
        monkeypatch.setattr(timezone, "now", lambda: moment)
        call_command("send_reminders")

    return run
