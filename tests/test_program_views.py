"""The program pages: communication activities, worker groups, workers and communicators."""

import datetime
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mobilization.models import CommunicationActivity, Communicator, Membership, Worker, WorkerGroup
from mobilization.services import Help, communication_record
from softbridge.calendar import commune_today
from tests import factories
from training.services import attendance_record

TODAY = commune_today()
D = datetime.date


def an_activity(*villages, held_on=TODAY, **fields):
    fields.setdefault("channel", CommunicationActivity.Channel.LOUDSPEAKER)
    fields.setdefault("topic", "Cài đặt VNeID")
    return communication_record(
        commune_id=villages[0].commune_id, held_on=held_on, villages=villages, **fields
    )


def activity_post(*villages, **changes):
    data = {
        "submission_key": str(uuid.uuid4()),
        "channel": CommunicationActivity.Channel.LOUDSPEAKER,
        "held_on": TODAY.isoformat(),
        "villages": [v.pk for v in villages],
        "topic": "Đăng ký tài khoản định danh điện tử",
        "reach": "120",
        "group": "",
    }
    data.update(changes)
    return data


# --- Communication activities: the list


def test_official_lists_the_communes_activities_with_totals(client, official, village_a, village_b):
    an_activity(village_a, reach=100)
    an_activity(village_a, village_b, reach=50, channel=CommunicationActivity.Channel.VILLAGE_MEETING)
    client.force_login(official)
    response = client.get(reverse("program:communications"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 2
    assert response.context["totals"] == {"count": 2, "reach": 150}


def test_activities_filter_by_village_and_month(client, official, village_a, village_b):
    march = an_activity(village_a, held_on=D(2025, 3, 2))
    an_activity(village_a, held_on=D(2025, 4, 2))
    an_activity(village_b, held_on=D(2025, 3, 5))
    client.force_login(official)
    response = client.get(reverse("program:communications"), {"village": village_a.pk, "month": "2025-03"})
    assert [a.pk for a in response.context["page"].object_list] == [march.pk]


def test_village_head_lists_activities_touching_their_village(client, head_a, village_a, village_b):
    both = an_activity(village_a, village_b)
    an_activity(village_b)
    client.force_login(head_a)
    response = client.get(reverse("program:communications"))
    assert [a.pk for a in response.context["page"].object_list] == [both.pk]
    # They may not change an activity that also speaks for village B.
    assert response.context["editable"] == set()


def test_outsider_lists_none_of_the_communes_activities(client, outsider, village_a):
    an_activity(village_a)
    client.force_login(outsider)
    assert list(client.get(reverse("program:communications")).context["page"].object_list) == []


def test_activity_list_query_count_does_not_grow_with_rows(client, head_a, village_a, commune):
    group = factories.worker_group(commune)
    client.force_login(head_a)

    def add(count):
        for _ in range(count):
            an_activity(village_a, factories.village(commune), group=group)

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("program:communications"))
    add(20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("program:communications"))
    assert len(response.context["page"].object_list) == 23
    assert len(many) == len(few)


# --- Logging an activity


def test_official_logs_an_activity_in_two_villages(client, official, village_a, village_b, commune):
    group = factories.worker_group(commune)
    client.force_login(official)
    form = client.get(reverse("program:communication_new")).context["form"]
    assert form["held_on"].value() == TODAY
    response = client.post(
        reverse("program:communication_new"), activity_post(village_a, village_b, group=group.pk)
    )
    assert response.status_code == 302
    activity = CommunicationActivity.objects.get()
    assert set(activity.villages.all()) == {village_a, village_b}
    assert (activity.commune, activity.reach, activity.group, activity.recorded_by) == (
        commune,
        120,
        group,
        official,
    )


def test_village_head_logs_an_activity_in_their_village(client, head_a, village_a):
    client.force_login(head_a)
    form = client.get(reverse("program:communication_new")).context["form"]
    assert list(form.fields["villages"].queryset) == [village_a]
    assert client.post(reverse("program:communication_new"), activity_post(village_a)).status_code == 302
    assert CommunicationActivity.objects.get().villages.get() == village_a


def test_a_double_submit_logs_the_activity_once(client, worker_a, village_a):
    client.force_login(worker_a)
    data = activity_post(village_a)
    client.post(reverse("program:communication_new"), data)
    client.post(reverse("program:communication_new"), data)
    assert CommunicationActivity.objects.count() == 1


def test_village_head_cannot_log_for_another_village(client, head_a, village_a, village_b):
    client.force_login(head_a)
    response = client.post(reverse("program:communication_new"), activity_post(village_a, village_b))
    assert response.status_code == 404
    assert not CommunicationActivity.objects.exists()


def test_leader_cannot_log_activities(client, leader, village_a):
    client.force_login(leader)
    assert client.get(reverse("program:communication_new")).status_code == 403
    assert client.post(reverse("program:communication_new"), activity_post(village_a)).status_code == 403
    assert not CommunicationActivity.objects.exists()


def test_outsider_cannot_log_for_this_commune(client, outsider, other_commune, village_a):
    factories.village(other_commune)  # the outsider logs activities at home, not here
    client.force_login(outsider)
    assert client.post(reverse("program:communication_new"), activity_post(village_a)).status_code == 404
    assert not CommunicationActivity.objects.exists()


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"villages": []}, "villages"),
        ({"reach": "-5"}, "reach"),
        ({"reach": "many"}, "reach"),
        ({"held_on": (TODAY + datetime.timedelta(days=1)).isoformat()}, "held_on"),
        ({"channel": "pigeon"}, "channel"),
        ({"topic": "   "}, "topic"),
    ],
)
def test_bad_activity_input_comes_back_with_the_message(client, official, village_a, changes, field):
    client.force_login(official)
    response = client.post(
        reverse("program:communication_new"), activity_post(village_a, **{"topic": "Họp thôn", **changes})
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not CommunicationActivity.objects.exists()


def test_a_group_of_another_commune_is_refused(client, official, village_a, other_commune):
    stranger = factories.worker_group(other_commune)
    client.force_login(official)
    response = client.post(reverse("program:communication_new"), activity_post(village_a, group=stranger.pk))
    assert response.status_code == 200 and response.context["form"].errors["group"]
    assert not CommunicationActivity.objects.exists()


# --- Editing and deleting an activity


def test_worker_edits_their_villages_activity(client, worker_a, village_a):
    activity = an_activity(village_a)
    client.force_login(worker_a)
    assert client.get(reverse("program:communication_edit", args=[activity.pk])).status_code == 200
    response = client.post(
        reverse("program:communication_edit", args=[activity.pk]),
        activity_post(village_a, topic="Thanh toán không dùng tiền mặt", reach="80"),
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.topic, activity.reach) == ("Thanh toán không dùng tiền mặt", 80)


def test_bad_edit_keeps_the_activity_as_it_was(client, official, village_a):
    activity = an_activity(village_a, reach=10)
    client.force_login(official)
    response = client.post(
        reverse("program:communication_edit", args=[activity.pk]), activity_post(village_a, reach="-1")
    )
    assert response.status_code == 200 and response.context["form"].errors["reach"]
    activity.refresh_from_db()
    assert activity.reach == 10


def test_village_head_cannot_change_an_activity_that_also_covers_another_village(
    client, head_a, village_a, village_b
):
    activity = an_activity(village_a, village_b)
    client.force_login(head_a)
    assert client.get(reverse("program:communication_edit", args=[activity.pk])).status_code == 403
    assert client.post(reverse("program:communication_delete", args=[activity.pk])).status_code == 403
    assert CommunicationActivity.objects.filter(pk=activity.pk).exists()


def test_leader_and_outsider_cannot_change_an_activity(client, leader, outsider, village_a):
    activity = an_activity(village_a)
    client.force_login(leader)
    assert (
        client.post(
            reverse("program:communication_edit", args=[activity.pk]), activity_post(village_a)
        ).status_code
        == 403
    )
    assert client.post(reverse("program:communication_delete", args=[activity.pk])).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("program:communication_edit", args=[activity.pk])).status_code == 404
    assert client.post(reverse("program:communication_delete", args=[activity.pk])).status_code == 404
    assert CommunicationActivity.objects.filter(pk=activity.pk).exists()


def test_deleting_an_activity_asks_first(client, official, village_a):
    activity = an_activity(village_a)
    client.force_login(official)
    assert client.get(reverse("program:communication_delete", args=[activity.pk])).status_code == 200
    assert CommunicationActivity.objects.filter(pk=activity.pk).exists()
    response = client.post(reverse("program:communication_delete", args=[activity.pk]))
    assert response.status_code == 302
    assert not CommunicationActivity.objects.exists()


# --- Worker groups


@pytest.fixture
def youth(commune):
    return factories.worker_group(commune, kind=WorkerGroup.Kind.YOUTH_UNION, name="Đoàn Thanh niên xã")


def test_groups_list_shows_current_members_count(client, leader, youth, commune):
    for left_on in (None, None, D(2025, 1, 1)):
        Membership.objects.create(worker=factories.worker(commune), group=youth, left_on=left_on)
    client.force_login(leader)
    response = client.get(reverse("program:groups"))
    assert response.status_code == 200
    assert [(g.pk, g.member_count) for g in response.context["page"].object_list] == [(youth.pk, 2)]
    assert not response.context["may_create"]


def test_groups_list_query_count_does_not_grow_with_rows(client, official, commune, village_a):
    client.force_login(official)

    def add(count):
        for _ in range(count):
            group = factories.worker_group(commune, village=village_a)
            Membership.objects.create(worker=factories.worker(commune), group=group)

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("program:groups"))
    add(15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("program:groups"))
    assert len(response.context["page"].object_list) == 18
    assert len(many) == len(few)


def test_group_page_counts_its_work_per_month(
    client, official, youth, commune, household_a, resident_a, village_a
):
    this_month = TODAY.replace(day=1)
    member = factories.worker(commune)
    Membership.objects.create(worker=member, group=youth)
    former = factories.worker(commune)
    Membership.objects.create(worker=former, group=youth, left_on=this_month - datetime.timedelta(days=40))
    factories.visit(
        household_a,
        visited_on=this_month,
        workers=[member],
        helped=[Help(resident_a, ["smartphone"])],
    )
    factories.visit(household_a, visited_on=this_month, workers=[member, former])
    factories.visit(household_a, visited_on=this_month, workers=[former])  # after they left: not counted
    facilitated = factories.session(commune, village=village_a, held_on=this_month, facilitators=[member])
    attendance_record(session=facilitated, help=Help(resident_a))
    factories.session(commune, village=village_a, held_on=this_month, group=youth)
    # 30 residents in the village, so that a reach of 90 is not refused as a typing mistake, and
    # 90 in the commune, so that it counts (a reach over the commune's population never does).
    neighbours = factories.household(village_a)
    for i in range(29):
        factories.resident(neighbours, full_name=f"Hàng Xóm {i}")
    elsewhere = factories.household(factories.village(commune))
    for i in range(60):
        factories.resident(elsewhere, full_name=f"Người Xã {i}")
    an_activity(village_a, held_on=this_month, group=youth, reach=90)
    client.force_login(official)
    response = client.get(reverse("program:group", args=[youth.pk]))
    assert response.status_code == 200
    row = response.context["activity"][0]
    assert row["month"] == this_month
    assert (row["visits"], row["households"], row["residents"]) == (2, 1, 1)
    assert (row["sessions"], row["attendance"]) == (2, 1)
    assert (row["communications"], row["reach"]) == (1, 90)
    assert [m.worker for m in response.context["members"]] == [member, former]


def test_group_activity_counts_only_what_a_village_head_can_see(
    client, head_a, youth, commune, household_a, household_b
):
    member = factories.worker(commune)
    Membership.objects.create(worker=member, group=youth)
    factories.visit(household_a, workers=[member])
    factories.visit(household_b, workers=[member])
    client.force_login(head_a)
    response = client.get(reverse("program:group", args=[youth.pk]))
    assert response.context["activity"][0]["visits"] == 1
    assert response.context["partial_scope"]


def test_official_creates_and_edits_a_group(client, official, commune, village_a):
    client.force_login(official)
    response = client.post(
        reverse("program:group_new"),
        {
            "commune": commune.pk,
            "kind": WorkerGroup.Kind.DIGITAL_TECH_TEAM,
            "name": "Tổ CNSCĐ Nà Khau",
            "village": village_a.pk,
        },
    )
    group = WorkerGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("program:group", args=[group.pk])
    response = client.post(
        reverse("program:group_edit", args=[group.pk]),
        {
            "kind": WorkerGroup.Kind.DIGITAL_TECH_TEAM,
            "name": "Tổ công nghệ số Nà Khau",
            "village": village_a.pk,
        },
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Tổ công nghệ số Nà Khau"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": WorkerGroup.Kind.DIGITAL_TECH_TEAM, "village": ""}, "village"),
        ({"name": "Đoàn Thanh niên xã"}, "name"),
        ({"name": ""}, "name"),
        ({"kind": "book_club"}, "kind"),
    ],
)
def test_bad_group_input_comes_back_with_the_message(client, official, commune, youth, changes, field):
    client.force_login(official)
    data = {"commune": commune.pk, "kind": WorkerGroup.Kind.WOMENS_UNION, "name": "Hội Phụ nữ", "village": ""}
    response = client.post(reverse("program:group_new"), {**data, **changes})
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert WorkerGroup.objects.count() == 1


def test_a_village_has_one_digital_technology_team(client, official, commune, village_a):
    factories.worker_group(commune, kind=WorkerGroup.Kind.DIGITAL_TECH_TEAM, village=village_a)
    client.force_login(official)
    response = client.post(
        reverse("program:group_new"),
        {
            "commune": commune.pk,
            "kind": WorkerGroup.Kind.DIGITAL_TECH_TEAM,
            "name": "Tổ 2",
            "village": village_a.pk,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["village"]
    assert WorkerGroup.objects.count() == 1


def test_only_officials_create_or_edit_groups(client, head_a, leader, commune, youth):
    data = {"commune": commune.pk, "kind": WorkerGroup.Kind.WOMENS_UNION, "name": "Hội Phụ nữ"}
    for user in (head_a, leader):
        client.force_login(user)
        assert client.post(reverse("program:group_new"), data).status_code == 403
        assert client.post(reverse("program:group_edit", args=[youth.pk]), data).status_code == 403
    youth.refresh_from_db()
    assert youth.name == "Đoàn Thanh niên xã" and WorkerGroup.objects.count() == 1


# --- Workers


def test_workers_list_shows_groups_and_work_counts(client, official, youth, commune, household_a):
    worker = factories.worker(commune, full_name="Hà Thị Thu")
    Membership.objects.create(worker=worker, group=youth)
    factories.visit(household_a, workers=[worker])
    client.force_login(official)
    response = client.get(reverse("program:workers"))
    row = next(w for w in response.context["page"].object_list if w.pk == worker.pk)
    assert (row.visit_count, row.session_count) == (1, 0)
    assert [m.group for m in row.current_memberships] == [youth]


def test_workers_list_query_count_does_not_grow_with_rows(client, official, commune, youth, household_a):
    client.force_login(official)

    def add(count):
        for _ in range(count):
            worker = factories.worker(commune)
            Membership.objects.create(worker=worker, group=youth)
            factories.visit(household_a, workers=[worker])

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("program:workers"))
    add(15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("program:workers"))
    assert len(response.context["page"].object_list) == 18
    assert len(many) == len(few)


def test_worker_page_shows_memberships_visits_and_sessions(
    client, head_a, commune, youth, household_a, household_b, village_a
):
    worker = factories.worker(commune)
    Membership.objects.create(worker=worker, group=youth, position="Phó bí thư")
    mine = factories.visit(household_a, workers=[worker])
    factories.visit(household_b, workers=[worker])  # village B: not for head_a
    session = factories.session(commune, village=village_a, held_on=TODAY, facilitators=[worker])
    client.force_login(head_a)
    response = client.get(reverse("program:worker", args=[worker.pk]))
    assert response.status_code == 200
    assert [v.pk for v in response.context["visits"]] == [mine.pk] and response.context["visit_count"] == 1
    assert [s.pk for s in response.context["sessions"]] == [session.pk]
    assert "Phó bí thư" in response.content.decode()


def membership_data(rows, initial=0):
    data = {
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"memberships-{i}-{key}"] = value
    return data


def test_official_adds_a_worker_with_a_membership(client, official, commune, youth):
    client.force_login(official)
    response = client.post(
        reverse("program:worker_new"),
        {
            "commune": commune.pk,
            "full_name": " Lương  Thị Mai ",
            "title": "Bí thư chi đoàn",
            "phone": "0912345678",
            **membership_data([{"group": youth.pk, "position": "Đoàn viên", "joined_on": "2024-06-01"}]),
        },
    )
    worker = Worker.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("program:worker", args=[worker.pk])
    assert worker.full_name == "Lương Thị Mai"
    assert worker.memberships.get().group == youth


def test_official_edits_a_worker_and_ends_a_membership(client, official, commune, youth):
    worker = factories.worker(commune, full_name="Lương Thị Mai")
    membership = Membership.objects.create(worker=worker, group=youth)
    client.force_login(official)
    response = client.post(
        reverse("program:worker_edit", args=[worker.pk]),
        {
            "full_name": "Lương Thị Mai",
            "title": "",
            "phone": "",
            **membership_data(
                [{"id": membership.pk, "group": youth.pk, "left_on": TODAY.isoformat()}, {"group": ""}],
                initial=1,
            ),
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == TODAY


@pytest.mark.parametrize(
    "rows, field",
    [
        ([{"group": "GROUP", "joined_on": "2025-05-01", "left_on": "2025-04-01"}], "left_on"),
        ([{"group": "GROUP"}, {"group": "GROUP"}], None),
        ([{"group": "OTHER"}], "group"),
    ],
)
def test_bad_memberships_save_nothing(client, official, commune, other_commune, youth, rows, field):
    other = factories.worker_group(other_commune)
    ids = {"GROUP": youth.pk, "OTHER": other.pk}
    rows = [{k: ids.get(v, v) for k, v in row.items()} for row in rows]
    client.force_login(official)
    response = client.post(
        reverse("program:worker_new"),
        {"commune": commune.pk, "full_name": "Lương Thị Mai", **membership_data(rows)},
    )
    assert response.status_code == 200
    formset = response.context["formset"]
    if field:
        assert formset.forms[0].errors[field]
    else:
        assert formset.non_form_errors()
    assert not Worker.objects.exists() and not Membership.objects.exists()


def test_a_worker_needs_a_name(client, official, commune):
    client.force_login(official)
    response = client.post(
        reverse("program:worker_new"), {"commune": commune.pk, "full_name": "", **membership_data([])}
    )
    assert response.status_code == 200 and response.context["form"].errors["full_name"]
    assert not Worker.objects.exists()


def test_only_officials_add_or_edit_workers(client, worker_a, leader, commune):
    me = worker_a.workers.get()
    for user in (worker_a, leader):
        client.force_login(user)
        assert client.get(reverse("program:worker_new")).status_code == 403
        data = {"full_name": "Someone else", **membership_data([])}
        assert client.post(reverse("program:worker_edit", args=[me.pk]), data).status_code == 403
    me.refresh_from_db()
    assert me.full_name == "Hoàng Văn Đức"


# --- Communicators


def test_communicators_list_says_why_each_was_chosen(client, worker_a, commune, village_a, village_b):
    chosen = factories.worker(commune, full_name="Nông Văn Sơn")
    Communicator.objects.create(
        commune=commune, worker=chosen, village=village_b, reason=Communicator.Reason.PARTY_CELL_SECRETARY
    )
    client.force_login(worker_a)
    response = client.get(reverse("program:communicators"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nông Văn Sơn" in page and str(Communicator.Reason.PARTY_CELL_SECRETARY.label) in page
    assert reverse("program:communicator_new") not in page


def test_communicators_filter_by_village(client, official, commune, village_a, village_b):
    here = Communicator.objects.create(
        commune=commune, worker=factories.worker(commune), village=village_a, reason="teacher"
    )
    Communicator.objects.create(
        commune=commune, worker=factories.worker(commune), village=village_b, reason="teacher"
    )
    client.force_login(official)
    response = client.get(reverse("program:communicators"), {"village": village_a.pk})
    assert [c.pk for c in response.context["page"].object_list] == [here.pk]


def test_communicators_list_query_count_does_not_grow_with_rows(client, official, commune, village_a):
    client.force_login(official)

    def add(count):
        for _ in range(count):
            Communicator.objects.create(
                commune=commune, worker=factories.worker(commune), village=village_a, reason="teacher"
            )

    add(3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("program:communicators"))
    add(15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("program:communicators"))
    assert len(response.context["page"].object_list) == 18
    assert len(many) == len(few)


def test_outsider_sees_no_communicators_of_this_commune(client, outsider, commune, village_a):
    communicator = Communicator.objects.create(
        commune=commune, worker=factories.worker(commune), village=village_a, reason="teacher"
    )
    client.force_login(outsider)
    assert list(client.get(reverse("program:communicators")).context["page"].object_list) == []
    assert client.get(reverse("program:communicator_edit", args=[communicator.pk])).status_code == 404


def test_official_records_and_edits_a_communicator(client, official, commune, village_a):
    worker = factories.worker(commune)
    client.force_login(official)
    response = client.post(
        reverse("program:communicator_new"),
        {
            "commune": commune.pk,
            "worker": worker.pk,
            "village": village_a.pk,
            "reason": "village_head",
            "chosen_on": "2024-07-01",
        },
    )
    assert response.status_code == 302
    communicator = Communicator.objects.get()
    response = client.post(
        reverse("program:communicator_edit", args=[communicator.pk]),
        {"worker": worker.pk, "village": village_a.pk, "reason": "respected_elder", "note": "Già làng"},
    )
    assert response.status_code == 302
    communicator.refresh_from_db()
    assert (communicator.reason, communicator.note) == ("respected_elder", "Già làng")


@pytest.mark.parametrize("problem", ["duplicate", "no_reason", "other_commune_worker", "future"])
def test_bad_communicator_input_comes_back_with_the_message(
    client, official, commune, other_commune, village_a, problem
):
    worker = factories.worker(commune)
    Communicator.objects.create(commune=commune, worker=worker, village=village_a, reason="teacher")
    data = {"commune": commune.pk, "worker": worker.pk, "village": village_a.pk, "reason": "teacher"}
    field = "village"
    if problem == "no_reason":
        data.update(reason="", worker=factories.worker(commune).pk)
        field = "reason"
    elif problem == "other_commune_worker":
        data.update(worker=factories.worker(other_commune).pk)
        field = "worker"
    elif problem == "future":
        data.update(
            worker=factories.worker(commune).pk, chosen_on=(TODAY + datetime.timedelta(days=3)).isoformat()
        )
        field = "chosen_on"
    client.force_login(official)
    response = client.post(reverse("program:communicator_new"), data)
    assert response.status_code == 200 and response.context["form"].errors[field]
    assert Communicator.objects.count() == 1


def test_only_officials_record_communicators(client, head_a, leader, commune, village_a):
    worker = factories.worker(commune)
    data = {"commune": commune.pk, "worker": worker.pk, "village": village_a.pk, "reason": "teacher"}
    for user in (head_a, leader):
        client.force_login(user)
        assert client.post(reverse("program:communicator_new"), data).status_code == 403
    assert not Communicator.objects.exists()
