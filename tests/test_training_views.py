"""The training pages: sessions, attendance taken on a phone, and topics."""

import datetime
import unicodedata
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilization.services import Help
from softbridge.calendar import PLANNING_DAYS, commune_today
from tests import factories
from training.models import Attendance, Topic, TrainingSession
from training.services import attendance_record, session_record
from villages.models import Achievement, Resident

TODAY = commune_today()
LAST_WEEK = TODAY - datetime.timedelta(days=7)


def a_session(village, held_on=LAST_WEEK, **fields):
    return session_record(commune=village.commune, village=village, held_on=held_on, **fields)


def session_post(village, **changes):
    data = {
        "submission_key": str(uuid.uuid4()),
        "held_on": LAST_WEEK.isoformat(),
        "village": village.pk if village else "",
        "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
        "venue": "",
        "notes": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def topic(commune):
    return Topic.objects.create(
        commune=commune, name="VNeID level 2", skill=Topic.Skill.ONLINE_PUBLIC_SERVICES
    )


# --- The list


def test_official_sees_the_communes_sessions_with_their_details(
    client, official, village_a, village_b, topic
):
    facilitator = factories.worker(village_a.commune, full_name="Hà Thị Thu")
    here = a_session(village_a, topics=[topic], facilitators=[facilitator])
    there = a_session(village_b)
    resident = factories.resident(factories.household(village_a))
    attendance_record(session=here, help=Help(resident))
    client.force_login(official)
    response = client.get(reverse("training:sessions"))
    assert response.status_code == 200
    assert {s.pk for s in response.context["page"].object_list} == {here.pk, there.pk}
    row = next(s for s in response.context["page"].object_list if s.pk == here.pk)
    assert row.attendance_count == 1
    page = response.content.decode()
    assert "VNeID level 2" in page and "Hà Thị Thu" in page


def test_sessions_list_filters_by_village_and_month(client, official, village_a, village_b):
    old = a_session(village_a, held_on=datetime.date(2025, 3, 4))
    a_session(village_a, held_on=datetime.date(2025, 4, 4))
    a_session(village_b, held_on=datetime.date(2025, 3, 9))
    client.force_login(official)
    response = client.get(reverse("training:sessions"), {"village": village_a.pk, "month": "2025-03"})
    assert [s.pk for s in response.context["page"].object_list] == [old.pk]


def test_a_bad_month_filter_is_reported_and_ignored(client, official, village_a):
    a_session(village_a)
    client.force_login(official)
    response = client.get(reverse("training:sessions"), {"month": "March"})
    assert response.status_code == 200
    assert response.context["filters"].errors["month"]
    assert len(response.context["page"].object_list) == 1


def test_village_head_lists_only_their_villages_sessions(client, head_a, village_a, village_b):
    mine = a_session(village_a)
    a_session(village_b)
    client.force_login(head_a)
    response = client.get(reverse("training:sessions"))
    assert [s.pk for s in response.context["page"].object_list] == [mine.pk]


def test_official_of_another_commune_sees_none_of_these_sessions(client, outsider, village_a):
    a_session(village_a)
    client.force_login(outsider)
    response = client.get(reverse("training:sessions"))
    assert list(response.context["page"].object_list) == []


def _sessions_with_details(village, count, topic):
    facilitators = [factories.worker(village.commune) for _ in range(2)]
    household = factories.household(village)
    residents = [factories.resident(household) for _ in range(2)]
    for _ in range(count):
        session = a_session(village, topics=[topic], facilitators=facilitators)
        for resident in residents:
            attendance_record(session=session, help=Help(resident))


def test_sessions_list_query_count_does_not_grow_with_rows(client, official, village_a, topic):
    client.force_login(official)
    _sessions_with_details(village_a, 3, topic)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("training:sessions")).status_code == 200
    _sessions_with_details(village_a, 20, topic)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("training:sessions"))
    assert len(response.context["page"].object_list) == 23
    assert len(many) == len(few)


def test_sessions_list_counts_sessions_once_however_many_attend(client, official, village_a, topic):
    # 3 sessions, 2 attendees each: the attendance join has 6 rows, and the count once read
    # them as 6 sessions (13,454 "sessions" for 636 in the demo).
    _sessions_with_details(village_a, 3, topic)
    a_session(village_a)  # and one nobody attended
    client.force_login(official)
    response = client.get(reverse("training:sessions"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["totals"] == {"count": 4, "attendance": 6}
    assert "4 sessions, 6 attendances." in response.content.decode()


def test_sessions_list_counts_group_their_digits_in_the_language(client, official, village_a):
    TrainingSession.objects.bulk_create(
        TrainingSession(commune=village_a.commune, village=village_a, held_on=LAST_WEEK) for _ in range(1001)
    )
    client.force_login(official)
    page = client.get(reverse("training:sessions"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1,001 sessions, 0 attendances." in page
    page = client.get(reverse("training:sessions"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "1.001 buổi tập huấn, 0 lượt tham dự." in page


# --- Recording a session


def test_official_records_a_session_and_goes_on_to_take_attendance(client, official, village_a, topic):
    facilitator = factories.worker(village_a.commune)
    client.force_login(official)
    assert client.get(reverse("training:new")).status_code == 200
    response = client.post(
        reverse("training:new"),
        session_post(village_a, topics=[topic.pk], facilitators=[facilitator.pk], venue="Nhà văn hoá"),
    )
    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:attendance", args=[session.pk])
    assert (session.village, session.held_on, session.recorded_by) == (village_a, LAST_WEEK, official)
    assert list(session.topics.all()) == [topic] and list(session.facilitators.all()) == [facilitator]


def test_the_new_session_form_proposes_today_and_me_as_facilitator(client, worker_a, village_a):
    client.force_login(worker_a)
    form = client.get(reverse("training:new")).context["form"]
    assert form["held_on"].value() == TODAY
    assert form["facilitators"].value() == [worker_a.workers.get().pk]
    assert list(form.fields["village"].queryset) == [village_a]


def test_worker_records_a_session_in_their_village(client, worker_a, village_a):
    client.force_login(worker_a)
    response = client.post(reverse("training:new"), session_post(village_a))
    assert response.status_code == 302
    assert TrainingSession.objects.get().village == village_a


def test_a_double_submit_saves_the_session_once(client, official, village_a):
    client.force_login(official)
    data = session_post(village_a)
    first = client.post(reverse("training:new"), data)
    second = client.post(reverse("training:new"), data)
    assert TrainingSession.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_village_head_cannot_record_a_session_in_another_village(client, head_a, village_b):
    client.force_login(head_a)
    response = client.post(reverse("training:new"), session_post(village_b))
    assert response.status_code == 404
    assert not TrainingSession.objects.exists()


def test_official_of_another_commune_cannot_record_a_session_here(client, outsider, village_a):
    client.force_login(outsider)
    response = client.post(reverse("training:new"), session_post(village_a))
    assert response.status_code == 404
    assert not TrainingSession.objects.exists()


def test_leader_may_not_record_sessions(client, leader, village_a):
    client.force_login(leader)
    assert client.get(reverse("training:new")).status_code == 403
    assert client.post(reverse("training:new"), session_post(village_a)).status_code == 403
    assert not TrainingSession.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"held_on": ""}, "held_on"),
        ({"held_on": "31/02/2025"}, "held_on"),
        # Planned more than a year ahead (a session may be planned: tests/test_planned_sessions.py).
        ({"held_on": (TODAY + datetime.timedelta(days=PLANNING_DAYS + 1)).isoformat()}, "held_on"),
        ({"venue_kind": "under a tree"}, "venue_kind"),
    ],
)
def test_bad_session_input_comes_back_with_the_message_next_to_the_field(
    client, official, village_a, changes, field
):
    client.force_login(official)
    response = client.post(reverse("training:new"), session_post(village_a, venue="Nhà ông Tú", **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field]
    assert form["venue"].value() == "Nhà ông Tú"
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not TrainingSession.objects.exists()


def test_a_cultural_house_session_names_its_village(client, official, village_a):
    client.force_login(official)
    response = client.post(reverse("training:new"), session_post(None))
    assert response.context["form"].errors["village"]
    assert not TrainingSession.objects.exists()


def test_official_records_a_session_at_the_commune_office_without_a_village(client, official, commune):
    client.force_login(official)
    response = client.post(
        reverse("training:new"), session_post(None, venue_kind=TrainingSession.VenueKind.COMMUNE_OFFICE)
    )
    assert response.status_code == 302
    session = TrainingSession.objects.get()
    assert (session.commune, session.village) == (commune, None)


def test_a_worker_must_name_the_village(client, worker_a, village_a):
    client.force_login(worker_a)
    response = client.post(
        reverse("training:new"), session_post(None, venue_kind=TrainingSession.VenueKind.SCHOOL)
    )
    assert response.status_code == 200 and response.context["form"].errors["village"]
    assert not TrainingSession.objects.exists()


def test_a_facilitator_of_another_commune_is_refused(client, official, village_a, other_commune):
    stranger = factories.worker(other_commune)
    client.force_login(official)
    response = client.post(reverse("training:new"), session_post(village_a, facilitators=[stranger.pk]))
    assert response.status_code == 200 and response.context["form"].errors["facilitators"]
    assert not TrainingSession.objects.exists()


# --- The session page


def test_session_page_lists_attendees_and_what_each_achieved(client, leader, village_a, resident_a):
    session = a_session(village_a)
    attendance_record(session=session, help=Help(resident_a, [Achievement.EID_ACTIVATED]))
    client.force_login(leader)
    response = client.get(reverse("training:session", args=[session.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nông Thị Hoa" in page
    assert str(Achievement.EID_ACTIVATED.label) in page
    # A leader reads, and is offered nothing to change.
    assert reverse("training:attendance", args=[session.pk]) not in page


# --- Editing and deleting


def test_worker_edits_their_villages_session(client, worker_a, village_a, topic):
    session = a_session(village_a)
    client.force_login(worker_a)
    assert client.get(reverse("training:edit", args=[session.pk])).status_code == 200
    response = client.post(
        reverse("training:edit", args=[session.pk]),
        session_post(village_a, venue="Nhà văn hoá Nà Khau", topics=[topic.pk], notes="Mưa to"),
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.venue, session.notes) == ("Nhà văn hoá Nà Khau", "Mưa to")
    assert list(session.topics.all()) == [topic]


def test_bad_edit_keeps_the_session_as_it_was(client, official, village_a):
    session = a_session(village_a, venue="Nhà văn hoá")
    client.force_login(official)
    response = client.post(
        reverse("training:edit", args=[session.pk]), session_post(village_a, held_on="", venue="Trường")
    )
    assert response.status_code == 200 and response.context["form"].errors["held_on"]
    session.refresh_from_db()
    assert session.venue == "Nhà văn hoá"


def test_the_date_of_a_session_whose_attendance_moved_ladders_stays(client, official, village_a, resident_a):
    session = a_session(village_a)
    attendance_record(session=session, help=Help(resident_a, [Achievement.EID_ACTIVATED]))
    client.force_login(official)
    response = client.post(
        reverse("training:edit", args=[session.pk]),
        session_post(village_a, held_on=(LAST_WEEK - datetime.timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 200 and response.context["form"].errors["held_on"]
    session.refresh_from_db()
    assert session.held_on == LAST_WEEK


def test_leader_cannot_edit_or_delete_a_session(client, leader, village_a):
    session = a_session(village_a)
    client.force_login(leader)
    assert (
        client.post(reverse("training:edit", args=[session.pk]), session_post(village_a)).status_code == 403
    )
    assert client.post(reverse("training:delete", args=[session.pk])).status_code == 403
    assert TrainingSession.objects.filter(pk=session.pk).exists()


def test_village_head_cannot_move_their_session_to_another_village(client, head_a, village_a, village_b):
    session = a_session(village_a)
    client.force_login(head_a)
    response = client.post(reverse("training:edit", args=[session.pk]), session_post(village_b))
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.village == village_a


def test_deleting_a_session_asks_first_then_deletes_on_post(client, official, village_a, resident_a):
    session = a_session(village_a)
    attendance_record(session=session, help=Help(resident_a))
    client.force_login(official)
    confirm = client.get(reverse("training:delete", args=[session.pk]))
    assert confirm.status_code == 200 and confirm.context["attendance_count"] == 1
    assert TrainingSession.objects.filter(pk=session.pk).exists()
    response = client.post(reverse("training:delete", args=[session.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("training:sessions")
    assert not TrainingSession.objects.exists() and not Attendance.objects.exists()


# --- Attendance


@pytest.fixture
def family(household_a):
    """Three residents of village A in one household; one moved away before the session."""
    hoa = factories.resident(household_a, full_name="Nông Thị Hoa")
    tu = factories.resident(household_a, full_name="Nông Văn Tú")
    gone = factories.resident(
        household_a,
        full_name="Nông Văn Đi",
        left_on=LAST_WEEK - datetime.timedelta(days=30),
        left_reason=Resident.LeftReason.MOVED_AWAY,
    )
    return hoa, tu, gone


def test_attendance_page_lists_the_present_residents_of_the_village(
    client, worker_a, village_a, family, resident_b
):
    hoa, tu, gone = family
    session = a_session(village_a)
    client.force_login(worker_a)
    response = client.get(reverse("training:attendance", args=[session.pk]))
    assert response.status_code == 200
    listed = [row["resident"] for row in response.context["village_list"]]
    assert set(listed) == {hoa, tu}
    page = response.content.decode()
    assert f"present-{resident_b.pk}" not in page and f"present-{gone.pk}" not in page


def test_ticking_residents_records_them_and_moves_their_ladder(client, official, village_a, family):
    hoa, tu, _gone = family
    session = a_session(village_a)
    client.force_login(official)
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"action": "save", "resident": [hoa.pk, tu.pk], f"ach-{hoa.pk}": [Achievement.EID_ACTIVATED]},
    )
    assert response.status_code == 302 and response["Location"] == reverse(
        "training:session", args=[session.pk]
    )
    assert set(Attendance.objects.values_list("resident", flat=True)) == {hoa.pk, tu.pk}
    hoa.refresh_from_db()
    tu.refresh_from_db()
    assert hoa.eid_on == session.held_on
    assert tu.eid_on is None
    assert Attendance.objects.get(resident=hoa).achievements == [Achievement.EID_ACTIVATED]


def test_saving_the_same_attendance_twice_records_it_once(client, official, village_a, family):
    hoa, _tu, _gone = family
    session = a_session(village_a)
    client.force_login(official)
    data = {"action": "save", "resident": [hoa.pk], f"ach-{hoa.pk}": [Achievement.APPLICATION_SUBMITTED]}
    client.post(reverse("training:attendance", args=[session.pk]), data)
    client.post(reverse("training:attendance", args=[session.pk]), data)
    assert Attendance.objects.count() == 1
    assert hoa.applications.count() == 1


def test_unticking_someone_present_removes_them_but_not_others_added_meanwhile(
    client, official, village_a, family
):
    hoa, tu, _gone = family
    session = a_session(village_a)
    attendance_record(session=session, help=Help(hoa))
    attendance_record(session=session, help=Help(tu))  # added by someone else after the page was opened
    client.force_login(official)
    client.post(
        reverse("training:attendance", args=[session.pk]),
        {"action": "save", "resident": [], "was_present": [hoa.pk]},
    )
    assert list(Attendance.objects.values_list("resident", flat=True)) == [tu.pk]


def test_a_resident_of_another_village_cannot_be_marked_present(
    client, official, village_a, family, resident_b
):
    hoa, _tu, _gone = family
    session = a_session(village_a)
    client.force_login(official)
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"action": "save", "resident": [hoa.pk, resident_b.pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["resident"]
    assert 'role="alert"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_an_unknown_achievement_saves_nothing(client, official, village_a, family):
    hoa, tu, _gone = family
    session = a_session(village_a)
    client.force_login(official)
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"action": "save", "resident": [tu.pk, hoa.pk], f"ach-{hoa.pk}": ["flew_to_the_moon"]},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Attendance.objects.exists()
    # The ticks come back as they were sent.
    ticked = {row["resident"] for row in response.context["village_list"] if row["selected"]}
    assert ticked == {hoa, tu}


@pytest.mark.parametrize(
    "typed",
    [
        "nong thi",
        "NÔNG THỊ",
        unicodedata.normalize("NFD", "Nông Thị"),
        unicodedata.normalize("NFC", "thị hoa"),
    ],
)
def test_attendance_search_ignores_accents_and_unicode_form(
    client, worker_a, village_a, family, resident_b, typed
):
    hoa, _tu, _gone = family
    factories.resident(resident_b.household, full_name="Nông Thị Hằng")  # village B: never offered
    session = a_session(village_a)
    client.force_login(worker_a)
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"action": "search", "q": typed},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert [row["resident"] for row in response.context["found"]] == [hoa]
    assert "training/_attendee_list.html" in [t.name for t in response.templates]
    assert Attendance.objects.count() == 0


def test_search_keeps_the_residents_already_ticked(client, official, village_a, family):
    hoa, tu, _gone = family
    session = a_session(village_a)
    client.force_login(official)
    response = client.post(
        reverse("training:attendance", args=[session.pk]),
        {"action": "search", "q": "hoa", "resident": [tu.pk], f"ach-{tu.pk}": [Achievement.SMARTPHONE]},
        HTTP_HX_REQUEST="true",
    )
    assert [row["resident"] for row in response.context["ticked"]] == [tu]
    assert response.context["ticked"][0]["chosen"] == {Achievement.SMARTPHONE}
    assert [row["resident"] for row in response.context["found"]] == [hoa]


def test_the_attendance_page_carries_what_a_ticked_resident_can_achieve(client, official, village_a, family):
    # Ticking is drawn on the page (static/js/attendance.js) from this template, with no
    # request, so that it works with no network; the browser test ticks and finds the boxes.
    session = a_session(village_a)
    client.force_login(official)
    response = client.get(reverse("training:attendance", args=[session.pk]))
    page = response.content.decode()
    template = page[page.index('<template id="achievement-choices">') : page.index("</template>")]
    assert [value for value, _label in Achievement.choices] == [
        value for value, _label in Achievement.choices if f'value="{value}"' in template
    ]
    assert f'data-name="{family[0].full_name}"' in page


def test_leader_cannot_take_attendance(client, leader, village_a, family):
    session = a_session(village_a)
    client.force_login(leader)
    assert client.get(reverse("training:attendance", args=[session.pk])).status_code == 403
    response = client.post(
        reverse("training:attendance", args=[session.pk]), {"action": "save", "resident": [family[0].pk]}
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_attendance_page_query_count_does_not_grow_with_the_village(client, official, village_a):
    session = a_session(village_a)
    client.force_login(official)

    def add_households(count):
        for _ in range(count):
            household = factories.household(village_a)
            for _ in range(2):
                attendance_record(session=session, help=Help(factories.resident(household), ["smartphone"]))

    add_households(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("training:attendance", args=[session.pk]))
    add_households(10)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("training:attendance", args=[session.pk]))
    # A page holds ATTENDANCE_PAGE_HOUSEHOLDS households (10): the other two are on page 2.
    assert len(response.context["village_list"]) == 20
    assert len(many) == len(few)
    rest = client.get(reverse("training:attendance", args=[session.pk]), {"page": 2})
    assert len(rest.context["village_list"]) == 4


# --- Topics


def test_official_adds_a_topic(client, official, commune):
    client.force_login(official)
    response = client.post(
        reverse("training:topics"),
        {"commune": commune.pk, "name": "  Thanh toán   trực tuyến ", "skill": Topic.Skill.ONLINE_PAYMENT},
    )
    assert response.status_code == 302
    assert Topic.objects.get().name == "Thanh toán trực tuyến"


def test_a_topic_name_is_used_once_per_commune(client, official, commune, topic):
    client.force_login(official)
    response = client.post(
        reverse("training:topics"), {"commune": commune.pk, "name": topic.name, "skill": topic.skill}
    )
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert Topic.objects.count() == 1


def test_workers_read_topics_and_leaders_cannot_add_them(client, worker_a, leader, commune, topic):
    client.force_login(worker_a)
    response = client.get(reverse("training:topics"))
    assert response.status_code == 200 and response.context["form"] is None
    assert list(response.context["page"].object_list) == [topic]
    client.force_login(leader)
    response = client.post(
        reverse("training:topics"), {"commune": commune.pk, "name": "X", "skill": "online_payment"}
    )
    assert response.status_code == 403
    assert Topic.objects.count() == 1


def test_topics_of_another_commune_are_not_listed_nor_usable(client, outsider, commune, topic, other_commune):
    client.force_login(outsider)
    response = client.get(reverse("training:topics"))
    assert list(response.context["page"].object_list) == []
    response = client.post(
        reverse("training:topics"),
        {"commune": commune.pk, "name": "Lừa đảo qua mạng", "skill": "staying_safe"},
    )
    assert response.status_code == 200 and response.context["form"].errors["commune"]
    assert Topic.objects.count() == 1
