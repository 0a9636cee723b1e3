"""Submission keys belong to their user (issue 25, "Nothing lost or doubled").

A key sent again by the same user gets the first answer and saves nothing twice; a key another
user sent (another worker, an official, another commune) is refused through every door with the
same message, and nothing is saved: never "logged" for a record that was not stored, never the
other user's record shown as the poster's. The answer that stores a key names it
(Softbridge-Saved-Key), so that the outbox deletes only the record the server confirmed.
"""

import uuid

import pytest
from django.contrib.admin import site
from django.test import Client, RequestFactory
from django.urls import reverse

from mobilization.models import CommunicationActivity, HomeVisit
from mobilization.services import communication_record, visit_log
from softbridge.calendar import commune_today
from softbridge.models import Submission
from softbridge.submissions import SAVED_HEADER, KeyTaken
from tests import factories
from tests.factories import api_client
from training.models import TrainingSession
from training.services import session_record
from villages.models import Household, Resident, Role

TODAY = commune_today()
REFUSED = (
    "Another user already sent a form with this submission key, so nothing was saved. "
    "Check the form and save it again: it now has a key of its own."
)
SAVED_ALREADY = "This was saved already: nothing was saved twice."
MODELS = {"visit": HomeVisit, "session": TrainingSession, "communication": CommunicationActivity}


def hold(kind: str, *, key: uuid.UUID, user, village):
    """The record of `kind` that `user` stored with `key`, through the service."""
    if kind == "visit":
        return visit_log(
            household=factories.household(village),
            visited_on=TODAY,
            workers=[factories.worker(village.commune)],
            recorded_by=user,
            submission_key=key,
        )
    if kind == "session":
        return session_record(
            commune=village.commune, village=village, held_on=TODAY, recorded_by=user, submission_key=key
        )
    return communication_record(
        commune_id=village.commune_id,
        channel=CommunicationActivity.Channel.LOUDSPEAKER,
        held_on=TODAY,
        villages=[village],
        topic="VNeID",
        recorded_by=user,
        submission_key=key,
    )


def send(door: str, kind: str, *, user, village, key: uuid.UUID, client=None):
    """`user` sends a new record of `kind` in `village` with `key`, through the page or the API."""
    if kind == "visit":
        household = factories.household(village, code=f"K-{uuid.uuid4().hex[:6]}")
        worker = factories.worker(village.commune)
        page = (
            reverse("visits:new"),
            {
                "household": household.pk,
                "visited_on": TODAY.isoformat(),
                "workers": [worker.pk],
                "outcome": HomeVisit.Outcome.DONE,
                "follow_up_on": "",
                "notes": "",
            },
        )
        api = ("/api/visits/", {"household": household.pk, "visited_on": str(TODAY), "workers": [worker.pk]})
    elif kind == "session":
        page = (
            reverse("training:new"),
            {
                "held_on": TODAY.isoformat(),
                "village": village.pk,
                "venue_kind": TrainingSession.VenueKind.CULTURAL_HOUSE,
                "venue": "",
                "notes": "",
            },
        )
        api = ("/api/training-sessions/", {"held_on": str(TODAY), "village": village.pk})
    else:
        fields = {
            "channel": CommunicationActivity.Channel.LOUDSPEAKER,
            "held_on": TODAY.isoformat(),
            "villages": [village.pk],
            "topic": "Zalo",
        }
        page = (reverse("program:communication_new"), {**fields, "reach": "10", "group": ""})
        api = ("/api/communications/", fields)
    if door == "page":
        client = client or Client(headers={"accept-language": "en"})
        client.force_login(user)
        url, data = page
        return client.post(url, {**data, "submission_key": str(key)})
    url, data = api
    return api_client(user).post(url, {**data, "submission_key": str(key)}, format="json")


@pytest.fixture
def squatters(commune, village_a, official, other_commune):
    """Who may send someone else's key: another worker of the village, the commune's official,
    an official of another commune (each with a village to log in)."""
    colleague = factories.role_user(Role.Kind.WORKER, commune, [village_a], username="worker_a2")
    factories.worker(commune, full_name="Lò Thị Mai", user=colleague)
    elsewhere = factories.role_user(Role.Kind.OFFICIAL, other_commune, username="official_b")
    return {
        "another worker": (colleague, village_a),
        "an official": (official, village_a),
        "another commune": (elsewhere, factories.village(other_commune)),
    }


@pytest.mark.parametrize("who", ["another worker", "an official", "another commune"])
@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("kind", ["visit", "session", "communication"])
def test_another_users_key_is_refused_through_every_door(kind, door, who, worker_a, village_a, squatters):
    key = uuid.uuid4()
    held = hold(kind, key=key, user=worker_a, village=village_a)
    user, village = squatters[who]

    response = send(door, kind, user=user, village=village, key=key)

    assert response.status_code == 409
    assert SAVED_HEADER not in response
    model = MODELS[kind]
    assert list(model.objects.values_list("pk", "recorded_by")) == [(held.pk, worker_a.pk)]
    if door == "api":
        assert response.json()["detail"] == REFUSED
    else:
        # The form again, with the refusal and a key of its own to save it with.
        shown = response.content.decode()
        assert REFUSED in shown
        assert response.context["form"]["submission_key"].value() not in ("", None, str(key))
        assert str(key) not in shown
        assert 'class="message success"' not in shown
        assert not Submission.objects.filter(key=key).exists()


@pytest.mark.parametrize("door", ["page", "api"])
@pytest.mark.parametrize("kind", ["visit", "session", "communication"])
def test_the_same_users_key_again_gets_the_first_answer(kind, door, worker_a, village_a):
    key = uuid.uuid4()
    held = hold(kind, key=key, user=worker_a, village=village_a)

    response = send(door, kind, user=worker_a, village=village_a, key=key)

    assert response.status_code == (302 if door == "page" else 200), (response.context or {}).get(
        "form"
    ) and response.context["form"].errors
    assert response[SAVED_HEADER] == str(key)
    assert MODELS[kind].objects.get().pk == held.pk
    if door == "api":
        assert response.json()["id"] == held.pk


def test_the_page_sent_twice_answers_saved_already_and_names_the_key(english_client, worker_a, village_a):
    key = uuid.uuid4()
    first = send("page", "session", user=worker_a, village=village_a, key=key, client=english_client)
    again = send("page", "session", user=worker_a, village=village_a, key=key, client=english_client)

    assert (first.status_code, again.status_code) == (302, 302)
    assert first[SAVED_HEADER] == again[SAVED_HEADER] == str(key)
    assert again["Location"] == first["Location"]
    assert SAVED_ALREADY in english_client.get(again["Location"]).content.decode()
    assert TrainingSession.objects.count() == 1


def test_the_outbox_is_told_which_key_was_stored(english_client, worker_a, official, village_a):
    """frontdoor.device.DeviceAnswers: the replay's JSON names the key; a refused key is no "saved"."""
    key = uuid.uuid4()
    english_client.force_login(worker_a)
    household = factories.household(village_a)
    data = {
        "household": household.pk,
        "visited_on": TODAY.isoformat(),
        "workers": [worker_a.workers.get().pk],
        "outcome": HomeVisit.Outcome.DONE,
        "submission_key": str(key),
    }
    saved = english_client.post(reverse("visits:new"), data, headers={"Softbridge-Outbox": "1"})
    assert saved.status_code == 200
    assert saved.json()["saved"] is True
    assert saved.json()["key"] == saved[SAVED_HEADER] == str(key)

    english_client.force_login(official)
    data["workers"] = [factories.worker(village_a.commune).pk]
    refused = english_client.post(reverse("visits:new"), data, headers={"Softbridge-Outbox": "1"})
    assert refused.status_code == 409
    assert refused["Content-Type"].startswith("text/html")
    assert SAVED_HEADER not in refused
    assert HomeVisit.objects.get().recorded_by == worker_a


def test_the_service_refuses_another_users_key_and_replays_the_users_own(worker_a, official, village_a):
    key = uuid.uuid4()
    first = hold("communication", key=key, user=worker_a, village=village_a)
    assert hold("communication", key=key, user=worker_a, village=village_a) == first
    with pytest.raises(KeyTaken) as refused:
        hold("communication", key=key, user=official, village=village_a)
    assert refused.value.message_dict == {"submission_key": [REFUSED]}
    assert CommunicationActivity.objects.get() == first


@pytest.mark.parametrize("model", [HomeVisit, TrainingSession, CommunicationActivity])
def test_the_admin_offers_no_door_to_a_key(model, superuser):
    # The admin never sets a key (the column is not editable): there is nothing to refuse there.
    request = RequestFactory().get("/")
    request.user = superuser
    admin = site._registry[model]
    assert "submission_key" not in admin.get_form(request)().fields


# --- the register's forms


def member_data(**changes):
    return {
        "full_name": "Nông Văn Bảo",
        "sex": "M",
        "birth_year": "1990",
        "national_id": "",
        "phone": "",
        "relation": "spouse",
        "moved_in_on": "",
        **changes,
    }


def test_adding_a_member_sent_twice_stores_one_resident(english_client, head_a, household_a):
    english_client.force_login(head_a)
    url = reverse("villages:member_new", args=[household_a.pk])
    data = member_data(submission_key=str(uuid.uuid4()))

    first = english_client.post(url, data)
    again = english_client.post(url, data)

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert again[SAVED_HEADER] == data["submission_key"]
    assert SAVED_ALREADY in english_client.get(again["Location"]).content.decode()
    assert list(household_a.members.values_list("full_name", flat=True)) == ["Nông Văn Bảo"]


def test_adding_a_member_with_another_users_key_is_refused(english_client, head_a, official, household_a):
    key = str(uuid.uuid4())
    english_client.force_login(head_a)
    english_client.post(
        reverse("villages:member_new", args=[household_a.pk]), member_data(submission_key=key)
    )
    english_client.force_login(official)

    response = english_client.post(
        reverse("villages:member_new", args=[household_a.pk]),
        member_data(full_name="Hà Thị Lan", submission_key=key),
    )

    assert response.status_code == 409
    assert REFUSED in response.content.decode()
    assert SAVED_HEADER not in response
    assert list(household_a.members.values_list("full_name", flat=True)) == ["Nông Văn Bảo"]


def register_forms(household, member, other, village):
    """(address, what it posts) of each register form; `other` is a second household."""
    return {
        "add member": (reverse("villages:member_new", args=[household.pk]), member_data()),
        "edit member": (
            reverse("villages:member_edit", args=[household.pk, member.pk]),
            member_data(
                full_name=member.full_name, phone="0912345678", relation="child", version=member.version
            ),
        ),
        "move": (
            reverse("villages:member_move", args=[household.pk, member.pk]),
            {"household": other.pk, "on": TODAY.isoformat()},
        ),
        "split": (
            reverse("villages:household_split", args=[household.pk]),
            {"members": [member.pk], "head": member.pk, "village": village.pk, "code": "NK-050", "on": TODAY},
        ),
        "head": (
            reverse("villages:household_head", args=[household.pk]),
            {"head": member.pk, "former_head_relation": "parent"},
        ),
        "edit household": (
            reverse("villages:household_edit", args=[household.pk]),
            {"address": "Bản Nà Khau", "phone": "", "worker_in_charge": "", "version": household.version},
        ),
        "new household": (reverse("villages:household_new"), {"village": village.pk, "code": "NK-060"}),
    }


FORMS = ["add member", "edit member", "move", "split", "head", "edit household", "new household"]


@pytest.mark.parametrize("name", FORMS)
def test_each_register_form_carries_a_key_and_saves_once(name, english_client, official, village_a):
    household = factories.household(village_a, code="NK-010")
    factories.resident(household, full_name="Cũ", relation="head", birth_year=1950)
    member = factories.resident(household, full_name="Con", relation="child", birth_year=1990)
    other = factories.household(village_a, code="NK-020")
    url, data = register_forms(household, member, other, village_a)[name]
    english_client.force_login(official)
    assert 'name="submission_key"' in english_client.get(url).content.decode()
    data = {**data, "submission_key": str(uuid.uuid4())}

    first = english_client.post(url, data)
    assert first.status_code == 302, first.context["form"].errors if first.context else first
    stored = (
        list(Household.objects.order_by("pk").values_list("code", "address", "version")),
        list(Resident.objects.order_by("pk").values_list("full_name", "household", "relation", "version")),
    )
    again = english_client.post(url, data)

    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert again[SAVED_HEADER] == data["submission_key"]
    assert (
        list(Household.objects.order_by("pk").values_list("code", "address", "version")),
        list(Resident.objects.order_by("pk").values_list("full_name", "household", "relation", "version")),
    ) == stored
