"""Identifiers (issue 28, findings 7 and 8): a household code or a worker group's name is the
same whatever its case, width or invisible characters, through every door; and a village
head is not told that a code exists in a village they may not see.

The look-alikes of UNI-1: another case, full-width letters (NFKC makes them UNI-1), a
zero-width space and a combining accent on the 1 (refused: nobody can see them).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from mobilization.models import MobilizationModel, WorkerGroup
from mobilization.services import worker_group_save
from softbridge.text import identifier, identifier_key, invisible_character
from tests import factories
from tests.test_admin import management, staff_client, url
from tests.test_roster_import import csv_file, run
from training.models import Topic
from villages.models import Household, Village
from villages.services import household_split

SAME_CODES = ["uni-1", "ＵＮＩ-1", " Uni-1 "]
INVISIBLE_CODES = {"UNI\u200b-1": "U+200B", "UNI-1\u0301": "U+0301", "\ufeffUNI-1": "U+FEFF"}
TAKEN = "Another household of this commune already has this code."
GENERIC = "This household code cannot be used: choose another."


def invisible(character: str) -> str:
    return (
        f"This holds a character that cannot be seen or a stray accent ({character}): retype it without it."
    )


@pytest.fixture
def uni(village_a):
    return factories.household(village_a, code="UNI-1")


def api(user) -> APIClient:
    client = APIClient(headers={"accept-language": "en"})
    client.force_authenticate(user)
    return client


# --- The rule (softbridge.text) -------------------------------------------------------


def test_look_alike_codes_have_one_key_and_invisible_ones_are_named():
    assert {identifier_key(code) for code in ["UNI-1", *SAME_CODES]} == {"UNI-1"}
    assert identifier("ＵＮＩ-1") == "UNI-1"
    assert {code: invisible_character(code) for code in INVISIBLE_CODES} == INVISIBLE_CODES
    # Vietnamese letters, typed composed or decomposed, are letters, not stray accents.
    assert invisible_character("Nguye\u0302\u0303n Thi\u0323") is None
    assert invisible_character("Tổ\u00a0công nghệ số") is None


# The identifiers docs/domain.md lists: each field refuses invisible characters.
IDENTIFIER_FIELDS = [
    (Household, "code"),
    (Village, "code"),
    (WorkerGroup, "name"),
    (Topic, "name"),
    (MobilizationModel, "name"),
]


@pytest.mark.parametrize(
    "model,name", IDENTIFIER_FIELDS, ids=[f"{m.__name__}.{n}" for m, n in IDENTIFIER_FIELDS]
)
def test_every_identifier_field_refuses_invisible_characters(model, name):
    field = model._meta.get_field(name)
    for code, character in INVISIBLE_CODES.items():
        with pytest.raises(ValidationError) as refused:
            field.run_validators(code)
        assert refused.value.messages == [invisible(character)]
    field.run_validators("ＵＮＩ-1 Nguyễn")  # width and Vietnamese letters are no reason to refuse


# --- Household codes, door by door ----------------------------------------------------


@pytest.mark.parametrize("code", SAME_CODES)
def test_the_page_refuses_a_code_that_differs_only_in_case_or_width(
    english_client, official, uni, village_b, code
):
    english_client.force_login(official)

    response = english_client.post(reverse("villages:household_new"), {"village": village_b.pk, "code": code})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [TAKEN]
    assert Household.objects.count() == 1


@pytest.mark.parametrize("code,character", INVISIBLE_CODES.items())
def test_the_page_refuses_a_code_with_an_invisible_character(
    english_client, official, village_b, code, character
):
    english_client.force_login(official)

    response = english_client.post(reverse("villages:household_new"), {"village": village_b.pk, "code": code})

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [invisible(character)]
    assert not Household.objects.exists()


def test_the_page_stores_a_full_width_code_as_plain_letters(english_client, official, village_b):
    english_client.force_login(official)

    response = english_client.post(
        reverse("villages:household_new"), {"village": village_b.pk, "code": "ＢＴ-００７"}
    )

    assert response.status_code == 302
    assert list(Household.objects.values_list("code", flat=True)) == ["BT-007"]


@pytest.mark.parametrize("code", SAME_CODES)
def test_the_api_refuses_a_code_that_differs_only_in_case_or_width(official, uni, village_b, code):
    response = api(official).post("/api/households/", {"village": village_b.pk, "code": code}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == [TAKEN]
    assert Household.objects.count() == 1


@pytest.mark.parametrize("code,character", INVISIBLE_CODES.items())
def test_the_api_refuses_a_code_with_an_invisible_character(official, village_b, code, character):
    response = api(official).post("/api/households/", {"village": village_b.pk, "code": code}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == [invisible(character)]
    assert not Household.objects.exists()


def test_the_api_refuses_renaming_a_household_to_another_ones_code_in_another_case(official, uni, village_a):
    other = factories.household(village_a, code="NK-002")

    response = api(official).patch(
        f"/api/households/{other.pk}/", {"code": "uni-1", "version": other.version}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"code": [TAKEN]})
    assert Household.objects.get(pk=other.pk).code == "NK-002"


def test_the_admin_refuses_a_code_that_differs_only_in_case(client, official, uni, village_b):
    data = {"village": village_b.pk, "code": "uni-1", **management("members")}

    response = staff_client(client, official).post(url("villages", "household", "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Household.objects.count() == 1


def test_the_admin_refuses_a_code_with_an_invisible_character(client, official, village_b):
    data = {"village": village_b.pk, "code": "UNI\u200b-1", **management("members")}

    response = staff_client(client, official).post(url("villages", "household", "add"), data)

    assert response.status_code == 200
    assert "code" in response.context["adminform"].form.errors
    assert not Household.objects.exists()


def split(household, code, by=None):
    son = factories.resident(household, full_name="Con", birth_year=2000, relation="child")
    return household_split(
        household=household,
        members=[son],
        head=son,
        on=datetime.date(2025, 4, 10),
        new_household=Household(village=household.village, code=code),
        by=by,
    )


@pytest.mark.parametrize("code", SAME_CODES)
def test_a_split_refuses_a_code_that_differs_only_in_case_or_width(uni, household_a, code):
    with pytest.raises(ValidationError) as refused:
        split(household_a, code)

    assert refused.value.message_dict == {"code": [TAKEN]}
    assert Household.objects.count() == 2


def test_a_split_refuses_a_code_with_an_invisible_character(household_a):
    with pytest.raises(ValidationError) as refused:
        split(household_a, "UNI\u200b-1")

    assert refused.value.message_dict["code"] == [invisible("U+200B")]
    assert Household.objects.count() == 1


def test_the_roster_import_takes_another_case_of_a_stored_code_for_that_household(commune, uni):
    result = run(commune, csv_file([["NK", "", "uni-1", "Nông Văn Một", "chủ hộ"] + [""] * 9]))

    assert result.errors == []
    assert (result.households.created, result.households.unchanged) == (0, 1)
    assert list(Household.objects.values_list("code", flat=True)) == ["UNI-1"]
    assert list(uni.members.values_list("full_name", flat=True)) == ["Nông Văn Một"]


def test_the_roster_import_makes_one_household_of_two_cases_in_the_file(commune, village_a):
    rows = [
        ["NK", "", "NK-9", "Nông Văn Một", "chủ hộ"] + [""] * 9,
        ["NK", "", "nk-9", "Nông Thị Hai", "vợ"] + [""] * 9,
    ]

    result = run(commune, csv_file(rows))

    assert result.errors == []
    assert list(Household.objects.values_list("code", flat=True)) == ["NK-9"]
    assert Household.objects.get().members.count() == 2


def test_the_roster_import_refuses_a_code_with_an_invisible_character(commune, village_a):
    result = run(commune, csv_file([["NK", "", "UNI\u200b-1", "Nông Văn Một", "chủ hộ"] + [""] * 9]))

    assert [str(error) for error in result.errors] == [f"row 2, column household_code: {invisible('U+200B')}"]
    assert not Household.objects.exists()


def test_the_database_refuses_another_case_of_a_code_whatever_writes_it(uni, village_b):
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.bulk_create([Household(commune=uni.commune, village=village_b, code="uni-1")])


# --- Worker group names -----------------------------------------------------------------


@pytest.fixture
def youth(commune):
    return factories.worker_group(commune, name="Doan Thanh nien")


@pytest.mark.parametrize("name", ["DOAN THANH NIEN", "doan thanh nien", "Ｄｏａｎ Thanh nien"])
def test_a_group_name_in_another_case_or_width_is_refused(commune, youth, name):
    with pytest.raises(ValidationError) as refused:
        worker_group_save(group=WorkerGroup(commune=commune, kind=WorkerGroup.Kind.WOMENS_UNION, name=name))

    assert refused.value.message_dict == {"name": ["The commune already has a group with this name."]}
    assert WorkerGroup.objects.count() == 1


def test_a_group_name_with_a_zero_width_space_is_refused(commune, youth):
    group = WorkerGroup(commune=commune, kind=WorkerGroup.Kind.WOMENS_UNION, name="Doan\u200b Thanh nien")

    with pytest.raises(ValidationError) as refused:
        worker_group_save(group=group)

    assert refused.value.message_dict == {"name": [invisible("U+200B")]}
    assert WorkerGroup.objects.count() == 1


def test_the_api_refuses_a_group_name_in_another_case(official, commune, youth):
    response = api(official).post(
        "/api/worker-groups/",
        {"commune": commune.pk, "kind": "womens_union", "name": "DOAN THANH NIEN"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"name": ["The commune already has a group with this name."]}


def test_the_page_refuses_a_group_name_with_a_zero_width_space(english_client, official, commune, youth):
    english_client.force_login(official)

    response = english_client.post(
        reverse("program:group_new"),
        {"commune": commune.pk, "kind": "womens_union", "name": "Hội\u200bPhụ nữ"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [invisible("U+200B")]
    assert WorkerGroup.objects.count() == 1


def test_the_database_refuses_another_case_of_a_group_name(commune, youth):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkerGroup.objects.bulk_create(
            [WorkerGroup(commune=commune, kind=WorkerGroup.Kind.WOMENS_UNION, name="doan thanh nien")]
        )


# --- Finding 8: a code in a village the user may not see ---------------------------------


def test_a_village_head_is_not_told_that_a_code_exists_in_another_village(
    english_client, head_a, household_b, village_a
):
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:household_new"), {"village": village_a.pk, "code": "bt-001"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [GENERIC]
    assert Household.objects.count() == 1


def test_a_village_head_is_told_when_the_code_is_in_their_own_village(
    english_client, head_a, household_a, village_a
):
    english_client.force_login(head_a)

    response = english_client.post(
        reverse("villages:household_new"), {"village": village_a.pk, "code": "NK-001"}
    )

    assert response.context["form"].errors["code"] == [TAKEN]


def test_an_official_is_told_that_the_code_exists(english_client, official, household_b, village_a):
    english_client.force_login(official)

    response = english_client.post(
        reverse("villages:household_new"), {"village": village_a.pk, "code": "BT-001"}
    )

    assert response.context["form"].errors["code"] == [TAKEN]


def test_the_api_tells_a_village_head_only_that_the_code_cannot_be_used(head_a, household_b, village_a):
    response = api(head_a).post(
        "/api/households/", {"village": village_a.pk, "code": "BT-001"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == [GENERIC]


def test_the_api_tells_an_official_that_the_code_exists(official, household_b, village_a):
    response = api(official).post(
        "/api/households/", {"village": village_a.pk, "code": "BT-001"}, format="json"
    )

    assert response.json()["code"] == [TAKEN]


def test_a_split_page_tells_a_village_head_only_that_the_code_cannot_be_used(
    english_client, head_a, household_a, household_b, village_a
):
    son = factories.resident(household_a, full_name="Con", birth_year=2000, relation="child")
    english_client.force_login(head_a)
    data = {
        "members": [son.pk],
        "head": son.pk,
        "village": village_a.pk,
        "code": "BT-001",
        "on": "2025-04-10",
    }

    response = english_client.post(reverse("villages:household_split", args=[household_a.pk]), data)

    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [GENERIC]
    assert Household.objects.count() == 2


def test_a_split_through_the_api_tells_an_official_that_the_code_exists(official, household_a, household_b):
    son = factories.resident(household_a, full_name="Con", birth_year=2000, relation="child")
    body = {
        "village": household_a.village_id,
        "code": "BT-001",
        "members": [son.pk],
        "head": son.pk,
        "on": "2025-04-10",
    }

    response = api(official).post(f"/api/households/{household_a.pk}/split/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == [TAKEN]


def test_a_split_through_the_api_tells_a_village_head_only_that_the_code_cannot_be_used(
    head_a, household_a, household_b
):
    son = factories.resident(household_a, full_name="Con", birth_year=2000, relation="child")
    body = {
        "village": household_a.village_id,
        "code": "BT-001",
        "members": [son.pk],
        "head": son.pk,
        "on": "2025-04-10",
    }

    response = api(head_a).post(f"/api/households/{household_a.pk}/split/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == [GENERIC]


def test_the_admin_tells_a_village_head_only_that_the_code_cannot_be_used(
    english_client, head_a, household_b, village_a
):
    data = {"village": village_a.pk, "code": "BT-001", **management("members")}

    response = staff_client(english_client, head_a).post(url("villages", "household", "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"code": [GENERIC]}
    assert Household.objects.count() == 1


# --- Names normalised before their (exact) unique checks: no database error -------------


def test_a_topic_name_in_full_width_letters_is_the_stored_topic(english_client, official, commune):
    Topic.objects.create(commune=commune, name="VNeID", skill=Topic.Skill.ONLINE_PAYMENT)
    english_client.force_login(official)

    response = english_client.post(
        reverse("training:topics"), {"commune": commune.pk, "name": "ＶＮｅＩＤ", "skill": "online_payment"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["The commune already has a topic with this name."]
    assert Topic.objects.count() == 1


def test_the_admin_refuses_a_topic_name_in_full_width_letters(client, official, commune):
    Topic.objects.create(commune=commune, name="VNeID", skill=Topic.Skill.ONLINE_PAYMENT)
    data = {"commune": commune.pk, "name": "ＶＮｅＩＤ", "skill": "online_payment"}

    response = staff_client(client, official).post(url("training", "topic", "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Topic.objects.count() == 1


def test_the_admin_refuses_a_village_code_in_full_width_letters(client, official, commune, village_a):
    data = {"commune": commune.pk, "code": "ＮＫ", "name": "Nà Khau 2", "kind": "xom"}

    response = staff_client(client, official).post(url("villages", "village", "add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert list(commune.villages.values_list("code", flat=True)) == ["NK"]
