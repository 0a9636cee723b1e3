"""Correcting a member's ID number without seeing it, and no word of who else holds one
(issue 13, findings 2 and 6).

A village head may correct a member of their village but sees ID numbers masked: the edit
page shows the masked number, an untouched field keeps the stored one. When a typed number
belongs to another resident of the commune, only the commune's officials are told so;
anyone else gets "cannot be used here", and only for a write that could otherwise be saved
(role, then version, then the body).
"""

import logging

import pytest
from django.urls import reverse

from tests.factories import api_client as api

NUMBER = "001085003132"
OTHERS = "004179009999"
MASKED = "********3132"
TAKEN = "Another resident of this commune already has this ID number."
REFUSED = "This ID number cannot be used here; ask the commune's official."


@pytest.fixture
def member(resident_a):
    resident_a.national_id = NUMBER
    resident_a.save()
    return resident_a


@pytest.fixture
def elsewhere(resident_b):
    """A resident of village B, which village A's head cannot see."""
    resident_b.national_id = OTHERS
    resident_b.save()
    return resident_b


def edit_url(member):
    return reverse("villages:member_edit", args=[member.household_id, member.pk])


def post_data(member, **changes):
    data = {
        "full_name": member.full_name,
        "sex": member.sex,
        "birth_year": member.birth_year or "",
        "national_id": MASKED,
        "phone": member.phone,
        "relation": member.relation,
        "moved_in_on": "",
        "version": member.version,
    }
    data.update(changes)
    return data


# --- Finding 2: the edit page


def test_village_head_sees_the_masked_number_on_the_edit_page(english_client, head_a, member):
    english_client.force_login(head_a)
    response = english_client.get(edit_url(member))
    assert response.status_code == 200
    page = response.content.decode()
    assert NUMBER not in page
    assert f'value="{MASKED}"' in page


def test_official_sees_the_whole_number_on_the_edit_page(english_client, official, member):
    english_client.force_login(official)
    page = english_client.get(edit_url(member)).content.decode()
    assert f'value="{NUMBER}"' in page


def test_an_untouched_masked_number_keeps_the_stored_one(english_client, head_a, member):
    english_client.force_login(head_a)
    response = english_client.post(edit_url(member), post_data(member, phone="0987 654 321"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.national_id, member.phone) == (NUMBER, "0987 654 321")


def test_village_head_replaces_the_number_by_typing_a_new_one(english_client, head_a, member):
    english_client.force_login(head_a)
    response = english_client.post(edit_url(member), post_data(member, national_id="0041 9000 1111"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.national_id == "004190001111"


def test_an_emptied_box_keeps_the_stored_number_too(english_client, head_a, member):
    # Someone who never saw the number cannot tell an emptied box from one they cleared by mistake.
    english_client.force_login(head_a)
    assert english_client.post(edit_url(member), post_data(member, national_id="")).status_code == 302
    member.refresh_from_db()
    assert member.national_id == NUMBER


def test_an_official_empties_the_box_to_remove_the_number(english_client, official, member):
    english_client.force_login(official)
    assert english_client.post(edit_url(member), post_data(member, national_id="")).status_code == 302
    member.refresh_from_db()
    assert member.national_id == ""


def test_the_admin_shows_a_village_head_the_masked_number_too(english_client, head_a, member):
    head_a.is_staff = True
    head_a.save(update_fields=["is_staff"])
    english_client.force_login(head_a)
    page = english_client.get(reverse("admin:villages_resident_change", args=[member.pk])).content.decode()
    assert NUMBER not in page
    assert f'value="{MASKED}"' in page


def test_a_mistyped_mask_is_refused_next_to_the_field(english_client, head_a, member):
    english_client.force_login(head_a)
    response = english_client.post(edit_url(member), post_data(member, national_id="*******3132"))
    assert response.status_code == 200
    assert "national_id" in response.context["form"].errors
    member.refresh_from_db()
    assert member.national_id == NUMBER


def test_the_stale_page_shows_a_village_head_the_masked_number(english_client, head_a, member):
    english_client.force_login(head_a)
    read_at = member.version
    member.phone = "0911 111 111"
    member.save()
    response = english_client.post(edit_url(member), post_data(member, version=read_at, phone="0922 222 222"))
    assert response.status_code == 200
    assert response.context["stale"]
    page = response.content.decode()
    assert NUMBER not in page
    assert MASKED in page


def test_the_api_keeps_the_number_when_the_masked_value_is_sent_back(head_a, member):
    client = api(head_a)
    read = client.get(f"/api/residents/{member.pk}/").json()
    assert read["national_id"] == MASKED
    body = {
        name: read[name] for name in ("full_name", "sex", "birth_year", "national_id", "phone", "relation")
    }
    body["phone"] = "0987654321"
    response = client.put(f"/api/residents/{member.pk}/", {**body, "moved_in_on": None}, format="json")
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.national_id, member.phone) == (NUMBER, "0987654321")


# --- Finding 6: no word of who else holds a number


def test_village_head_is_not_told_the_number_exists_in_the_api(head_a, member, elsewhere):
    response = api(head_a).patch(f"/api/residents/{member.pk}/", {"national_id": OTHERS}, format="json")
    assert response.status_code == 400
    assert response.json()["national_id"] == [REFUSED]
    assert TAKEN not in response.content.decode()
    member.refresh_from_db()
    assert member.national_id == NUMBER


def test_a_stale_write_is_refused_before_the_number_is_looked_at(head_a, member, elsewhere):
    stale = member.version
    member.phone = "0911 111 111"
    member.save()
    client = api(head_a)
    by_field = client.patch(
        f"/api/residents/{member.pk}/", {"national_id": OTHERS, "version": stale}, format="json"
    )
    assert by_field.status_code == 409
    by_header = client.patch(
        f"/api/residents/{member.pk}/",
        {"national_id": OTHERS},
        format="json",
        headers={"if-match": f'"{stale}"'},
    )
    assert by_header.status_code == 412
    for response in (by_field, by_header):
        assert "ID number" not in response.content.decode()


def test_a_role_that_may_not_write_is_refused_before_the_number_is_looked_at(leader, member, elsewhere):
    response = api(leader).patch(f"/api/residents/{member.pk}/", {"national_id": OTHERS}, format="json")
    assert response.status_code == 403
    assert "ID number" not in response.content.decode()


def test_official_is_told_the_number_belongs_to_another_resident(official, member, elsewhere):
    response = api(official).patch(f"/api/residents/{member.pk}/", {"national_id": OTHERS}, format="json")
    assert response.status_code == 400
    assert response.json()["national_id"] == [TAKEN]


def test_village_head_adding_a_member_through_the_api_is_not_told_either(head_a, household_a, elsewhere):
    response = api(head_a).post(
        "/api/residents/",
        {"household": household_a.pk, "full_name": "Nông Văn Bảo", "national_id": OTHERS},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["national_id"] == [REFUSED]
    assert not household_a.members.filter(full_name="Nông Văn Bảo").exists()


def test_village_head_is_not_told_the_number_exists_on_the_edit_page(
    english_client, head_a, member, elsewhere
):
    english_client.force_login(head_a)
    response = english_client.post(edit_url(member), post_data(member, national_id=OTHERS))
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"] == [REFUSED]
    member.refresh_from_db()
    assert member.national_id == NUMBER


def test_village_head_adding_a_member_on_the_page_is_not_told_either(
    english_client, head_a, household_a, elsewhere
):
    english_client.force_login(head_a)
    response = english_client.post(
        reverse("villages:member_new", args=[household_a.pk]),
        {"full_name": "Nông Văn Bảo", "national_id": OTHERS, "relation": "child"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["national_id"] == [REFUSED]
    assert not household_a.members.filter(full_name="Nông Văn Bảo").exists()


def test_the_api_keeps_the_number_when_a_village_head_sends_it_empty(head_a, official, member):
    response = api(head_a).patch(f"/api/residents/{member.pk}/", {"national_id": ""}, format="json")
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.national_id == NUMBER
    response = api(official).patch(f"/api/residents/{member.pk}/", {"national_id": ""}, format="json")
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.national_id == ""


@pytest.fixture
def security_lines(caplog):
    caplog.set_level(logging.INFO, logger="softbridge.security")

    def lines(event):
        return [
            record.getMessage()
            for record in caplog.records
            if record.name == "softbridge.security" and f"event={event} " in record.getMessage() + " "
        ]

    return lines


def test_a_refused_number_is_recorded_in_the_security_log_without_the_number(
    english_client, head_a, member, elsewhere, security_lines
):
    api(head_a).patch(f"/api/residents/{member.pk}/", {"national_id": OTHERS}, format="json")
    english_client.force_login(head_a)
    english_client.post(edit_url(member), post_data(member, national_id=OTHERS))

    lines = security_lines("national_id_refused")
    assert len(lines) == 2
    for line in lines:
        assert "user=head_a" in line
        assert f"resident={member.pk}" in line
        assert OTHERS not in line and NUMBER not in line


def test_an_accepted_number_is_not_recorded(english_client, head_a, member, security_lines):
    api(head_a).patch(f"/api/residents/{member.pk}/", {"national_id": "004190001111"}, format="json")
    assert security_lines("national_id_refused") == []


def test_the_admin_does_not_tell_a_village_head_the_number_exists(
    english_client, head_a, member, elsewhere, security_lines
):
    head_a.is_staff = True
    head_a.save(update_fields=["is_staff"])
    english_client.force_login(head_a)
    url = reverse("admin:villages_resident_change", args=[member.pk])
    data = {
        "household": member.household_id,
        "full_name": member.full_name,
        "national_id": OTHERS,
        "read_version": member.version,
    }
    response = english_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["national_id"] == [REFUSED]
    assert "resident_national_id_unique_in_commune" not in response.content.decode()
    assert len(security_lines("national_id_refused")) == 1
    member.refresh_from_db()
    assert member.national_id == NUMBER
