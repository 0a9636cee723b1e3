"""The numbers living in two communes on the same days (reports.shared_numbers), which the province's
count-once reads, equal a recount made here from the register after every kind of write:
arrivals (a move, a conflict), departures, a conflict resolved, a move within a commune (an
earlier stay), a merge, a delete, a bulk update and raw SQL.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection

from reports import shared_numbers
from reports.models import SharedNumber
from tests import factories
from villages.between_communes import arrival_record, conflict_resolve
from villages.models import PastStay, Resident
from villages.services import resident_delete, resident_departure_record, resident_move, residents_merge

D = datetime.date


def recounted() -> set[tuple[int, str]]:
    """(commune, number) of each record whose number has a record in another commune with a
    stay covering the end of a same day: a stay covers the days from its start (none: always)
    to the day before its end (none: still), so two share one when the later start comes
    before the earlier end."""
    stays: dict[int, list[tuple[datetime.date, datetime.date]]] = {}
    for record in Resident.objects.exclude(national_id=""):
        stays.setdefault(record.pk, []).append((record.moved_in_on, record.left_on))
    for stay in PastStay.objects.all():
        stays.setdefault(stay.resident_id, []).append((stay.started_on, stay.ended_on))
    records = list(Resident.objects.exclude(national_id=""))
    found = set()
    for one in records:
        for other in records:
            if one.national_id != other.national_id or one.commune_id == other.commune_id:
                continue
            for start, end in stays[one.pk]:
                for other_start, other_end in stays[other.pk]:
                    later_start = max(start or D.min, other_start or D.min)
                    earlier_end = min(end or D.max, other_end or D.max)
                    if later_start < earlier_end:
                        found.add((one.commune_id, one.national_id))
    return found


def kept() -> set[tuple[int, str]]:
    return set(SharedNumber.objects.values_list("commune_id", "national_id"))


@pytest.fixture
def homes(commune, other_commune):
    a1, a2 = factories.village(commune, code="A1"), factories.village(commune, code="A2")
    b1 = factories.village(other_commune, code="B1")
    return {
        "A1": factories.household(a1, code="HA1"),
        "A2": factories.household(a2, code="HA2"),
        "B1": factories.household(b1, code="HB1"),
    }


def test_the_numbers_kept_equal_a_recount_after_every_kind_of_write(homes, commune, other_commune, official):
    a, b = commune.pk, other_commune.pk
    hoa = factories.resident(homes["A1"], full_name="Nông Thị Hoa", national_id="004185000001")
    lan = factories.resident(
        homes["A1"], full_name="Hoàng Thị Lan", national_id="004170000002", moved_in_on=D(2024, 1, 1)
    )
    assert kept() == recounted() == set()

    # Hoa arrives in B: A's stay ends on the arrival day, the two stays touch but share no day.
    hoa_b = factories.resident(
        homes["B1"], full_name="Nông Thị Hoa", national_id=hoa.national_id, moved_in_on=D(2025, 4, 15)
    )
    assert kept() == {(a, hoa.national_id), (b, hoa.national_id)}  # until the arrival is recorded
    arrival_record(resident=hoa_b)
    assert kept() == recounted() == set()

    # Lan is entered in B with no moving-in date: her stay in A cannot end, a conflict.
    lan_b = factories.resident(homes["B1"], full_name="Hoàng Thị Lan", national_id=lan.national_id)
    arrival_record(resident=lan_b)
    assert kept() == recounted() == {(a, lan.national_id), (b, lan.national_id)}

    # B resolves it: Lan left B on the day she moved into A.
    conflict_resolve(resident=Resident.objects.get(pk=lan_b.pk), ended_on=D(2024, 1, 1))
    assert kept() == recounted() == set()

    # Hoa moved within A (A1 to A2) before she left: an earlier stay. B's record is given a
    # stay from 2025-03-01, which shares days with her stay in A2 (until 2025-04-15).
    hoa = Resident.objects.get(pk=hoa.pk)
    resident_departure_record(resident=hoa, on=D(2025, 4, 15), reason=Resident.LeftReason.MOVED_AWAY)
    Resident.objects.filter(pk=hoa_b.pk).update(moved_in_on=D(2025, 3, 1))  # a bulk update
    assert kept() == recounted() == {(a, hoa.national_id), (b, hoa.national_id)}
    Resident.objects.filter(pk=hoa_b.pk).update(moved_in_on=D(2025, 4, 15))
    assert kept() == recounted() == set()
    with connection.cursor() as cursor:  # raw SQL: her return to A recorded by hand, wrongly open
        cursor.execute(
            "UPDATE villages_resident SET left_on = NULL, left_reason = '' WHERE id = %s", [hoa.pk]
        )
    assert kept() == recounted() == {(a, hoa.national_id), (b, hoa.national_id)}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE villages_resident SET left_on = %s, left_reason = 'moved_away' WHERE id = %s",
            [D(2025, 4, 15), hoa.pk],
        )
    assert kept() == recounted() == set()

    # Tuan lives in A since 2020 and moves from A1 to A2 in 2024; B holds a record of him
    # that left in 2023: it shares days with his earlier stay in A1 only.
    tuan = factories.resident(
        homes["A1"], full_name="Lương Văn Tuấn", national_id="004190000003", moved_in_on=D(2020, 1, 1)
    )
    resident_move(resident=tuan, household=homes["A2"], on=D(2024, 2, 1))
    assert PastStay.objects.filter(resident=tuan).exists()
    tuan_b = factories.resident(
        homes["B1"],
        full_name="Lương Văn Tuấn",
        national_id=tuan.national_id,
        moved_in_on=D(2022, 1, 1),
        left_on=D(2023, 1, 1),
        left_reason=Resident.LeftReason.MOVED_AWAY,
    )
    assert kept() == recounted() == {(a, tuan.national_id), (b, tuan.national_id)}
    # His earlier stay corrected to begin after B's (its row changed, the resident's not).
    PastStay.objects.filter(resident=tuan).update(started_on=D(2023, 1, 1))
    assert kept() == recounted() == set()
    PastStay.objects.filter(resident=tuan).update(started_on=D(2021, 1, 1))
    assert kept() == recounted() == {(a, tuan.national_id), (b, tuan.national_id)}

    # B's official merges a record entered twice: the one without a number is kept and takes
    # it, the other is deleted; the conflict is now the kept record's.
    twin = factories.resident(homes["B1"], full_name="Lương Văn Tuấn", moved_in_on=D(2022, 1, 1))
    residents_merge(kept=twin, other=Resident.objects.get(pk=tuan_b.pk), by=official)
    assert Resident.objects.get(pk=twin.pk).national_id == tuan.national_id
    assert kept() == recounted() == {(a, tuan.national_id), (b, tuan.national_id)}

    # A record deleted (entered by mistake) takes its conflict with it.
    resident_delete(resident=Resident.objects.get(pk=twin.pk))
    assert kept() == recounted() == set()

    # A number changed on one side ends a conflict; changed back, it is one again.
    lan = Resident.objects.get(pk=lan.pk)
    Resident.objects.filter(pk=lan_b.pk).update(left_on=None, left_reason="")
    assert kept() == recounted() == {(a, lan.national_id), (b, lan.national_id)}
    Resident.objects.filter(pk=lan_b.pk).update(national_id="004170000009")
    assert kept() == recounted() == set()
    Resident.objects.filter(pk=lan_b.pk).update(national_id=lan.national_id)
    assert kept() == recounted() == {(a, lan.national_id), (b, lan.national_id)}


def test_a_rebuild_writes_the_numbers_again_from_the_register(homes, commune, other_commune):
    lan = factories.resident(homes["A1"], full_name="Hoàng Thị Lan", national_id="004170000002")
    factories.resident(homes["B1"], full_name="Hoàng Thị Lan", national_id=lan.national_id)
    expected = {(commune.pk, lan.national_id), (other_commune.pk, lan.national_id)}
    assert kept() == recounted() == expected
    with connection.cursor() as cursor:  # as if loaded with the triggers off
        cursor.execute("DELETE FROM reports_sharednumber")
    shared_numbers.rebuild(commune_id=commune.pk)  # its numbers, in every commune
    assert kept() == expected
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_sharednumber")
    shared_numbers.rebuild()
    assert kept() == expected
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_sharednumber")
    call_command("ledger_rebuild", stdout=io.StringIO())  # what an operator runs after a load
    assert kept() == expected
