"""Moves, returns, splits and the head of household on the household pages (issue 16).

From the household page: "moved to another household" (search as you type for the
household, or set up a new one), "came back" for a member who had moved away, "split the
household" and "change the head". Each page writes through villages.services.
"""

import datetime

import pytest
from django.urls import reverse

from softbridge.calendar import commune_today
from tests import factories
from tests.factories import api_client
from villages.models import Household, PastStay, Resident
from villages.services import resident_move

D = datetime.date
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def move_url(member):
    return reverse("villages:member_move", args=[member.household_id, member.pk])


def test_an_official_finds_the_household_and_records_the_move(client, official, resident_a, household_b):
    factories.resident(household_b, full_name="Lương Văn Tú", relation="head")
    client.force_login(official)
    page = client.get(move_url(resident_a), {"q": "luong tu"}, **EN)
    assert page.status_code == 200
    assert [h.pk for h in page.context["options"]] == [household_b.pk]
    options = client.get(
        reverse("villages:household_options", args=[resident_a.household_id]), {"q": "BT-0"}, **EN
    )
    assert f'value="{household_b.pk}"' in options.content.decode()

    response = client.post(move_url(resident_a), {"household": household_b.pk, "on": "2025-03-01"}, **EN)

    assert response.status_code == 302
    assert response["Location"] == reverse("villages:household", args=[household_b.pk])
    resident_a.refresh_from_db()
    assert (resident_a.household_id, resident_a.moved_in_on) == (household_b.pk, D(2025, 3, 1))
    assert PastStay.objects.get(resident=resident_a).ended_on == D(2025, 3, 1)
    old = client.get(
        reverse("villages:household", args=[resident_a.pk and PastStay.objects.get().household_id]), **EN
    )
    assert "moved to another household of the commune on" in old.content.decode()
    new = client.get(reverse("villages:household", args=[household_b.pk]), **EN).content.decode()
    assert "Lived in Nà Khau until" in new


def test_a_village_head_finds_only_households_of_their_villages(
    client, head_a, resident_a, village_a, household_b
):
    other = factories.household(village_a, code="NK-002")
    client.force_login(head_a)
    url = reverse("villages:household_options", args=[resident_a.household_id])
    found = client.get(url, {"q": "-00"}).context["options"]
    assert [h.code for h in found] == ["NK-002"]  # not its own, not village B's

    refused = client.post(move_url(resident_a), {"household": household_b.pk, "on": "2025-03-01"}, **EN)
    assert refused.status_code == 200
    assert "Search for the household and choose it." in refused.content.decode()
    assert not PastStay.objects.exists()
    assert client.post(move_url(resident_a), {"household": other.pk, "on": "2025-03-01"}).status_code == 302


@pytest.mark.parametrize(
    ("on", "says"),
    [
        ("2024-12-31", "before the resident&#x27;s current stay began (2025-01-01)"),
        ("future", "The date is in the future."),
        ("", "This field is required."),
    ],
)
def test_a_date_that_makes_no_sense_comes_back_with_the_message(
    client, official, resident_a, household_b, on, says
):
    resident_a.moved_in_on = D(2025, 1, 1)
    resident_a.save()
    if on == "future":
        on = (commune_today() + datetime.timedelta(days=1)).isoformat()
    client.force_login(official)
    response = client.post(move_url(resident_a), {"household": household_b.pk, "on": on}, **EN)
    assert response.status_code == 200
    assert says in response.content.decode()
    assert response.context["chosen"] == household_b
    assert not PastStay.objects.exists()


def test_a_member_who_moved_away_comes_back(client, official, resident_a, household_a):
    resident_a.left_on, resident_a.left_reason = D(2024, 8, 20), "moved_away"
    resident_a.save()
    client.force_login(official)
    household_page = client.get(reverse("villages:household", args=[household_a.pk]), **EN).content.decode()
    assert move_url(resident_a) in household_page and "came back" in household_page
    page = client.get(move_url(resident_a), **EN)
    assert page.context["returning"] and page.context["chosen"] == household_a

    response = client.post(move_url(resident_a), {"household": household_a.pk, "on": "2025-06-05"})

    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert (resident_a.left_on, resident_a.moved_in_on) == (None, D(2025, 6, 5))
    assert PastStay.objects.get().ended_by == "moved_away"


def test_a_member_who_died_has_no_move_page(client, official, resident_a):
    resident_a.left_on, resident_a.left_reason = D(2024, 8, 20), "died"
    resident_a.save()
    client.force_login(official)
    assert client.get(move_url(resident_a)).status_code == 404


def test_a_split_sets_up_a_household_with_its_head(client, official, household_a, village_b):
    head = factories.resident(household_a, full_name="Ông", relation="head")
    son = factories.resident(household_a, full_name="Con", relation="child")
    wife = factories.resident(household_a, full_name="Dâu", relation="other")
    client.force_login(official)
    url = reverse("villages:household_split", args=[household_a.pk])
    form = client.get(url, {"members": [son.pk]}).context["form"]
    assert form.initial["members"] == [str(son.pk)] and form.initial["head"] == str(son.pk)

    data = {
        "members": [son.pk, wife.pk],
        "head": son.pk,
        "village": village_b.pk,
        "code": "BT-050",
        "on": "2025-04-10",
    }
    response = client.post(url, data)

    created = Household.objects.get(code="BT-050")
    assert response.status_code == 302 and response["Location"] == reverse(
        "villages:household", args=[created.pk]
    )
    assert dict(created.members.values_list("full_name", "relation")) == {"Con": "head", "Dâu": "other"}
    assert created.worker_in_charge_id == household_a.worker_in_charge_id
    assert list(household_a.members.values_list("pk", flat=True)) == [head.pk]


def test_a_split_whose_head_does_not_move_is_refused(client, official, household_a, village_b):
    son = factories.resident(household_a, full_name="Con", relation="child")
    wife = factories.resident(household_a, full_name="Dâu", relation="other")
    client.force_login(official)
    data = {
        "members": [wife.pk],
        "head": son.pk,
        "village": village_b.pk,
        "code": "BT-050",
        "on": "2025-04-10",
    }
    response = client.post(reverse("villages:household_split", args=[household_a.pk]), data, **EN)
    assert response.status_code == 200
    assert "The new head is one of the members who move." in response.content.decode()
    assert not Household.objects.filter(code="BT-050").exists()


def test_changing_the_head_on_the_page(client, head_a, household_a):
    old = factories.resident(household_a, full_name="Cũ", relation="head")
    new = factories.resident(household_a, full_name="Mới", relation="child")
    client.force_login(head_a)
    url = reverse("villages:household_head", args=[household_a.pk])
    assert client.get(url).context["form"].initial["head"] == old.pk

    response = client.post(url, {"head": new.pk, "former_head_relation": "parent"})

    assert response.status_code == 302
    assert dict(household_a.members.values_list("full_name", "relation")) == {"Cũ": "parent", "Mới": "head"}


def test_the_member_page_refuses_a_second_head(client, official, household_a):
    factories.resident(household_a, full_name="Cũ", relation="head")
    child = factories.resident(household_a, full_name="Con", relation="child", birth_year=2000)
    client.force_login(official)
    url = reverse("villages:member_edit", args=[household_a.pk, child.pk])
    data = {"full_name": "Con", "birth_year": "2000", "relation": "head", "version": child.version}
    response = client.post(url, data, **EN)
    assert response.status_code == 200
    assert "Cũ is the head of household NK-001" in response.content.decode()
    assert Resident.objects.get(pk=child.pk).relation == "child"


def test_only_register_keepers_see_the_buttons(client, official, leader, household_a, resident_a):
    page = reverse("villages:household", args=[household_a.pk])
    client.force_login(official)
    shown = client.get(page).content.decode()
    assert (
        move_url(resident_a) in shown and reverse("villages:household_split", args=[household_a.pk]) in shown
    )
    client.force_login(leader)
    hidden = client.get(page).content.decode()
    assert (
        move_url(resident_a) not in hidden
        and reverse("villages:household_head", args=[household_a.pk]) not in hidden
    )
    assert client.get(move_url(resident_a)).status_code == 403


def test_a_moving_in_date_before_the_earlier_stay_ended_is_refused(client, official, resident_a, household_b):
    """The stays would overlap and the commune count the person twice."""
    moved = resident_move(resident=resident_a, household=household_b, on=D(2025, 3, 1))
    client.force_login(official)
    url = reverse("villages:member_edit", args=[household_b.pk, moved.pk])
    data = {
        "full_name": moved.full_name,
        "birth_year": "1985",
        "moved_in_on": "2025-02-28",
        "version": moved.version,
    }
    page = client.post(url, data, **EN)
    assert page.status_code == 200
    assert "left their previous household on 2025-03-01" in str(page.context["form"].errors["moved_in_on"])
    response = api_client(official).patch(f"/api/residents/{moved.pk}/", {"moved_in_on": None}, format="json")
    assert response.status_code == 400 and "moved_in_on" in response.json()
    moved.refresh_from_db()
    assert moved.moved_in_on == D(2025, 3, 1)


def test_the_history_of_changes_shows_each_move(client, official, resident_a, household_b):
    resident_move(resident=resident_a, household=household_b, on=D(2025, 3, 1))
    client.force_login(official)
    for household in (resident_a.household, household_b):
        page = client.get(reverse("villages:household_history", args=[household.pk]), **EN)
        entries = page.context["page"].object_list
        moved = [e for e in entries if e.object_type == "resident" and e.kind == "~"]
        assert [(c.old, c.new) for c in moved[0].changes if c.field == "household"] == [("NK-001", "BT-001")]
        assert any(c.field == "moved in on" and c.new == "2025-03-01" for c in moved[0].changes)
        stay = next(e for e in entries if e.object_type == "stay")
        assert stay.subject == "stay of Nông Thị Hoa in household NK-001"
    api = api_client(official).get(f"/api/households/{household_b.pk}/history/")
    assert any(entry["object_type"] == "stay" for entry in api.json()["results"])


def test_the_admin_refuses_two_heads_among_a_households_members(client, official, household_a):
    first = factories.resident(household_a, full_name="Một", relation="head")
    second = factories.resident(household_a, full_name="Hai", relation="child")
    official.is_staff = True
    official.save()
    client.force_login(official)
    data = {
        "village": household_a.village_id,
        "code": household_a.code,
        "read_version": household_a.version,
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "2",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for n, member in enumerate((first, second)):
        data |= {
            f"members-{n}-id": member.pk,
            f"members-{n}-household": household_a.pk,
            f"members-{n}-full_name": member.full_name,
            f"members-{n}-relation": "head",
            f"members-{n}-read_version": member.version,
        }
    response = client.post(reverse("admin:villages_household_change", args=[household_a.pk]), data, **EN)
    assert response.status_code == 200
    assert "A household has one head" in response.content.decode()
    assert Resident.objects.get(pk=second.pk).relation == "child"
