"""The register's rules hold in the database, whoever writes: form, API, admin or importer."""

import datetime
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from softbridge.calendar import commune_today
from tests import factories
from villages.models import Commune, Household, Resident, Village
from villages.selectors import residents_matching


def refused(write) -> bool:
    """True when the database refuses the write (rolled back on its own savepoint)."""
    try:
        with transaction.atomic():
            write()
    except IntegrityError:
        return True
    return False


def test_commune_code_is_unique_and_five_digits(commune):
    assert refused(lambda: Commune.objects.create(code="01558", name="Duplicate"))
    assert refused(lambda: Commune.objects.create(code="1558", name="Too short"))
    assert refused(lambda: Commune.objects.create(code="0155A", name="Not digits"))
    assert not refused(lambda: Commune.objects.create(code="01561", name="Quang Long"))


def test_commune_min_age_defaults_to_15(db):
    assert Commune.objects.create(code="01570", name="X").min_age == 15


def test_village_code_is_unique_within_its_commune_only(commune, other_commune, village_a):
    assert refused(lambda: Village.objects.create(commune=commune, code="NK", name="Again"))
    assert not refused(lambda: Village.objects.create(commune=other_commune, code="NK", name="Elsewhere"))


def test_household_code_is_unique_in_the_commune_across_villages(household_a, village_b):
    assert refused(lambda: Household.objects.create(village=village_b, code="NK-001"))


def test_household_takes_its_commune_from_its_village(other_commune, village_a):
    household = Household(village=village_a, code="X-1", commune=other_commune)
    household.save()
    assert household.commune_id == village_a.commune_id


def test_resident_national_id_must_be_twelve_digits(household_a):
    assert refused(lambda: factories.resident(household_a, national_id="12345678901"))
    assert refused(lambda: factories.resident(household_a, national_id="12345678901a"))
    assert not refused(lambda: factories.resident(household_a, national_id="001085012345"))


def test_resident_national_id_is_unique_in_the_commune(household_a, household_b):
    factories.resident(household_a, national_id="001085012345")
    assert refused(lambda: factories.resident(household_b, national_id="001085012345"))
    # Many residents may have no ID number recorded.
    assert not refused(lambda: factories.resident(household_b, national_id=""))
    assert not refused(lambda: factories.resident(household_b, national_id=""))


def test_resident_birth_year_must_be_plausible(household_a):
    assert refused(lambda: factories.resident(household_a, birth_year=1850))
    assert refused(lambda: factories.resident(household_a, birth_year=2101))


def test_resident_birth_year_in_the_future_fails_validation(household_a):
    resident = Resident(household=household_a, full_name="Bế Văn Lâm", birth_year=commune_today().year + 1)
    with pytest.raises(ValidationError) as error:
        resident.full_clean()
    assert "birth_year" in error.value.message_dict
    resident.birth_year = commune_today().year
    resident.full_clean()


def test_resident_cannot_leave_before_moving_in(household_a):
    assert refused(
        lambda: factories.resident(
            household_a,
            moved_in_on=datetime.date(2024, 5, 1),
            left_on=datetime.date(2024, 4, 30),
            left_reason=Resident.LeftReason.MOVED_AWAY,
        )
    )
    resident = Resident(
        household=household_a,
        full_name="Lục Thị Mai",
        moved_in_on=datetime.date(2024, 5, 1),
        left_on=datetime.date(2024, 4, 30),
        left_reason=Resident.LeftReason.DIED,
    )
    with pytest.raises(ValidationError) as error:
        resident.full_clean()
    assert "left_on" in error.value.message_dict


def test_resident_leaving_needs_both_date_and_reason(household_a):
    assert refused(lambda: factories.resident(household_a, left_on=datetime.date(2024, 5, 1)))
    assert refused(lambda: factories.resident(household_a, left_reason=Resident.LeftReason.DIED))
    assert not refused(
        lambda: factories.resident(
            household_a, left_on=datetime.date(2024, 5, 1), left_reason=Resident.LeftReason.DIED
        )
    )


def test_resident_level34_without_online_use_is_refused(household_a):
    day = datetime.date(2024, 9, 1)
    assert refused(lambda: factories.resident(household_a, level34_on=day))
    assert refused(
        lambda: factories.resident(household_a, level34_on=day, online_on=day + datetime.timedelta(1))
    )
    assert not refused(lambda: factories.resident(household_a, level34_on=day, online_on=day))


def test_resident_choices_are_checked_by_the_database(household_a):
    assert refused(lambda: factories.resident(household_a, sex="X"))
    assert refused(lambda: factories.resident(household_a, relation="cousin"))


def test_resident_name_is_stored_nfc_and_trimmed(household_a):
    nfd = unicodedata.normalize("NFD", "  Nguyễn   Thị Đào ")
    resident = factories.resident(household_a, full_name=nfd)
    resident.refresh_from_db()
    assert resident.full_name == unicodedata.normalize("NFC", "Nguyễn Thị Đào")
    assert resident.search_name == "nguyen thi dao"
    assert resident.commune_id == household_a.commune_id


def test_resident_search_ignores_diacritics_case_and_normal_form(household_a, official):
    match = factories.resident(household_a, full_name="Nguyễn Văn Đức")
    factories.resident(household_a, full_name="Nông Thị Hoa")
    for query in ["nguyen van", "NGUYỄN VĂN", unicodedata.normalize("NFD", "Nguyễn Văn Đức"), "van duc"]:
        assert list(residents_matching(Resident.objects.all(), query, viewer=official)) == [match], query


def test_residents_present_on_a_day_follow_moves(household_a):
    day = datetime.date(2024, 8, 31)
    stays = factories.resident(household_a)
    arrives_that_day = factories.resident(household_a, moved_in_on=day)
    factories.resident(household_a, moved_in_on=day + datetime.timedelta(1))
    factories.resident(household_a, left_on=day, left_reason=Resident.LeftReason.DIED)
    leaves_next_day = factories.resident(
        household_a, left_on=day + datetime.timedelta(1), left_reason=Resident.LeftReason.MOVED_AWAY
    )
    assert set(Resident.objects.present_on(day)) == {stays, arrives_that_day, leaves_next_day}


def test_every_save_counts_a_version(resident_a):
    assert resident_a.version == 1
    resident_a.phone = "0912345678"
    resident_a.save()
    assert resident_a.version == 2
    resident_a.save(update_fields=["phone"])
    resident_a.refresh_from_db()
    assert resident_a.version == 3


def test_a_write_based_on_an_old_read_is_refused(resident_a):
    from softbridge.versions import StaleWrite
    from villages.models import Resident

    first_reader = Resident.objects.get(pk=resident_a.pk)
    second_reader = Resident.objects.get(pk=resident_a.pk)
    first_reader.phone = "0911111111"
    first_reader.save_unless_stale(1)
    second_reader.phone = "0922222222"
    with pytest.raises(StaleWrite):
        second_reader.save_unless_stale(1)
    resident_a.refresh_from_db()
    assert resident_a.phone == "0911111111"
