"""The admin's search (diacritics folded, in scope) and its exports and imports (in scope, national
ids masked for village heads). The rest of the admin is in tests/test_admin.py.
"""

import unicodedata

import pytest

from mobilization.models import (
    Worker,
)
from tests import factories
from tests.test_admin import export_csv, search, staff_client, url

# --- Search -----------------------------------------------------------------------------


@pytest.fixture
def nguyen_van(household_a):
    return factories.resident(household_a, full_name="Nguyễn Văn Bình")


def test_search_without_diacritics_finds_residents(client, official, nguyen_van, resident_a, resident_b):
    assert search(client, official, "nguyen van") == [nguyen_van]


def test_search_with_decomposed_input_finds_residents(client, official, nguyen_van, resident_a, resident_b):
    assert search(client, official, unicodedata.normalize("NFD", "Nguyễn Văn")) == [nguyen_van]


def test_search_does_not_return_non_matching_residents(client, official, nguyen_van, resident_a, resident_b):
    assert search(client, official, "hoa") == [resident_a]


def test_search_finds_resident_by_national_id_and_household_code(client, official, resident_a, resident_b):
    resident_a.national_id = "001234567890"
    resident_a.save()

    assert search(client, official, "001234567890") == [resident_a]
    assert search(client, official, "bt-001") == [resident_b]


def test_search_stays_in_scope(client, head_a, nguyen_van, resident_b):
    factories.resident(resident_b.household, full_name="Nguyễn Văn Tâm")

    assert search(client, head_a, "nguyen van") == [nguyen_van]


def test_search_folds_names_without_a_stored_folded_column(client, official, worker_a, village_a, village_b):
    duc = Worker.objects.get(user=worker_a)
    factories.worker(village_a.commune, full_name="Lục Thị Mai")

    assert search(client, official, "hoang van duc", model="worker", app="mobilization") == [duc]
    assert search(client, official, "ĐỨC", model="worker", app="mobilization") == [duc]
    assert search(client, official, "na khau", model="village") == [village_a]


def test_household_search_finds_members_names(client, official, household_a, household_b, resident_a):
    assert search(client, official, "nong thi", model="household") == [household_a]


# --- Export -----------------------------------------------------------------------------


@pytest.fixture
def with_ids(resident_a, resident_b):
    resident_a.national_id = "001185001234"
    resident_a.save()
    resident_b.national_id = "001179005678"
    resident_b.save()


def test_village_head_export_holds_only_own_village_residents(
    client, head_a, resident_a, resident_b, with_ids
):
    rows = export_csv(client, head_a)

    assert [row["full_name"] for row in rows] == [resident_a.full_name]


def test_village_head_export_masks_national_ids(client, head_a, resident_a, with_ids):
    rows = export_csv(client, head_a)

    assert rows[0]["national_id"] == "********1234"


def test_official_export_shows_national_ids_in_full(client, official, resident_a, resident_b, with_ids):
    rows = export_csv(client, official)

    assert sorted(row["national_id"] for row in rows) == ["001179005678", "001185001234"]


def test_outsider_export_holds_nothing_of_another_commune(client, outsider, resident_a, with_ids):
    assert export_csv(client, outsider) == []


def test_village_head_list_masks_national_ids(client, head_a, resident_a, with_ids):
    response = staff_client(client, head_a).get(url("villages", "resident"))

    assert "********1234" in response.content.decode()
    assert "001185001234" not in response.content.decode()


def test_village_head_never_sees_full_national_id_on_resident_page(client, head_a, resident_a, with_ids):
    client = staff_client(client, head_a)
    change_url = url("villages", "resident", "change", resident_a.pk)

    page = client.get(change_url).content.decode()
    data = {
        "household": resident_a.household_id,
        "full_name": "Nông Thị Hoa",
        "birth_year": "1986",
        "national_id": "",
        "read_version": resident_a.version,
    }
    response = client.post(change_url, data)

    assert "001185001234" not in page
    assert response.status_code == 302
    resident_a.refresh_from_db()
    assert (resident_a.birth_year, resident_a.national_id) == (1986, "001185001234")


def test_worker_reads_resident_page_with_masked_national_id(client, worker_a, resident_a, with_ids):
    response = staff_client(client, worker_a).get(url("villages", "resident", "change", resident_a.pk))

    assert response.status_code == 200
    assert "********1234" in response.content.decode()
    assert "001185001234" not in response.content.decode()
