"""A resident added through the admin (its add page, its import) with the ID number of a person
living in another commune of the province is that person's arrival, as through the member
page, the API and the roster import (villages.between_communes.arrival_record): the other
commune's stay ends on the arrival day, the move is recorded, the ladder's dates travel.
"""

import datetime

import pytest

from tests import factories
from tests.test_admin import import_csv
from tests.test_doors import admin_url, as_opened, english
from villages.models import CommuneMove, Resident, Role

D = datetime.date
NUMBER = "004185000001"


@pytest.fixture
def living_in_a(commune, other_commune):
    """Hoa lives in commune A with an e-ID since 2024-06-01; B has a household for her."""
    a_household = factories.household(factories.village(commune, code="A1"), code="HA1")
    hoa = factories.resident(
        a_household, full_name="Nông Thị Hoa", birth_year=1985, national_id=NUMBER, eid_on=D(2024, 6, 1)
    )
    b_household = factories.household(factories.village(other_commune, code="B1"), code="HB1")
    return hoa, b_household


def assert_moved(hoa: Resident, in_b: Resident, on: datetime.date) -> None:
    hoa.refresh_from_db()
    assert (hoa.left_on, hoa.left_reason) == (on, Resident.LeftReason.MOVED_AWAY)
    move = CommuneMove.objects.get(resident=hoa)
    assert (move.from_commune_id, move.to_commune_id, move.arrival_id, move.on) == (
        hoa.commune_id,
        in_b.commune_id,
        in_b.pk,
        on,
    )
    assert in_b.eid_on == D(2024, 6, 1)  # the ladder's date travelled from A


def test_a_resident_added_in_the_admin_with_a_number_living_elsewhere_moves_here(living_in_a, other_commune):
    hoa, b_household = living_in_a
    official_b = factories.role_user(Role.Kind.OFFICIAL, other_commune)
    client = english(official_b)
    add = admin_url(Resident, "add")
    data = as_opened(
        client.get(add),
        household=b_household.pk,
        full_name="Nông Thị Hoa",
        birth_year=1985,
        national_id=NUMBER,
        moved_in_on="2025-04-15",
    )

    response = client.post(add, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    in_b = Resident.objects.get(commune=other_commune, national_id=NUMBER)
    assert_moved(hoa, in_b, D(2025, 4, 15))


def test_a_resident_imported_in_the_admin_with_a_number_living_elsewhere_moves_here(
    client, living_in_a, other_commune
):
    hoa, b_household = living_in_a
    official_b = factories.role_user(Role.Kind.OFFICIAL, other_commune)
    text = "household,full_name,birth_year,national_id,moved_in_on\n"
    text += f"{b_household.pk},Nông Thị Hoa,1985,{NUMBER},2025-04-15\n"

    result = import_csv(client, official_b, "villages", "resident", text)

    assert not result.has_errors() and not result.has_validation_errors()
    in_b = Resident.objects.get(commune=other_commune, national_id=NUMBER)
    assert_moved(hoa, in_b, D(2025, 4, 15))
