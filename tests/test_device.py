"""The field device's server side (frontdoor.device, softbridge.submissions): what a phone may
keep, how the outbox's replays are answered, and that a form sent twice is saved once.

The browser walks (no network, a lost reply, an ended session, a refused record) are in
tests/browser/test_offline.py.
"""

import datetime
import json
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from frontdoor.device import DEVICE_COPY_HEADER, OUTBOX_HEADER, USER_HEADER
from mobilization.models import HomeVisit
from softbridge.calendar import commune_today
from softbridge.models import Submission
from tests import factories
from training.models import Attendance, TrainingSession
from villages.models import Achievement, LadderStep, Resident
from villages.services import resident_ladder_correct

COPY = {"headers": {DEVICE_COPY_HEADER: "1", "accept-language": "en"}}
OUTBOX = {"headers": {OUTBOX_HEADER: "1", "accept-language": "en"}}
NUMBER = "001085009876"
PHONE = "0912345678"


@pytest.fixture
def hoa(household_a):
    household_a.phone = "0209999111"
    household_a.save()
    return factories.resident(
        household_a, full_name="Nông Thị Hoa", birth_year=1985, national_id=NUMBER, phone=PHONE
    )


@pytest.fixture
def head_worker(head_a, commune):
    """The village head also visits households: a worker of the commune."""
    return factories.worker(commune, full_name="Nông Văn Khu", user=head_a)


def visit_body(household, worker, key, **changes):
    body = {
        "submission_key": str(key),
        "household": household.pk,
        "visited_on": commune_today().isoformat(),
        "workers": [worker.pk],
        "outcome": HomeVisit.Outcome.DONE,
        "follow_up_on": "",
        "notes": "",
    }
    body.update(changes)
    return body


# --- what a device keeps -----


def test_a_device_copy_of_a_household_page_carries_no_phone_or_id_number(english_client, official, hoa):
    english_client.force_login(official)
    page = reverse("villages:household", args=[hoa.household_id])

    shown = english_client.get(page).content.decode()
    copy = english_client.get(page, **COPY).content.decode()

    # The official sees both numbers on the page itself: the copy leaves out what the page shows.
    assert PHONE in shown and NUMBER in shown and "0209999111" in shown
    assert "Nông Thị Hoa" in copy
    for number in (PHONE, NUMBER, NUMBER[-4:], "0209999111"):
        assert number not in copy


def test_a_device_copy_of_a_visit_form_carries_no_phone_or_id_number(english_client, official, hoa, commune):
    factories.worker(commune, user=official)
    english_client.force_login(official)

    copy = english_client.get(reverse("visits:new"), {"household": hoa.household_id}, **COPY).content.decode()

    assert "Nông Thị Hoa" in copy
    for number in (PHONE, NUMBER, NUMBER[-4:]):
        assert number not in copy


def test_a_device_copy_shows_no_message_and_leaves_it_for_the_next_page(english_client, official, hoa):
    english_client.force_login(official)
    english_client.post(
        reverse("villages:member_ladder", args=[hoa.household_id, hoa.pk]),
        {"step": "smartphone", "on": commune_today().isoformat()},
    )
    page = reverse("villages:household", args=[hoa.household_id])

    copy = english_client.get(page, **COPY)
    shown = english_client.get(page)

    assert "Smartphone recorded." not in copy.content.decode()
    assert "Nông Thị Hoa: smartphone recorded." in shown.content.decode()


def test_a_device_keeps_the_pages_of_the_households_in_the_users_charge(
    english_client, worker_a, household_a, household_b, hoa
):
    english_client.force_login(worker_a)

    kept = english_client.get(reverse("device_pages")).json()

    urls = [page["url"] for page in kept["pages"]]
    assert kept["user"] == worker_a.pk
    assert reverse("villages:household", args=[household_a.pk]) in urls
    assert f"{reverse('visits:new')}?household={household_a.pk}" in urls
    assert reverse("villages:household", args=[household_b.pk]) not in urls  # village B: not theirs
    assert [h["id"] for h in kept["households"]] == [household_a.pk]
    assert kept["households"][0]["names"] == ["nk-001", "nong thi hoa"]
    assert kept["households"][0]["head"] == ""  # nobody is recorded as the head
    body = json.dumps(kept)
    for number in (PHONE, NUMBER, NUMBER[-4:], "0209999111"):
        assert number not in body


def test_a_charge_larger_than_a_phone_keeps_its_most_urgent_households_first(
    english_client, worker_a, village_a, monkeypatch
):
    monkeypatch.setattr("frontdoor.device.KEPT_HOUSEHOLDS", 2)
    done = factories.household(village_a, code="NK-001")  # visited today, nothing due
    factories.visit(done)
    never = factories.household(village_a, code="NK-002")  # never visited
    overdue = factories.household(village_a, code="NK-003")  # its follow-up is overdue
    factories.visit(
        overdue,
        visited_on=commune_today() - datetime.timedelta(days=20),
        follow_up_on=commune_today() - datetime.timedelta(days=3),
    )
    english_client.force_login(worker_a)

    kept = english_client.get(reverse("device_pages")).json()

    assert kept["charge"] == 3
    assert sorted(h["id"] for h in kept["households"]) == sorted([never.pk, overdue.pk])
    household_pages = [
        p["url"] for p in kept["pages"] if p["url"].startswith("/households/") and p["url"] != "/households/"
    ]
    assert household_pages == [
        reverse("villages:household", args=[overdue.pk]),
        reverse("villages:household", args=[never.pk]),
    ]


def test_the_household_list_comes_again_only_when_it_changed(english_client, worker_a, household_a, hoa):
    english_client.force_login(worker_a)
    first = english_client.get(reverse("device_pages")).json()
    version = first["households_version"]

    again = english_client.get(reverse("device_pages"), {"households": version}).json()
    assert "households" not in again and again["households_version"] == version
    assert again["pages"] == first["pages"]

    factories.resident(household_a, full_name="Nông Văn Mới", birth_year=1990)
    changed = english_client.get(reverse("device_pages"), {"households": version}).json()
    assert changed["households_version"] != version
    assert "nong van moi" in changed["households"][0]["names"]


def test_an_official_keeps_no_household_of_the_commune_on_a_phone(english_client, official, hoa):
    english_client.force_login(official)

    kept = english_client.get(reverse("device_pages")).json()

    assert kept["households"] == []
    assert reverse("home") in [p["url"] for p in kept["pages"]]


def test_a_leader_keeps_no_household(english_client, leader, hoa):
    english_client.force_login(leader)

    kept = english_client.get(reverse("device_pages")).json()

    assert kept["households"] == []
    assert not [p for p in kept["pages"] if "/households/" in p["url"] and p["url"] != "/households/"]


@pytest.mark.parametrize("role", ["leader", "official", "worker_a", "head_a"])
def test_every_page_a_phone_keeps_opens_for_its_user(english_client, role, request, hoa):
    """A kept page the user may not open was asked for at every sync and refused, and the
    phone never said "ready offline" (a commune leader's and the visit form, 403)."""
    english_client.force_login(request.getfixturevalue(role))

    kept = english_client.get(reverse("device_pages")).json()

    answers = {p["url"]: english_client.get(p["url"]).status_code for p in kept["pages"]}
    assert answers and {url: status for url, status in answers.items() if status != 200} == {}


def test_an_outsider_keeps_nothing_of_another_commune(english_client, outsider, hoa):
    english_client.force_login(outsider)

    kept = english_client.get(reverse("device_pages")).json()

    assert kept["households"] == []
    assert "Hoa" not in json.dumps(kept)


def test_the_list_of_kept_pages_needs_a_user(english_client, hoa):
    response = english_client.get(reverse("device_pages"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_page_stamp_changes_with_what_the_page_shows_and_no_other(english_client, head_a, hoa, village_a):
    household_b = factories.household(village_a, code="NK-002")
    english_client.force_login(head_a)

    def stamps():
        return {p["url"]: p["stamp"] for p in english_client.get(reverse("device_pages")).json()["pages"]}

    page_a = reverse("villages:household", args=[hoa.household_id])
    page_b = reverse("villages:household", args=[household_b.pk])
    before = stamps()
    english_client.post(
        reverse("villages:member_ladder", args=[hoa.household_id, hoa.pk]),
        {"step": "eid", "on": commune_today().isoformat()},
    )
    after = stamps()

    assert after[page_a] != before[page_a]
    assert after[page_b] == before[page_b]
    assert after[reverse("home")] != before[reverse("home")]  # the home page lists every household


def test_a_visit_changes_the_household_list_and_follow_ups_stamps_only_when_they_show_it(
    english_client, worker_a, village_a
):
    listed = [factories.household(village_a, code=f"NK-{n:03}") for n in range(1, 28)]  # 25 a page
    english_client.force_login(worker_a)

    def stamps():
        return {p["url"]: p["stamp"] for p in english_client.get(reverse("device_pages")).json()["pages"]}

    lists, follow_ups = reverse("villages:households"), reverse("visits:follow_ups")
    before = stamps()
    factories.visit(listed[-1])  # on the list's second page, no follow-up
    after = stamps()
    assert after[lists] == before[lists] and after[follow_ups] == before[follow_ups]
    assert after[reverse("home")] != before[reverse("home")]

    factories.visit(listed[0], follow_up_on=commune_today() + datetime.timedelta(days=2))
    last = stamps()
    assert last[lists] != after[lists] and last[follow_ups] != after[follow_ups]


def test_an_attendance_page_stamp_changes_with_its_own_households_only(
    english_client, head_a, commune, village_a
):
    # Issue 27: every session page was fetched again after any visit (526 KB after one visit).
    residents = []
    for n in range(1, 13):  # two attendance pages: ten households, then two
        household = factories.household(village_a, code=f"NK-{n:03}")
        residents.append(factories.resident(household, full_name=f"Hoàng Văn {n}", birth_year=1980))
    session = factories.session(commune, village=village_a)
    english_client.force_login(head_a)

    def stamps():
        return {p["url"]: p["stamp"] for p in english_client.get(reverse("device_pages")).json()["pages"]}

    attendance = reverse("training:attendance", args=[session.pk])
    before = stamps()
    assert f"{attendance}?page=2" in before and f"{attendance}?page=3" not in before
    last = residents[-1]
    english_client.post(
        reverse("villages:member_ladder", args=[last.household_id, last.pk]),
        {"step": "eid", "on": commune_today().isoformat()},
    )
    after = stamps()

    assert after[f"{attendance}?page=2"] != before[f"{attendance}?page=2"]
    assert after[attendance] == before[attendance]
    assert (
        after[reverse("training:session", args=[session.pk])]
        == before[reverse("training:session", args=[session.pk])]
    )
    factories.attendance(session, residents[0])
    assert stamps()[attendance] != after[attendance]


def test_the_list_of_kept_pages_costs_the_same_queries_for_more_households(
    english_client, head_a, village_a, django_assert_max_num_queries
):
    for n in range(3):
        factories.resident(factories.household(village_a, code=f"NK-1{n}"))
    english_client.force_login(head_a)
    english_client.get(reverse("device_pages"))  # the session and the user, read once
    with django_assert_max_num_queries(16) as few:
        english_client.get(reverse("device_pages"))
    for n in range(20):
        factories.resident(factories.household(village_a, code=f"NK-2{n:02}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        english_client.get(reverse("device_pages"))


def test_every_answer_says_who_is_signed_in(english_client, official, hoa):
    assert english_client.get(reverse("login"))[USER_HEADER] == ""
    english_client.force_login(official)
    assert english_client.get(reverse("home"))[USER_HEADER] == str(official.pk)


def test_the_service_worker_is_served_at_the_root_for_the_whole_site(english_client):
    response = english_client.get(reverse("service_worker"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert reverse("service_worker") == "/sw.js"
    body = response.content.decode()
    assert "workbox-strategies" in body and "outbox-core" in body


def test_the_manifest_names_the_app_its_icons_and_start_page(english_client):
    response = english_client.get(reverse("manifest"), headers={"accept-language": "vi"})

    manifest = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert english_client.get(icon["src"]).status_code == 200
    assert manifest["lang"] == "vi"


# --- the outbox's replays -----


def test_a_replay_saved_is_answered_with_json_naming_the_next_page(english_client, head_a, head_worker, hoa):
    english_client.force_login(head_a)
    key = uuid.uuid4()

    response = english_client.post(
        reverse("visits:new"), visit_body(hoa.household, head_worker, key), **OUTBOX
    )

    assert response.status_code == 200
    said = response.json()
    assert said["saved"] is True
    assert said["location"] == reverse("villages:household", args=[hoa.household_id])
    assert said["messages"] == ["Visit to household NK-001 logged."]
    assert HomeVisit.objects.get().submission_key == key


def test_a_replay_after_the_session_ended_is_answered_sign_in_and_saves_nothing(
    english_client, head_worker, hoa
):
    response = english_client.post(
        reverse("visits:new"), visit_body(hoa.household, head_worker, uuid.uuid4()), **OUTBOX
    )

    assert response.status_code == 401
    assert response.json() == {"signin": True}
    assert not HomeVisit.objects.exists()


def test_a_replay_refused_is_answered_with_the_form_and_its_message(english_client, head_a, head_worker, hoa):
    english_client.force_login(head_a)
    tomorrow = (commune_today() + datetime.timedelta(days=1)).isoformat()

    response = english_client.post(
        reverse("visits:new"),
        visit_body(hoa.household, head_worker, uuid.uuid4(), visited_on=tomorrow),
        **OUTBOX,
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "The date is in the future." in response.content.decode()
    assert not HomeVisit.objects.exists()


def test_a_replay_with_an_old_csrf_token_is_kept_to_be_sent_again(head_a, head_worker, hoa):
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(head_a)
    body = visit_body(hoa.household, head_worker, uuid.uuid4())

    replay = client.post(reverse("visits:new"), body, headers={OUTBOX_HEADER: "1", "X-CSRFToken": "x" * 32})
    page = client.post(reverse("visits:new"), body)

    assert replay.status_code == 403 and replay.json() == {"signin": True}
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")  # the site's refusal page
    assert not HomeVisit.objects.exists()


# --- a form sent twice is saved once -----


def test_a_visit_sent_twice_is_saved_once_and_the_second_is_told(english_client, head_a, head_worker, hoa):
    english_client.force_login(head_a)
    body = visit_body(hoa.household, head_worker, uuid.uuid4())
    body[f"achievements_{hoa.pk}"] = [Achievement.EID_ACTIVATED]

    first = english_client.post(reverse("visits:new"), body)
    # The first saved the e-ID: the form would now refuse it as reached. The key answers first.
    second = english_client.post(reverse("visits:new"), body, **OUTBOX)

    assert first.status_code == 302
    assert second.json()["saved"] is True
    assert second.json()["location"] == first["Location"]
    assert "This was saved already: nothing was saved twice." in second.json()["messages"]
    assert HomeVisit.objects.count() == 1


def test_a_ladder_tick_sent_twice_moves_the_ladder_once(english_client, head_a, hoa):
    english_client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[hoa.household_id, hoa.pk])
    key = str(uuid.uuid4())
    day = commune_today() - datetime.timedelta(days=3)

    first = english_client.post(url, {"step": "eid", "on": day.isoformat(), "submission_key": key})
    hoa.refresh_from_db()
    version = hoa.version
    # Meanwhile an official corrects the date; the late replay of the first tick must not undo it.
    resident_ladder_correct(resident=hoa, step=LadderStep.EID, on=commune_today())
    again = english_client.post(url, {"step": "eid", "on": day.isoformat(), "submission_key": key})

    hoa.refresh_from_db()
    assert first.status_code == 302 and again.status_code == 302
    assert again["Location"] == first["Location"]
    assert hoa.eid_on == commune_today()
    assert hoa.version == version + 1
    # The tick's key only: the correction went through no submission key.
    assert Submission.objects.filter(user=head_a).count() == 1


def test_a_departure_sent_twice_is_answered_as_saved_not_404(english_client, head_a, hoa):
    english_client.force_login(head_a)
    url = reverse("villages:member_departure", args=[hoa.household_id, hoa.pk])
    body = {"reason": Resident.LeftReason.MOVED_AWAY, "on": commune_today().isoformat()}
    body["submission_key"] = str(uuid.uuid4())

    first = english_client.post(url, body)
    again = english_client.post(url, body, **OUTBOX)

    hoa.refresh_from_db()
    assert first.status_code == 302
    assert again.status_code == 200 and again.json()["saved"] is True
    assert hoa.left_on == commune_today()


def test_an_attendance_sent_twice_keeps_what_was_changed_in_between(english_client, worker_a, village_a, hoa):
    session = TrainingSession.objects.create(
        commune=village_a.commune, village=village_a, held_on=commune_today()
    )
    other = factories.resident(hoa.household, full_name="Nông Văn Tú")
    english_client.force_login(worker_a)
    url = reverse("training:attendance", args=[session.pk])
    key = str(uuid.uuid4())

    english_client.post(url, {"action": "save", "resident": [hoa.pk], "submission_key": key})
    # Someone else then marks Tú present and Hoa absent.
    english_client.post(url, {"action": "save", "resident": [other.pk], "was_present": [hoa.pk]})
    again = english_client.post(url, {"action": "save", "resident": [hoa.pk], "submission_key": key})

    assert again.status_code == 302
    assert list(Attendance.objects.values_list("resident", flat=True)) == [other.pk]


def test_a_refused_form_is_not_remembered_so_the_corrected_one_saves(english_client, head_a, hoa):
    english_client.force_login(head_a)
    url = reverse("villages:member_ladder", args=[hoa.household_id, hoa.pk])
    key = str(uuid.uuid4())
    tomorrow = commune_today() + datetime.timedelta(days=1)

    refused = english_client.post(url, {"step": "eid", "on": tomorrow.isoformat(), "submission_key": key})
    saved = english_client.post(
        url, {"step": "eid", "on": commune_today().isoformat(), "submission_key": key}
    )

    hoa.refresh_from_db()
    assert refused.status_code == 200
    assert saved.status_code == 302
    assert hoa.eid_on == commune_today()


def test_someone_elses_key_is_not_their_answer(english_client, head_a, official, hoa):
    # Issue 25: a key belongs to whoever sent it first; anybody else is refused, and nothing
    # of theirs is saved (it was saved under the other user's key before).
    url = reverse("villages:member_ladder", args=[hoa.household_id, hoa.pk])
    key = str(uuid.uuid4())
    english_client.force_login(head_a)
    english_client.post(url, {"step": "eid", "on": commune_today().isoformat(), "submission_key": key})
    english_client.force_login(official)

    response = english_client.post(
        url, {"step": "smartphone", "on": commune_today().isoformat(), "submission_key": key}
    )

    hoa.refresh_from_db()
    assert response.status_code == 409
    assert "Softbridge-Saved-Key" not in response
    assert hoa.smartphone_on is None
    assert Submission.objects.filter(key=key).count() == 1


def test_the_field_forms_carry_a_submission_key(english_client, head_a, head_worker, hoa, village_a):
    session = TrainingSession.objects.create(
        commune=village_a.commune, village=village_a, held_on=commune_today()
    )
    english_client.force_login(head_a)
    pages = [
        reverse("villages:household", args=[hoa.household_id]),
        reverse("villages:member_ladder", args=[hoa.household_id, hoa.pk]),
        reverse("villages:member_departure", args=[hoa.household_id, hoa.pk]),
        reverse("training:attendance", args=[session.pk]),
        f"{reverse('visits:new')}?household={hoa.household_id}",
    ]
    for page in pages:
        html = english_client.get(page).content.decode()
        assert 'name="submission_key"' in html, page
        assert "data-outbox" in html, page
