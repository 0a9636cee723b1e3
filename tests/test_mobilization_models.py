"""Mobilization models ("dân vận khéo"): registering one with its plan, tagging visits,
sessions and communication activities with it, its results month by month against its
goals, and the year-end review."""

import datetime
import io
import uuid
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from mobilization.models import (
    CommunicationActivity,
    HomeVisit,
    MobilizationModel,
    ModelGoal,
    TaggedOutreachRecord,
)
from mobilization.services import Help, communication_record, mobilization_model_save
from reports.selectors.models import goal_progress, model_results
from softbridge.calendar import commune_today
from tests import factories
from training.models import Attendance, TrainingSession
from villages.models import Resident

JAN, FEB, MAR = datetime.date(2025, 1, 1), datetime.date(2025, 2, 1), datetime.date(2025, 3, 1)


def a_model(commune, *villages, started_on=JAN, ended_on=None, name=None, owner=None, goals=()):
    model = MobilizationModel(
        commune=commune,
        name=name or f"Model {uuid.uuid4().hex[:6]}",
        field=MobilizationModel.Field.ONLINE_PUBLIC_SERVICES,
        owner=owner or factories.worker_group(commune),
        started_on=started_on,
        ended_on=ended_on,
    )
    return mobilization_model_save(
        model=model,
        villages=villages,
        goals=[ModelGoal(kind=kind, value=Decimal(value), due_on=due) for kind, value, due in goals],
    )


def reach_level34(resident, on):
    Resident.objects.filter(pk=resident.pk).update(online_on=on, level34_on=on)


@pytest.fixture
def visitor(commune):
    return factories.worker(commune, full_name="Hoàng Văn Đức")


@pytest.fixture
def model_a(commune, village_a):
    return a_model(commune, village_a, name="Tổ công nghệ số Nà Khau")


# --- Tagging through the services


def test_visit_is_tagged_with_a_model_running_in_its_village(model_a, household_a, visitor):
    visit = factories.visit(household_a, visited_on=FEB, workers=[visitor], model=model_a)
    assert HomeVisit.objects.get(pk=visit.pk).model == model_a


@pytest.mark.parametrize(
    "case, message",
    [
        ("other_village", "does not run in this village"),
        ("before_start", "not running on this date"),
        ("after_end", "not running on this date"),
        ("other_commune", "belongs to another commune"),
    ],
)
def test_visit_refuses_a_model_not_active_there(
    case, message, commune, other_commune, village_a, village_b, household_a, visitor
):
    model = {
        "other_village": lambda: a_model(commune, village_b),
        "before_start": lambda: a_model(commune, village_a, started_on=MAR),
        "after_end": lambda: a_model(commune, village_a, ended_on=JAN + datetime.timedelta(days=10)),
        "other_commune": lambda: a_model(other_commune, factories.village(other_commune)),
    }[case]()
    with pytest.raises(ValidationError) as refused:
        factories.visit(household_a, visited_on=FEB, workers=[visitor], model=model)
    assert message in refused.value.message_dict["model"][0]
    assert not HomeVisit.objects.exists()


def test_session_and_communication_take_the_model(commune, model_a, village_a, village_b):
    session = factories.session(commune, held_on=FEB, village=village_a, model=model_a)
    activity = communication_record(
        commune_id=commune.pk,
        channel=CommunicationActivity.Channel.LOUDSPEAKER,
        held_on=FEB,
        villages=[village_a, village_b],
        topic="VNeID",
        model=model_a,
    )
    assert session.model == model_a and activity.model == model_a
    with pytest.raises(ValidationError) as refused:
        factories.session(commune, held_on=FEB, village=village_b, model=model_a)
    assert "model" in refused.value.message_dict
    with pytest.raises(ValidationError):
        communication_record(
            commune_id=commune.pk,
            channel=CommunicationActivity.Channel.LEAFLET,
            held_on=FEB,
            villages=[village_b],
            topic="VNeID",
            model=model_a,
        )
    assert TrainingSession.objects.count() == 1 and CommunicationActivity.objects.count() == 1


def test_model_villages_and_owner_belong_to_its_commune(commune, other_commune, village_a):
    foreign = factories.village(other_commune)
    with pytest.raises(ValidationError) as refused:
        a_model(commune, village_a, foreign)
    assert "villages" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        a_model(commune, village_a, owner=factories.worker_group(other_commune))
    assert "owner" in refused.value.message_dict
    assert not MobilizationModel.objects.exists()


def test_a_change_may_not_leave_tagged_work_outside_the_model(model_a, household_a, visitor, village_b):
    factories.visit(household_a, visited_on=FEB, workers=[visitor], model=model_a)
    model_a.started_on = MAR
    with pytest.raises(ValidationError) as refused:
        mobilization_model_save(model=model_a, villages=[village_b])
    assert set(refused.value.message_dict) == {"started_on", "villages"}
    model_a.refresh_from_db()
    assert model_a.started_on == JAN and list(model_a.villages.all()) != [village_b]


def _tag_session(commune, village, model):
    factories.session(commune, held_on=FEB, village=village, model=model)


def _tag_announcement(commune, village, model):
    communication_record(
        commune_id=commune.pk,
        channel=CommunicationActivity.Channel.LOUDSPEAKER,
        held_on=FEB,
        villages=[village],
        topic="VNeID",
        reach=10,
        model=model,
    )


@pytest.mark.parametrize("tag", [_tag_session, _tag_announcement], ids=["session", "announcement"])
def test_a_change_may_not_leave_a_tagged_session_or_activity_outside_the_model(
    tag, commune, model_a, village_a, village_b
):
    tag(commune, village_a, model_a)
    model_a.started_on = MAR
    with pytest.raises(ValidationError) as refused:
        mobilization_model_save(model=model_a, villages=[village_b])
    assert set(refused.value.message_dict) == {"started_on", "villages"}
    model_a.refresh_from_db()
    assert model_a.started_on == JAN


@pytest.mark.parametrize("tag", [_tag_session, _tag_announcement], ids=["session", "announcement"])
def test_a_change_that_keeps_tagged_work_inside_the_model_is_saved(
    tag, commune, model_a, village_a, village_b
):
    tag(commune, village_a, model_a)
    mobilization_model_save(model=model_a, villages=[village_a, village_b])
    assert set(model_a.villages.all()) == {village_a, village_b}


def test_every_kind_of_tagged_record_is_known_to_the_program():
    assert set(TaggedOutreachRecord.kinds()) == {HomeVisit, CommunicationActivity, TrainingSession}


# --- Results month by month


@pytest.fixture
def worked(commune, model_a, household_a, resident_a, visitor, village_a):
    """January: a tagged visit helping resident_a, who reaches level 3/4 ten days later, an
    untagged visit, a tagged announcement (reach 50). February: a tagged session attended
    by a neighbour who reaches level 3/4 45 days later, and one already at level 3/4."""
    neighbour = factories.resident(factories.household(village_a), birth_year=1990)
    ahead = factories.resident(factories.household(village_a), birth_year=1990)
    reach_level34(ahead, datetime.date(2024, 12, 1))
    # The announcement reaches more than 3 times the village's 3 residents: people of the
    # neighbouring villages heard it too, and the commune allows up to 20 times. The commune
    # has more people than it reached (a reach over its population never counts).
    commune.reach_factor = 20
    commune.save(update_fields=["reach_factor"])
    elsewhere = factories.household(factories.village(commune))
    for n in range(50):
        factories.resident(elsewhere, full_name=f"Người {n}")
    factories.visit(
        household_a,
        visited_on=datetime.date(2025, 1, 10),
        workers=[visitor],
        helped=[Help(resident=resident_a)],
        model=model_a,
    )
    factories.visit(household_a, visited_on=datetime.date(2025, 1, 12), workers=[visitor])
    reach_level34(resident_a, datetime.date(2025, 1, 20))
    communication_record(
        commune_id=commune.pk,
        channel=CommunicationActivity.Channel.LOUDSPEAKER,
        held_on=datetime.date(2025, 1, 15),
        villages=[village_a],
        topic="VNeID",
        reach=50,
        model=model_a,
    )
    session = factories.session(commune, held_on=datetime.date(2025, 2, 3), village=village_a, model=model_a)
    Attendance.objects.create(session=session, resident=neighbour)
    Attendance.objects.create(session=session, resident=ahead)
    reach_level34(neighbour, datetime.date(2025, 3, 20))
    return neighbour, ahead


def test_results_count_only_tagged_work_month_by_month(model_a, worked):
    results = model_results(model=model_a, start=JAN, end=MAR)
    jan, feb, mar = results.months
    assert (jan.activity.visits, jan.activity.households, jan.activity.residents_helped) == (1, 1, 1)
    assert (jan.activity.communications, jan.activity.reach) == (1, 50)
    assert (jan.reached_residents, jan.reached_level34, jan.already) == (1, 1, 0)
    assert (feb.activity.sessions, feb.activity.attendance) == (1, 2)
    assert (feb.reached_residents, feb.reached_level34, feb.already) == (2, 0, 1)
    assert (mar.activity.visits, mar.reached_residents) == (0, 0)
    total = results.total
    assert (total.activity.visits, total.activity.sessions, total.activity.attendance) == (1, 1, 2)
    assert (total.reached_residents, total.reached_level34, total.already) == (3, 1, 1)


def test_level34_share_of_the_model_villages_each_month(model_a, worked):
    # Village A: resident_a (1985), the neighbour and the one ahead (1990); level 3/4 by the
    # end of Jan: ahead and resident_a; by the end of March: all three.
    jan, feb, mar = model_results(model=model_a, start=JAN, end=MAR).months
    assert (jan.level34_share, feb.level34_share, mar.level34_share) == (0.6667, 0.6667, 1.0)


def test_results_query_count_does_not_grow_with_months(model_a, worked):
    with CaptureQueriesContext(connection) as few:
        model_results(model=model_a, start=JAN, end=MAR)
    with CaptureQueriesContext(connection) as many:
        model_results(model=model_a, start=JAN, end=datetime.date(2026, 12, 1))
    assert len(many) == len(few)


def test_goals_show_actual_planned_and_status(commune, village_a, household_a, visitor, resident_a):
    model = a_model(
        commune,
        village_a,
        goals=[
            ("households_visited", "10", datetime.date(2025, 12, 31)),
            ("households_visited", "2", datetime.date(2025, 1, 31)),
            ("sessions_held", "20", datetime.date(2025, 12, 31)),
            ("level34_share", "60", datetime.date(2025, 12, 31)),
        ],
    )
    factories.visit(household_a, visited_on=datetime.date(2025, 1, 10), workers=[visitor], model=model)
    reach_level34(resident_a, datetime.date(2025, 1, 20))
    progress = {
        (p.goal.kind, p.goal.value): p for p in goal_progress(model=model, today=datetime.date(2025, 2, 1))
    }
    year_households = progress[("households_visited", Decimal("10"))]
    # 31 of 364 days gone: 10 * 31 / 364 = 0.85 planned, 1 household visited.
    assert (year_households.actual, year_households.expected, year_households.status) == (
        Decimal("1.0"),
        Decimal("0.9"),
        "on_track",
    )
    january = progress[("households_visited", Decimal("2"))]
    assert (january.actual, january.status) == (Decimal("1.0"), "missed")
    assert progress[("sessions_held", Decimal("20"))].status == "behind"
    share_goal = progress[("level34_share", Decimal("60"))]
    assert (share_goal.actual, share_goal.status) == (Decimal("100.0"), "on_track")


# --- Pages: the list


def test_list_shows_models_by_role(
    client, commune, other_commune, village_a, village_b, head_a, official, leader
):
    in_a = a_model(commune, village_a, name="Model A")
    in_b = a_model(commune, village_b, name="Model B")
    a_model(other_commune, factories.village(other_commune), name="Elsewhere")
    for user, expected in ((official, {in_a, in_b}), (leader, {in_a, in_b}), (head_a, {in_a})):
        client.force_login(user)
        response = client.get(reverse("program:models"))
        assert set(response.context["page"].object_list) == expected
    assert b"Model A" in response.content and b"Elsewhere" not in response.content


def test_list_query_count_does_not_grow_with_rows(client, official, commune, village_a, village_b):
    client.force_login(official)

    def add(count):
        for _ in range(count):
            a_model(commune, village_a, village_b)

    add(2)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("program:models"))
    add(15)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("program:models"))
    assert len(response.context["page"].object_list) == 17
    assert len(many) == len(few)


# --- Pages: registering and changing a model


def model_post(commune, owner, *villages, **fields):
    data = {
        "commune": commune.pk,
        "name": "Dân vận khéo: hướng dẫn dịch vụ công",
        "field": "online_public_services",
        "owner": owner.pk,
        "started_on": "2025-01-01",
        "ended_on": "",
        "villages": [v.pk for v in villages],
        "description": "",
        "goals-TOTAL_FORMS": "2",
        "goals-INITIAL_FORMS": "0",
        "goals-MIN_NUM_FORMS": "0",
        "goals-MAX_NUM_FORMS": "1000",
        "goals-0-kind": "households_visited",
        "goals-0-value": "300",
        "goals-0-due_on": "2025-12-31",
        "goals-1-kind": "level34_share",
        "goals-1-value": "60",
        "goals-1-due_on": "2025-12-31",
    }
    data.update(fields)
    return data


def test_official_registers_a_model_with_its_plan(client, official, commune, village_a, village_b):
    owner = factories.worker_group(commune)
    client.force_login(official)
    response = client.post(reverse("program:model_new"), model_post(commune, owner, village_a, village_b))
    model = MobilizationModel.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("program:model", args=[model.pk])
    assert set(model.villages.all()) == {village_a, village_b} and model.owner == owner
    assert sorted((g.kind, g.value) for g in model.goals.all()) == [
        ("households_visited", Decimal("300.0")),
        ("level34_share", Decimal("60.0")),
    ]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"ended_on": "2024-12-01"}, "ended_on"),
        ({"name": "  "}, "name"),
        ({"villages": []}, "villages"),
        ({"started_on": "2025-13-45"}, "started_on"),
    ],
)
def test_bad_model_input_comes_back_next_to_the_field(client, official, commune, village_a, fields, field):
    client.force_login(official)
    data = model_post(commune, factories.worker_group(commune), village_a, **fields)
    response = client.post(reverse("program:model_new"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["form"]["description"].value() == ""
    assert not MobilizationModel.objects.exists() and not ModelGoal.objects.exists()


def test_bad_goal_comes_back_and_nothing_is_saved(client, official, commune, village_a):
    client.force_login(official)
    data = model_post(commune, factories.worker_group(commune), village_a, **{"goals-1-value": "160"})
    response = client.post(reverse("program:model_new"), data)
    assert response.status_code == 200
    assert "value" in response.context["goals"].forms[1].errors
    assert not MobilizationModel.objects.exists()


def test_owner_of_another_commune_is_refused(client, official, commune, other_commune, village_a):
    client.force_login(official)
    data = model_post(commune, factories.worker_group(other_commune), village_a)
    response = client.post(reverse("program:model_new"), data)
    assert "owner" in response.context["form"].errors
    assert not MobilizationModel.objects.exists()


@pytest.mark.parametrize("role", ["leader", "head_a", "worker_a"])
def test_only_officials_register_and_change_models(request, client, role, commune, village_a, model_a):
    client.force_login(request.getfixturevalue(role))
    data = model_post(commune, factories.worker_group(commune), village_a)
    assert client.post(reverse("program:model_new"), data).status_code == 403
    assert client.post(reverse("program:model_edit", args=[model_a.pk]), data).status_code == 403
    assert client.post(reverse("program:model_delete", args=[model_a.pk])).status_code == 403
    assert MobilizationModel.objects.count() == 1


def test_village_head_of_another_village_gets_404(client, commune, village_b, head_a):
    # The matrix's world has no model of village B alone (tests/matrix_data.py): this is its check.
    model = a_model(commune, village_b)
    client.force_login(head_a)
    response = client.get(reverse("program:model", args=[model.pk]))
    assert response.status_code == 404
    assert model.name not in response.content.decode()


def test_edit_refuses_to_drop_a_village_with_tagged_work(
    client, official, commune, model_a, village_b, household_a, visitor
):
    factories.visit(household_a, visited_on=FEB, workers=[visitor], model=model_a)
    client.force_login(official)
    data = model_post(commune, model_a.owner, village_b, name=model_a.name, **{"goals-TOTAL_FORMS": "0"})
    del data["commune"]
    response = client.post(reverse("program:model_edit", args=[model_a.pk]), data)
    assert response.status_code == 200
    assert "villages" in response.context["form"].errors
    assert [v.code for v in MobilizationModel.objects.get().villages.all()] == ["NK"]


# --- Pages: deleting


def test_delete_asks_then_deletes_an_untagged_model(client, official, model_a):
    client.force_login(official)
    assert client.get(reverse("program:model_delete", args=[model_a.pk])).status_code == 200
    assert MobilizationModel.objects.exists()
    response = client.post(reverse("program:model_delete", args=[model_a.pk]))
    assert response.status_code == 302 and not MobilizationModel.objects.exists()


def test_delete_is_refused_while_work_is_tagged(client, official, model_a, household_a, visitor):
    factories.visit(household_a, visited_on=FEB, workers=[visitor], model=model_a)
    client.force_login(official)
    response = client.post(reverse("program:model_delete", args=[model_a.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert "1 visits" in response.content.decode()
    assert MobilizationModel.objects.filter(pk=model_a.pk).exists()


# --- Pages: the model and its review


def test_model_page_shows_plan_against_results(client, leader, model_a, worked):
    ModelGoal.objects.create(
        model=model_a, kind="households_visited", value=300, due_on=datetime.date(2099, 1, 1)
    )
    client.force_login(leader)
    response = client.get(reverse("program:model", args=[model_a.pk]))
    assert response.status_code == 200
    assert response.context["results"].total.reached_level34 == 1
    assert [p.goal.kind for p in response.context["goals"]] == ["households_visited"]
    assert "Tổ công nghệ số Nà Khau" in response.content.decode()


def test_review_page_covers_the_year_asked(client, head_a, model_a, worked):
    client.force_login(head_a)
    response = client.get(reverse("program:model_review", args=[model_a.pk]), {"year": "2025"})
    assert response.status_code == 200
    assert response.context["period"] == (2025, JAN, datetime.date(2025, 12, 31))
    assert len(response.context["results"].months) == 12
    # A year the model did not run in falls back to the latest.
    response = client.get(reverse("program:model_review", args=[model_a.pk]), {"year": "1999"})
    assert response.context["period"][0] == commune_today().year


def test_review_xlsx_holds_the_months(client, official, model_a, worked):
    client.force_login(official)
    response = client.get(
        reverse("program:model_review_xlsx", args=[model_a.pk]), {"year": "2025"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    facts, _goals, months, _savings = workbook.worksheets
    months = list(months.iter_rows(values_only=True))
    assert months[1][:3] == ("2025-01", 1, 1)
    assert months[2][0] == "2025-02" and months[2][4:6] == (1, 2)
    assert months[-1][0] == "Total" and months[-1][8:10] == (3, 1)
    assert facts["B1"].value == "Tổ công nghệ số Nà Khau"


# --- Forms offer and check the model


def test_visit_form_offers_the_models_of_the_household_village(
    client, official, commune, village_a, village_b, household_a, model_a
):
    a_model(commune, village_b, name="Only in B")
    client.force_login(official)
    response = client.get(reverse("visits:new"), {"household": household_a.pk})
    assert list(response.context["form"].fields["model"].queryset) == [model_a]


def test_visit_form_refuses_a_model_of_another_village(client, worker_a, commune, village_b, household_a):
    model = a_model(commune, village_b)
    client.force_login(worker_a)
    response = client.post(
        reverse("visits:new"),
        {
            "submission_key": str(uuid.uuid4()),
            "household": household_a.pk,
            "visited_on": "2025-02-01",
            "workers": [worker_a.workers.get().pk],
            "outcome": "done",
            "model": model.pk,
        },
    )
    assert response.status_code == 200
    assert "model" in response.context["form"].errors
    assert not HomeVisit.objects.exists()


def test_visit_form_tags_the_visit(client, worker_a, household_a, model_a):
    client.force_login(worker_a)
    response = client.post(
        reverse("visits:new"),
        {
            "submission_key": str(uuid.uuid4()),
            "household": household_a.pk,
            "visited_on": "2025-02-01",
            "workers": [worker_a.workers.get().pk],
            "outcome": "done",
            "model": model_a.pk,
        },
    )
    assert response.status_code == 302
    assert HomeVisit.objects.get().model == model_a


def test_session_form_checks_the_model_village(client, official, commune, village_a, village_b, model_a):
    client.force_login(official)
    data = {
        "submission_key": str(uuid.uuid4()),
        "held_on": "2025-02-01",
        "village": village_b.pk,
        "venue_kind": "cultural_house",
        "model": model_a.pk,
    }
    response = client.post(reverse("training:new"), data)
    assert "model" in response.context["form"].errors and not TrainingSession.objects.exists()
    data["village"] = village_a.pk
    assert client.post(reverse("training:new"), data).status_code == 302
    assert TrainingSession.objects.get().model == model_a


def test_communication_form_checks_the_model_date(client, head_a, village_a, model_a):
    client.force_login(head_a)
    data = {
        "submission_key": str(uuid.uuid4()),
        "channel": "loudspeaker",
        "held_on": "2024-12-01",
        "villages": [village_a.pk],
        "topic": "VNeID",
        "reach": "40",
        "model": model_a.pk,
    }
    response = client.post(reverse("program:communication_new"), data)
    assert "model" in response.context["form"].errors and not CommunicationActivity.objects.exists()
    data["held_on"] = "2025-02-01"
    assert client.post(reverse("program:communication_new"), data).status_code == 302
    assert CommunicationActivity.objects.get().model == model_a


# --- API


@pytest.fixture
def api_client():
    cache.clear()

    def make(user):
        client = APIClient(headers={"accept-language": "en"})
        client.force_authenticate(user)
        return client

    return make


def test_api_visit_takes_and_returns_the_model(api_client, worker_a, household_a, model_a):
    body = {"household": household_a.pk, "visited_on": "2025-02-01", "model": model_a.pk}
    response = api_client(worker_a).post("/api/visits/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["model"] == model_a.pk


def test_api_refuses_a_model_of_another_commune(api_client, worker_a, household_a, other_commune):
    foreign = a_model(other_commune, factories.village(other_commune))
    body = {"household": household_a.pk, "visited_on": "2025-02-01", "model": foreign.pk}
    response = api_client(worker_a).post("/api/visits/", body, format="json")
    assert response.status_code == 400 and "model" in response.json()
    assert not HomeVisit.objects.exists()


def test_api_communication_and_session_check_the_model(api_client, official, village_a, village_b, model_a):
    client = api_client(official)
    body = {"channel": "leaflet", "held_on": "2025-02-01", "villages": [village_b.pk], "topic": "VNeID"}
    response = client.post("/api/communications/", {**body, "model": model_a.pk}, format="json")
    assert response.status_code == 400 and "model" in response.json()
    response = client.post(
        "/api/training-sessions/",
        {"village": village_a.pk, "held_on": "2025-02-01", "model": model_a.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["model"] == model_a.pk


# --- Demo data and admin


def test_demo_models_tag_a_share_of_the_work(commune, village_a, household_a, visitor):
    from demo.mobilization_models import DEMO_MODELS, demo_models_populate
    from mobilization.models import WorkerGroup

    for kind in (WorkerGroup.Kind.YOUTH_UNION, WorkerGroup.Kind.FATHERLAND_FRONT):
        factories.worker_group(commune, kind=kind)
    factories.worker_group(commune, kind=WorkerGroup.Kind.DIGITAL_TECH_TEAM, village=village_a)
    for day in (10, 11, 12, 13):
        factories.visit(household_a, visited_on=datetime.date(2025, 1, day), workers=[visitor])
    assert demo_models_populate(commune=commune) == len(DEMO_MODELS) == 3
    online = MobilizationModel.objects.get(field=MobilizationModel.Field.ONLINE_PUBLIC_SERVICES)
    assert HomeVisit.objects.filter(model=online).count() == 2
    assert online.goals.count() == 3


def test_admin_lists_models_in_scope(client, commune, other_commune, village_a, model_a):
    from villages.models import Role

    a_model(other_commune, factories.village(other_commune), name="Elsewhere")
    official = factories.role_user(Role.Kind.OFFICIAL, commune, is_staff=True)
    client.force_login(official)
    response = client.get("/admin/mobilization/mobilizationmodel/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert (
        "Tổ công nghệ số Nà Khau" in response.content.decode()
        and "Elsewhere" not in response.content.decode()
    )
    outsider = factories.role_user(Role.Kind.OFFICIAL, other_commune, is_staff=True)
    client.force_login(outsider)
    assert client.get(f"/admin/mobilization/mobilizationmodel/{model_a.pk}/change/").status_code in (302, 404)


def test_model_applications_are_those_of_its_visits_and_sessions(
    commune, model_a, household_a, resident_a, visitor
):
    from mobilization.models import Application
    from mobilization.selectors import model_applications

    tagged = factories.visit(
        household_a,
        visited_on=FEB,
        workers=[visitor],
        helped=[Help(resident=resident_a, achievements=["application_submitted"])],
        model=model_a,
    )
    factories.visit(
        household_a,
        visited_on=MAR,
        workers=[visitor],
        helped=[Help(resident=resident_a, achievements=["application_submitted"])],
    )
    assert Application.objects.count() == 2
    assert [a.visit_id for a in model_applications(model_a)] == [tagged.pk]
