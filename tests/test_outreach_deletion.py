"""Who may delete a home visit, a training session or a communication activity.

villages.access.may_delete_outreach: the commune's officials (and superusers), or whoever
recorded it within a day of recording it. The pages, the API and the admin answer alike; a
refusal changes nothing; an allowed deletion leaves the record, and the residents helped or
the attendance recorded on it, in the history of changes with the user who deleted them.
"""

import dataclasses
import datetime
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from mobilization.models import CommunicationActivity, HomeVisit, VisitHelp, Worker
from mobilization.services import Help, communication_record
from tests import factories
from training.models import Attendance, TrainingSession
from villages.models import Role

DAY = datetime.date(2024, 9, 1)


def visit(household, worker, recorded_by):
    return factories.visit(
        household,
        visited_on=DAY,
        workers=[worker],
        helped=[Help(resident=household.members.first(), achievements=["eid_activated"])],
        recorded_by=recorded_by,
    )


def session(household, worker, recorded_by):
    return factories.session(
        household.commune,
        held_on=DAY,
        village=household.village,
        facilitators=[worker],
        attendees=[Help(resident=household.members.first(), achievements=[])],
        recorded_by=recorded_by,
    )


def activity(household, worker, recorded_by):
    return communication_record(
        commune_id=household.commune_id,
        channel=CommunicationActivity.Channel.LOUDSPEAKER,
        held_on=DAY,
        villages=[household.village],
        topic="VNeID",
        reach=3,  # at most 3 times the village's one resident (mobilization.services.reach_refusal)
        recorded_by=recorded_by,
    )


@dataclasses.dataclass(frozen=True)
class Kind:
    make: Callable
    model: type
    children: type | None  # the rows recorded on it, deleted with it
    parent: str  # the children's field naming the record
    admin: str  # the admin's URL name prefix
    page: str | None  # the page's delete URL name (visits have none)
    api: str  # the API's path


KINDS = {
    "visit": Kind(visit, HomeVisit, VisitHelp, "visit", "admin:mobilization_homevisit", None, "/api/visits/"),
    "session": Kind(
        session,
        TrainingSession,
        Attendance,
        "session",
        "admin:training_trainingsession",
        "training:delete",
        "/api/training-sessions/",
    ),
    "activity": Kind(
        activity,
        CommunicationActivity,
        None,
        "",
        "admin:mobilization_communicationactivity",
        "program:communication_delete",
        "/api/communications/",
    ),
}


@pytest.fixture
def other_worker(commune, village_a):
    """A second worker of village A, who records nothing here."""
    return factories.role_user(Role.Kind.WORKER, commune, [village_a], username="worker_a2")


@pytest.fixture
def field_worker(commune, worker_a):
    return Worker.objects.get(user=worker_a)


@pytest.fixture
def household(household_a, resident_a):
    return household_a


def delete_by(channel: str, kind: Kind, user, record, client) -> int:
    """Ask to delete `record` as `user` through the pages, the API or the admin; the status."""
    if channel == "api":
        api = APIClient(headers={"accept-language": "en"})
        api.force_authenticate(user)
        return api.delete(f"{kind.api}{record.pk}/").status_code
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    client.force_login(user)
    if channel == "admin":
        return client.post(reverse(f"{kind.admin}_delete", args=[record.pk]), {"post": "yes"}).status_code
    return client.post(reverse(kind.page, args=[record.pk])).status_code


def state(kind: Kind, record) -> tuple:
    """The record, its children and every history row of them, as stored."""
    rows = list(kind.model.objects.filter(pk=record.pk).values())
    history = list(kind.model.history.filter(id=record.pk).values_list("history_type", "history_user"))
    if kind.children is None:
        return rows, history
    children = kind.children.objects.filter(**{kind.parent: record.pk})
    child_history = kind.children.history.filter(**{f"{kind.parent}_id": record.pk})
    return rows, history, list(children.values()), sorted(child_history.values_list("id", "history_type"))


CHANNELS = [
    (name, channel)
    for name, kind in KINDS.items()
    for channel in ("page", "api", "admin")
    if not (channel == "page" and kind.page is None) and not (name == "visit" and channel == "api")
]


def recorded_a_day_ago(record) -> None:
    type(record).objects.filter(pk=record.pk).update(
        recorded_at=timezone.now() - datetime.timedelta(hours=25)
    )


@pytest.mark.parametrize(("name", "channel"), CHANNELS)
@pytest.mark.parametrize("who", ["official", "recorder", "superuser"])
def test_an_official_or_the_recorder_within_a_day_deletes_and_the_history_keeps_it(
    client, household, field_worker, worker_a, official, superuser, name, channel, who
):
    kind = KINDS[name]
    record = kind.make(household, field_worker, worker_a)
    children = (
        list(kind.children.objects.filter(**{kind.parent: record}).values_list("pk", flat=True))
        if (kind.children)
        else []
    )
    user = {"official": official, "recorder": worker_a, "superuser": superuser}[who]

    assert delete_by(channel, kind, user, record, client) in (204, 302)

    assert not kind.model.objects.filter(pk=record.pk).exists()
    deleted = kind.model.history.get(id=record.pk, history_type="-")
    assert deleted.history_user == user
    if kind.children is not None:
        assert children
        assert not kind.children.objects.filter(pk__in=children).exists()
        gone = kind.children.history.filter(id__in=children, history_type="-")
        assert sorted(gone.values_list("id", flat=True)) == sorted(children)
        assert {row.history_user for row in gone} == {user}


@pytest.mark.parametrize(("name", "channel"), CHANNELS)
@pytest.mark.parametrize("who", ["other_worker", "late_recorder", "leader", "head_a"])
def test_others_and_the_recorder_after_a_day_are_refused_and_nothing_changes(
    client, household, field_worker, worker_a, other_worker, leader, head_a, name, channel, who
):
    kind = KINDS[name]
    record = kind.make(household, field_worker, worker_a)
    if who == "late_recorder":
        recorded_a_day_ago(record)
    user = {"other_worker": other_worker, "late_recorder": worker_a, "leader": leader, "head_a": head_a}[who]
    before = state(kind, record)

    assert delete_by(channel, kind, user, record, client) == 403

    assert state(kind, record) == before


@pytest.mark.parametrize("name", ["session", "activity"])
def test_a_record_of_unknown_recording_time_is_the_officials_to_delete(
    client, household, field_worker, worker_a, official, name
):
    kind = KINDS[name]
    record = kind.make(household, field_worker, worker_a)
    kind.model.objects.filter(pk=record.pk).update(recorded_at=None)
    assert delete_by("api", kind, worker_a, record, client) == 403
    assert delete_by("api", kind, official, record, client) == 204


def test_visits_are_not_deleted_through_the_api_by_anyone(household, field_worker, worker_a, official):
    record = visit(household, field_worker, worker_a)
    for user in (worker_a, official):
        api = APIClient()
        api.force_authenticate(user)
        assert api.delete(f"/api/visits/{record.pk}/").status_code == 405
    assert HomeVisit.objects.filter(pk=record.pk).exists()


def test_the_session_page_offers_delete_only_to_who_may(
    client, household, field_worker, worker_a, other_worker
):
    record = session(household, field_worker, worker_a)
    delete_url = reverse("training:delete", args=[record.pk])
    client.force_login(other_worker)
    page = client.get(reverse("training:session", args=[record.pk]))
    assert page.status_code == 200 and page.context["may_edit"]
    assert delete_url not in page.content.decode()
    assert client.get(delete_url).status_code == 403
    client.force_login(worker_a)
    assert delete_url in client.get(reverse("training:session", args=[record.pk])).content.decode()
    assert client.get(delete_url).status_code == 200


def test_the_activity_form_offers_delete_only_to_who_may(client, household, field_worker, worker_a, head_a):
    record = activity(household, field_worker, worker_a)
    delete_url = reverse("program:communication_delete", args=[record.pk])
    client.force_login(head_a)
    page = client.get(reverse("program:communication_edit", args=[record.pk]))
    assert page.status_code == 200
    assert delete_url not in page.content.decode()
    client.force_login(worker_a)
    assert delete_url in client.get(reverse("program:communication_edit", args=[record.pk])).content.decode()


@pytest.mark.parametrize("name", ["visit", "session", "activity"])
def test_the_admin_offers_delete_only_to_who_may(
    client, household, field_worker, worker_a, other_worker, name
):
    kind = KINDS[name]
    record = kind.make(household, field_worker, worker_a)
    delete_url = reverse(f"{kind.admin}_delete", args=[record.pk])
    for user in (other_worker, worker_a):
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    client.force_login(other_worker)
    assert client.get(delete_url).status_code == 403
    client.force_login(worker_a)
    confirm = client.get(delete_url)
    # The confirmation lists the residents helped or the attendance and asks for no permission.
    assert confirm.status_code == 200 and not confirm.context["perms_lacking"]
