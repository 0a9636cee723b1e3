"""The register and attendance on a field device (docs/offline.md, "The register and attendance
offline"): which of their pages a phone keeps, and what the server answers the outbox's replays
of their forms: once per key, refused the same way as a visit."""

import datetime
import math
import uuid

import pytest
from django.urls import reverse

from frontdoor.device import DEVICE_COPY_HEADER, FIELD_STATIC, OUTBOX_HEADER
from frontdoor.home import TODAY_PAGE_SIZE
from softbridge.calendar import commune_today
from softbridge.models import Submission
from softbridge.submissions import SAVED_HEADER
from tests import factories
from training.models import Attendance
from villages.models import Achievement, Household, Resident

COPY = {"headers": {DEVICE_COPY_HEADER: "1", "accept-language": "en"}}
OUTBOX = {"headers": {OUTBOX_HEADER: "1", "accept-language": "en"}}
TODAY = commune_today()


@pytest.fixture
def family(household_a):
    household_a.phone = "0209999111"
    household_a.address = "Lũng Phìa"
    household_a.save()
    head = factories.resident(household_a, full_name="Nông Văn Cả", relation="head", birth_year=1960)
    child = factories.resident(household_a, full_name="Nông Thị Hoa", relation="child", birth_year=1990)
    gone = factories.resident(
        household_a,
        full_name="Nông Văn Đi",
        birth_year=1970,
        left_on=datetime.date(2024, 1, 1),
        left_reason="moved_away",
    )
    return household_a, head, child, gone


def kept_urls(client) -> list[str]:
    return [page["url"] for page in client.get(reverse("device_pages")).json()["pages"]]


# --- what a phone keeps


def test_a_village_heads_phone_keeps_the_register_forms_of_each_household(english_client, head_a, family):
    household, head, child, gone = family
    english_client.force_login(head_a)

    urls = kept_urls(english_client)

    for name in ("member_new", "household_edit", "household_split", "household_head"):
        assert reverse(f"villages:{name}", args=[household.pk]) in urls
    assert reverse("villages:member_move", args=[household.pk, head.pk]) in urls
    assert reverse("villages:member_move", args=[household.pk, child.pk]) in urls
    assert reverse("villages:member_move", args=[household.pk, gone.pk]) not in urls  # not a member now
    # A member's change shows their ID and phone numbers: never kept.
    assert not [url for url in urls if url.endswith("/edit/") and "/members/" in url]


def test_a_village_heads_phone_keeps_the_register_forms_of_its_most_urgent_households(
    english_client, head_a, village_a, monkeypatch
):
    """The head's budget (docs/offline.md): register forms for KEPT_REGISTER_HOUSEHOLDS households
    at most, in Today's order; the phone is told how many of how many, to say so."""
    monkeypatch.setattr("frontdoor.device.KEPT_REGISTER_HOUSEHOLDS", 2)
    done = factories.household(village_a, code="NK-001")  # visited today, nothing due
    factories.visit(done)
    never = factories.household(village_a, code="NK-002")  # never visited
    overdue = factories.household(village_a, code="NK-003")  # its follow-up is overdue
    factories.visit(
        overdue,
        visited_on=commune_today() - datetime.timedelta(days=20),
        follow_up_on=commune_today() - datetime.timedelta(days=3),
    )
    english_client.force_login(head_a)

    kept = english_client.get(reverse("device_pages")).json()

    urls = [page["url"] for page in kept["pages"]]
    forms = [url for url in urls if url.endswith("/members/new/")]
    assert forms == [reverse("villages:member_new", args=[pk]) for pk in (overdue.pk, never.pk)]
    # Every household's own page and visit form are still kept.
    assert reverse("villages:household", args=[done.pk]) in urls
    assert (kept["register_charge"], kept["register_kept"]) == (3, 2)


def test_a_workers_phone_keeps_no_register_form(english_client, worker_a, family):
    household, *_members = family
    english_client.force_login(worker_a)

    urls = kept_urls(english_client)

    assert reverse("villages:household", args=[household.pk]) in urls  # the household's page is
    assert not [url for url in urls if url.startswith(f"/households/{household.pk}/") and url.count("/") > 3]


def test_a_phone_keeps_the_training_list_and_every_page_of_today(english_client, worker_a, village_a):
    for n in range(TODAY_PAGE_SIZE * 2 + 1):
        factories.household(village_a, code=f"NK-{n:03}")
    english_client.force_login(worker_a)

    urls = kept_urls(english_client)

    assert reverse("training:sessions") in urls
    pages = math.ceil((TODAY_PAGE_SIZE * 2 + 1) / TODAY_PAGE_SIZE)
    assert [url for url in urls if url.startswith("/?page=")] == [f"/?page={n}" for n in range(2, pages + 1)]
    assert english_client.get("/?page=3", **COPY).context["page"].number == 3


def test_an_officials_phone_keeps_one_home_page(english_client, official, village_a):
    for n in range(TODAY_PAGE_SIZE + 1):
        factories.household(village_a, code=f"NK-{n:03}")
    english_client.force_login(official)

    assert not [url for url in kept_urls(english_client) if url.startswith("/?page=")]


def test_the_service_worker_keeps_the_sessions_stylesheet_and_script(english_client):
    body = english_client.get(reverse("service_worker")).content.decode()

    assert "css/program.css" in FIELD_STATIC and "js/attendance.js" in FIELD_STATIC
    assert "/css/program" in body and "/js/attendance" in body


# --- a household's change on a phone's copy


def test_a_copy_of_a_households_change_carries_no_phone_number(english_client, head_a, family):
    household, *_members = family
    english_client.force_login(head_a)

    page = english_client.get(
        reverse("villages:household_edit", args=[household.pk]), **COPY
    ).content.decode()

    assert "0209999111" not in page
    assert 'name="phone_kept" value="1"' in page
    assert "data-outbox" in page


def household_change(household, **changes):
    return {
        "address": "Lũng Phìa, cạnh trường",
        "phone": "",
        "has_smartphone": "on",
        "distance_km": "",
        "worker_in_charge": "",
        "version": household.version,
        "submission_key": str(uuid.uuid4()),
        **changes,
    }


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"phone_kept": "1"}, "0209999111"),  # from a phone's copy, nothing typed: the number stays
        ({"phone_kept": "1", "phone": "0987 654 321"}, "0987 654 321"),  # a new number typed
        ({}, ""),  # the page with the number in it, emptied: no number any more
    ],
)
def test_a_households_change_keeps_the_phone_only_when_sent_from_a_copy(
    english_client, head_a, family, sent, stored
):
    household, *_members = family
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:household_edit", args=[household.pk]), household_change(household, **sent), **OUTBOX
    )

    assert response.json()["saved"] is True
    household.refresh_from_db()
    assert (household.address, household.phone) == ("Lũng Phìa, cạnh trường", stored)


def test_a_households_change_from_a_copy_refused_keeps_saying_the_number_stays(
    english_client, head_a, family
):
    household, *_members = family
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:household_edit", args=[household.pk]),
        household_change(household, phone_kept="1", distance_km="-4"),
        **OUTBOX,
    )

    page = response.content.decode()
    assert response.status_code == 200 and "0209999111" not in page
    assert 'name="phone_kept" value="1"' in page  # saved again once corrected, the number stays
    household.refresh_from_db()
    assert household.address == "Lũng Phìa"


# --- the outbox's replays of the register's forms


def register_replays(household, head, child, other, village):
    """(address, body) of each register form a phone keeps, as the outbox sends it."""
    return {
        "newborn": (
            reverse("villages:member_new", args=[household.pk]),
            {"full_name": "Nông Văn Bé", "birth_year": str(TODAY.year), "relation": "child"},
        ),
        "household change": (
            reverse("villages:household_edit", args=[household.pk]),
            household_change(household),
        ),
        "move": (
            reverse("villages:member_move", args=[household.pk, child.pk]),
            {"household": other.pk, "on": TODAY.isoformat(), "q": ""},
        ),
        "split": (
            reverse("villages:household_split", args=[household.pk]),
            {"members": [child.pk], "head": child.pk, "village": village.pk, "code": "NK-050", "on": TODAY},
        ),
        "head": (
            reverse("villages:household_head", args=[household.pk]),
            {"head": child.pk, "former_head_relation": "parent"},
        ),
        "tick": (
            reverse("villages:member_ladder", args=[household.pk, child.pk]),
            {"step": "eid", "on": TODAY.isoformat()},
        ),
    }


def register_state():
    return (
        list(Household.objects.order_by("pk").values_list("code", "address", "phone", "version")),
        list(
            Resident.objects.order_by("pk").values_list(
                "full_name", "household", "relation", "eid_on", "version"
            )
        ),
    )


REPLAYS = ["newborn", "household change", "move", "split", "head", "tick"]


@pytest.mark.parametrize("name", REPLAYS)
def test_a_register_replay_is_stored_once_and_answered_saved_twice(
    name, english_client, head_a, family, village_a
):
    household, head, child, _gone = family
    other = factories.household(village_a, code="NK-020")
    url, body = register_replays(household, head, child, other, village_a)[name]
    body = {**body, "submission_key": str(uuid.uuid4())}
    english_client.force_login(head_a)
    before = register_state()

    first = english_client.post(url, body, **OUTBOX)
    stored = register_state()
    again = english_client.post(url, body, **OUTBOX)

    assert first.status_code == again.status_code == 200
    assert first.json()["saved"] is True and first.json()["key"] == body["submission_key"]
    assert again.json()["location"] == first.json()["location"]
    assert again.json()["key"] == again[SAVED_HEADER] == body["submission_key"]
    assert stored != before  # the first arrival changed the register...
    assert register_state() == stored  # ...the second nothing
    assert Submission.objects.filter(user=head_a, key=body["submission_key"]).count() == 1


@pytest.mark.parametrize("name", REPLAYS)
def test_a_register_replay_under_another_users_key_is_refused_and_stores_nothing(
    name, english_client, head_a, official, family, village_a
):
    household, head, child, _gone = family
    other = factories.household(village_a, code="NK-020")
    key = str(uuid.uuid4())
    Submission.objects.create(user=official, key=key, path="/elsewhere/", answered="/")
    url, body = register_replays(household, head, child, other, village_a)[name]
    english_client.force_login(head_a)
    before = register_state()

    response = english_client.post(url, {**body, "submission_key": key}, **OUTBOX)

    assert response.status_code == 409  # the outbox gives the record a key of its own
    assert SAVED_HEADER not in response
    assert register_state() == before


def test_a_household_change_replayed_after_the_household_changed_is_refused_as_stale(
    english_client, head_a, official, family
):
    household, *_members = family
    body = household_change(household, phone_kept="1")
    english_client.force_login(official)
    english_client.post(
        reverse("villages:household_edit", args=[household.pk]),
        household_change(household, address="Nà Khau"),
    )
    english_client.force_login(head_a)

    response = english_client.post(reverse("villages:household_edit", args=[household.pk]), body, **OUTBOX)

    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    household.refresh_from_db()
    assert household.address == "Nà Khau"
    assert not Submission.objects.filter(user=head_a).exists()  # sent again corrected, it is stored


# --- attendance


@pytest.fixture
def session_yesterday(village_a):
    return factories.session(village_a.commune, village=village_a, held_on=TODAY - datetime.timedelta(days=1))


def test_attendance_offers_only_what_is_left_for_each_resident(
    english_client, worker_a, family, session_yesterday
):
    _household, head, child, _gone = family
    Resident.objects.filter(pk=head.pk).update(
        smartphone_on=datetime.date(2024, 3, 1), eid_on=datetime.date(2024, 3, 1)
    )
    factories.attendance(session_yesterday, head)
    english_client.force_login(worker_a)

    page = english_client.get(reverse("training:attendance", args=[session_yesterday.pk]), **COPY)

    rows = {row["resident"].pk: row for row in page.context["village_list"]}
    left = [
        Achievement.ONLINE_SERVICE,
        Achievement.APPLICATION_SUBMITTED,
        Achievement.RESULT_BY_PHONE,
        Achievement.CASHLESS_PAYMENT,
    ]
    assert rows[head.pk]["offered"] == left
    assert rows[child.pk]["offered"] == list(Achievement.values)
    html = page.content.decode()
    assert f'data-offered="{" ".join(left)}"' in html
    # The head is present: the page draws only what is left for him.
    assert f'name="ach-{head.pk}" value="{Achievement.EID_ACTIVATED}"' not in html
    assert f'name="ach-{head.pk}" value="{Achievement.ONLINE_SERVICE}"' in html


def test_an_attendance_replay_with_a_step_the_resident_reached_earlier_keeps_the_earlier_date(
    english_client, worker_a, family, session_yesterday
):
    """The rule of a visit (Achievement.left_for offers, the ladder keeps its earliest date): an
    attendance kept on a phone may arrive after a visit recorded the same step."""
    _household, head, child, _gone = family
    earlier = datetime.date(2024, 3, 1)
    Resident.objects.filter(pk=head.pk).update(eid_on=earlier)
    english_client.force_login(worker_a)
    url = reverse("training:attendance", args=[session_yesterday.pk])
    body = {
        "action": "save",
        "resident": [head.pk, child.pk],
        f"ach-{head.pk}": [Achievement.EID_ACTIVATED],
        f"ach-{child.pk}": [Achievement.EID_ACTIVATED],
        "submission_key": str(uuid.uuid4()),
    }

    first = english_client.post(url, body, **OUTBOX)
    again = english_client.post(url, body, **OUTBOX)

    assert first.json()["saved"] is True and again.json()["key"] == body["submission_key"]
    head.refresh_from_db()
    child.refresh_from_db()
    assert head.eid_on == earlier
    assert child.eid_on == session_yesterday.held_on
    assert Attendance.objects.filter(session=session_yesterday).count() == 2
    assert Submission.objects.filter(user=worker_a).count() == 1
