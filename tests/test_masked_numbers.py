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
        assert person.full_name not in response.content.decode()  # the probe learns nothing


@pytest.mark.parametrize(
    ("params", "listed"),
    [
        ({"sex__exact": "F"}, False),  # the person's sex is not recorded
        ({"left_reason__exact": "died"}, False),
        ({"living_here": "yes"}, True),
        ({"household__village__id__exact": "1"}, True),
        ({"o": "6"}, True),
    ],
)
def test_admin_still_takes_the_filters_it_offers(client, person, official, params, listed):
    staff(client, official)
    if "household__village__id__exact" in params:
        params = {"household__village__id__exact": str(person.household.village_id)}
    response = admin_residents(client, params)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == ([person] if listed else [])


def test_admin_date_hierarchy_still_works(client, person, official):
    staff(client, official)
    url = reverse("admin:mobilization_application_changelist")
    response = client.get(url, {"submitted_on__year": "2025", "submitted_on__month": "1"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 0


# --- Who sees a number in full, and how the mask looks: one rule, one mask, every surface
# (villages.access.NationalIdsShown decides, softbridge.text.mask_national_id draws).

MASK = "********3132"


def shown_on_household_page(client, user, person):
    client.force_login(user)
    return client.get(reverse("villages:household", args=[person.household_id])).content.decode()


def shown_in_api(client, user, person):
    return api(user).get(f"/api/residents/{person.pk}/").content.decode()


def shown_in_admin_list(client, user, person):
    staff(client, user)
    return client.get(reverse("admin:villages_resident_changelist")).content.decode()


def shown_on_admin_page(client, user, person):
    staff(client, user)
    return client.get(reverse("admin:villages_resident_change", args=[person.pk])).content.decode()


def shown_in_export(client, user, person):
    client.force_login(user)
    response = client.get(reverse("roster:export", args=["residents", "csv"]))
    return b"".join(response.streaming_content).decode("utf-8-sig")


SHOWN_ON = {
    "household page": shown_on_household_page,
    "api": shown_in_api,
    "admin list": shown_in_admin_list,
    "admin page": shown_on_admin_page,
    "export": shown_in_export,
}


@pytest.mark.parametrize("surface", SHOWN_ON)
@pytest.mark.parametrize("role", MASKED_ROLES)
def test_every_surface_draws_the_one_mask(request, client, person, surface, role):
    text = SHOWN_ON[surface](client, request.getfixturevalue(role), person)
    assert NUMBER not in text
    assert MASK in text


@pytest.mark.parametrize("surface", SHOWN_ON)
def test_every_surface_shows_the_number_in_full_to_an_official(client, person, official, surface):
    assert NUMBER in SHOWN_ON[surface](client, official, person)


def test_the_rule_and_the_mask_are_one(person, official, head_a, superuser, other_commune):
    from softbridge.text import mask_national_id, masked_national_id_sql
    from villages.access import NationalIdsShown, may_see_full_national_ids
    from villages.models import Resident

    assert mask_national_id(NUMBER) == MASK and mask_national_id("") == ""
    for user in (official, head_a, superuser, factories.role_user("official", other_commune, username="x")):
        shown = NationalIdsShown(user)
        in_full = may_see_full_national_ids(user, person.commune_id)
        assert shown.in_full(person.commune_id) is in_full
        assert shown.number(NUMBER, person.commune_id) == (NUMBER if in_full else MASK)
        # The admin's list masks in SQL: the same text as in Python, an empty number included.
        empty = factories.resident(person.household, full_name="Lò Văn Khoa")
        rows = dict(
            Resident.objects.filter(household=person.household).annotate(s=shown.sql()).values_list("pk", "s")
        )
        assert rows[person.pk] == shown.number(NUMBER, person.commune_id)
        assert rows[empty.pk] == ""
        empty.delete()
    rows = (
        Resident.objects.filter(pk=person.pk).annotate(s=masked_national_id_sql()).values_list("s", flat=True)
    )
    assert list(rows) == [MASK]


# --- The API's published docs and answers (issue 14)


def test_the_api_docs_say_only_the_communes_officials_see_id_numbers_in_full(client):
    schema = client.get(
        "/api/schema/", headers={"accept": "application/json", "accept-language": "en"}
    ).json()
    texts = []

    def collect(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    texts.append(" ".join(value.split()))
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(schema)
    about_full_numbers = [t for t in texts if "in full" in t.lower() and "id number" in t.lower()]
    assert about_full_numbers  # the docs do say who sees them
    for text in about_full_numbers:
        assert "in full to the commune's officials" in text, text
        assert "village heads included" in text, text
    field = schema["components"]["schemas"]["Resident"]["properties"]["national_id"]["description"]
    assert field.startswith("In full to the commune's officials; otherwise masked")


def test_a_village_heads_api_answers_hold_no_full_number(person, head_a):
    client = api(head_a)
    answers = [
        client.get("/api/residents/"),
        client.get("/api/residents/", {"search": "3132"}),
        client.get(f"/api/residents/{person.pk}/"),
        client.patch(f"/api/residents/{person.pk}/", {"phone": "0911111111"}, format="json"),
        client.post(
            f"/api/residents/{person.pk}/ladder/", {"step": "smartphone", "on": "2024-01-02"}, format="json"
        ),
        client.get("/api/households/"),
        client.get(f"/api/households/{person.household_id}/"),
        client.get(f"/api/households/{person.household_id}/history/"),
    ]
    assert [answer.status_code for answer in answers[:7]] == [200] * 7
    for answer in answers:
        assert NUMBER.encode() not in answer.content
    assert MASK.encode() in answers[2].content
