"""A masked ID number cannot be recovered by searching, filtering or ordering (issue 13, 1 and 2).

Leaders, workers and village heads see `********3132`. Every search box and filter that
takes an ID number must match, for them, only what they are shown: the last four digits,
exactly. Otherwise adding one digit at a time to a search recovers the whole number in
about 33 requests. Each surface (API, pages, the visit form's picker, the admin) is probed
per role with a part of the number longer than what is shown.
"""

import pytest
from django.urls import reverse

from mobilization.models import Application
from tests import factories
from tests.factories import api_client as api

NUMBER = "001085003132"
PHONE = "0912 345 678"

# What a probe types, and whether someone shown only the last four digits may find the resident by it.
PROBES = [
    ("3132", True),  # the last four digits: shown to everyone who sees the resident
    ("5003132", False),  # a longer tail: the next digit of the attack
    ("85003132", False),
    ("0010", False),  # the first four digits
    ("001085003132", False),  # the whole number
    ("1085", False),  # four digits from the middle
    ("345 678", True),  # the phone number is shown in full
]

MASKED_ROLES = ["head_a", "worker_a", "leader"]


@pytest.fixture
def person(resident_a):
    resident_a.national_id = NUMBER
    resident_a.phone = PHONE
    resident_a.save()
    return resident_a


def staff(client, user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    return client


def api_residents(user, text, person):
    response = api(user).get("/api/residents/", {"household": person.household_id, "search": text})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]] == [person.pk]


def api_households(user, text, person):
    response = api(user).get("/api/households/", {"search": text})
    assert response.status_code == 200, response.content
    return person.household_id in [row["id"] for row in response.json()["results"]]


def household_page(client, user, text, person):
    client.force_login(user)
    response = client.get(reverse("villages:households"), {"q": text})
    assert response.status_code == 200
    return person.household in list(response.context["page"])


def visit_picker(client, user, text, person):
    client.force_login(user)
    response = client.get(reverse("visits:household_options"), {"q": text})
    assert response.status_code == 200
    return person.household in response.context["options"]


SURFACES = {
    "api residents": lambda client, user, text, person: api_residents(user, text, person),
    "api households": lambda client, user, text, person: api_households(user, text, person),
    "household list": household_page,
}


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("text,found_when_masked", PROBES)
@pytest.mark.parametrize("role", MASKED_ROLES)
def test_search_by_number_matches_only_what_a_masked_role_is_shown(
    request, client, person, surface, role, text, found_when_masked
):
    user = request.getfixturevalue(role)
    assert SURFACES[surface](client, user, text, person) is found_when_masked


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("text", [text for text, _masked in PROBES])
def test_an_official_finds_the_resident_by_any_part_of_the_number(client, person, official, surface, text):
    assert SURFACES[surface](client, official, text, person) is True


@pytest.mark.parametrize("text,found_when_masked", PROBES)
def test_visit_picker_matches_only_what_a_worker_is_shown(client, person, worker_a, text, found_when_masked):
    assert visit_picker(client, worker_a, text, person) is found_when_masked


def test_visit_picker_finds_an_officials_search_by_the_middle_of_the_number(client, person, official):
    assert visit_picker(client, official, "85003132", person) is True


def test_one_role_in_full_and_one_masked_follow_each_commune(client, person, other_commune):
    """An official of another commune who is a village head here sees this commune's numbers masked."""
    user = factories.role_user("official", other_commune, username="both")
    from villages.models import Role

    role = Role.objects.create(user=user, commune=person.commune, kind=Role.Kind.VILLAGE_HEAD)
    role.villages.set([person.household.village])
    assert api_residents(user, "85003132", person) is False
    assert api_residents(user, "3132", person) is True


def test_the_api_ignores_ordering_by_a_masked_number(person, head_a):
    other = factories.resident(person.household, full_name="A Ba", national_id="999999990000")
    orders = {}
    for ordering in ("national_id", "-national_id", "phone", "-phone"):
        response = api(head_a).get(
            "/api/residents/", {"household": person.household_id, "ordering": ordering}
        )
        assert response.status_code == 200
        orders[ordering] = [row["id"] for row in response.json()["results"]]
    # Ordering by the hidden number would tell which of the two is larger: the order does not move.
    assert orders["national_id"] == orders["-national_id"]
    assert set(orders["national_id"]) == {person.pk, other.pk}


# --- The admin


def admin_residents(client, params):
    return client.get(reverse("admin:villages_resident_changelist"), params)


@pytest.mark.parametrize("text,found_when_masked", PROBES)
@pytest.mark.parametrize("role", MASKED_ROLES)
def test_admin_search_matches_only_what_a_masked_role_is_shown(
    request, client, person, role, text, found_when_masked
):
    staff(client, request.getfixturevalue(role))
    response = admin_residents(client, {"q": text})
    assert response.status_code == 200
    found = person in list(response.context["cl"].result_list)
    # The admin matches numbers whole: the phone only when typed whole.
    assert found is (found_when_masked and text == "3132")


def test_admin_search_by_the_whole_number_finds_it_for_an_official(client, person, official):
    staff(client, official)
    response = admin_residents(client, {"q": NUMBER})
    assert list(response.context["cl"].result_list) == [person]


def test_admin_application_search_by_number_is_masked_too(client, person, head_a, official):
    Application.objects.create(
        commune=person.commune,
        resident=person,
        village=person.household.village,
        field="land",
        channel="in_person",
        submitted_on="2025-01-02",
    )
    url = reverse("admin:mobilization_application_changelist")
    staff(client, head_a)
    assert list(client.get(url, {"q": NUMBER}).context["cl"].result_list) == []
    assert len(client.get(url, {"q": "3132"}).context["cl"].result_list) == 1
    staff(client, official)
    assert len(client.get(url, {"q": NUMBER}).context["cl"].result_list) == 1


def test_admin_autocomplete_of_residents_is_masked_too(client, person, head_a):
    staff(client, head_a)
    params = {
        "app_label": "mobilization",
        "model_name": "application",
        "field_name": "resident",
        "term": NUMBER,
    }
    response = client.get(reverse("admin:autocomplete"), params)
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.parametrize(
    "lookup",
    [
        "national_id__startswith",
        "national_id__contains",
        "national_id__regex",
        "national_id",
        "phone__startswith",
        "household__residents__national_id__startswith",
        "full_name__icontains",
    ],
)
@pytest.mark.parametrize("role", ["official", "head_a", "leader"])
def test_admin_refuses_lookups_its_filters_do_not_offer(request, client, person, role, lookup):
    staff(client, request.getfixturevalue(role))
    for value in ("0", "(", NUMBER):
        response = admin_residents(client, {lookup: value})
        assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"sex__exact": "F"},
        {"left_reason__exact": "died"},
        {"living_here": "yes"},
        {"household__village__id__exact": "1"},
        {"o": "6"},
    ],
)
def test_admin_still_takes_the_filters_it_offers(client, person, official, params):
    staff(client, official)
    if "household__village__id__exact" in params:
        params = {"household__village__id__exact": str(person.household.village_id)}
    response = admin_residents(client, params)
    assert response.status_code == 200


def test_admin_date_hierarchy_still_works(client, person, official):
    staff(client, official)
    url = reverse("admin:mobilization_application_changelist")
    response = client.get(url, {"submitted_on__year": "2025", "submitted_on__month": "1"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0
