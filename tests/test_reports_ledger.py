"""The adoption ledger stays in step with the register, whatever writes to it.

Every test changes the register one way (the services, the ORM, queryset.update(), raw
SQL, the importer, moving a household, changing the minimum age, deleting) and then
compares every village's figures for every month from 2017 to 2027 with the brute force
of tests.test_reports_exact, computed from the residents as they now are.
"""

import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.urls import reverse

from reports import ledger
from reports.models import AdoptionChange, AdoptionYearChange
from reports.selectors.adoption import _Tally, adoption_series, month_index
from softbridge.calendar import commune_today
from tests import factories
from tests.test_reports_exact import as_tuples, brute_series, each_village, months_from, periods_of
from villages.models import LadderStep, PastStay, Resident
from villages.roster.importing import roster_import
from villages.services import (
    resident_departure_record,
    resident_ladder_advance,
    resident_ladder_correct,
    resident_move,
)

D = datetime.date
START, END = D(2017, 1, 1), D(2027, 12, 1)
MONTHS = months_from(START, END)


# Periods that start late, so that the years before them come from the year rows
# (AdoptionYearChange), and in January, December and mid-year.
LATE_STARTS = [
    D(2019, 1, 1),
    D(2020, 1, 1),
    D(2021, 1, 1),
    D(2021, 7, 1),
    D(2024, 1, 1),
    D(2024, 12, 1),
    D(2026, 3, 1),
]


def assert_in_step(commune):
    commune.refresh_from_db()
    found = each_village(commune, START, END)
    assert found, "the commune has no villages to compare"
    expected = {}
    for village, figures in found:
        expected[village] = brute_series(periods_of(commune, village), MONTHS, commune.min_age)
        assert as_tuples(figures) == expected[village], f"village {village.code} is out of step"
    whole = brute_series(periods_of(commune), MONTHS, commune.min_age)
    assert as_tuples(adoption_series(commune=commune, start=START, end=END)) == whole
    for start in LATE_STARTS:
        skip = MONTHS.index(start)
        late = adoption_series(commune=commune, start=start, end=END)
        assert as_tuples(late) == whole[skip:], f"the commune from {start} is out of step"
        for village, figures in each_village(commune, start, END):
            assert as_tuples(figures) == expected[village][skip:], f"{village.code} from {start}"
    assert_years_in_step(commune)


def assert_years_in_step(commune):
    """The year rows hold the compacted month rows summed per village and year, and per
    village and decade."""
    ledger.compact(commune.pk)
    expected = {}
    for village, month, *changes in AdoptionChange.objects.filter(commune=commune).values_list(
        "village", "month", "eligible", "eid", "online", "level34"
    ):
        year = month // 12
        for span, first in ((1, year), (10, year - year % 10)):
            sums = expected.setdefault((village, span, first), [0, 0, 0, 0])
            for i, change in enumerate(changes):
                sums[i] += change
    found = {
        (village, span, first): list(changes)
        for village, span, first, *changes in AdoptionYearChange.objects.filter(commune=commune).values_list(
            "village", "years", "year", "eligible", "eid", "online", "level34"
        )
    }
    assert found == expected


@pytest.fixture
def crowd(commune, village_a, village_b):
    """Residents with every kind of date, in two villages and two households each."""
    rng = random.Random(15)
    households = [factories.household(v) for v in (village_a, village_b) for _ in range(2)]

    def day():
        return D(2018, 1, 1) + datetime.timedelta(days=rng.randrange(3400))

    for n in range(40):
        moved_in = day() if rng.random() < 0.3 else None
        left = None
        if rng.random() < 0.2:
            left = (moved_in or D(2018, 1, 1)) + datetime.timedelta(days=rng.randrange(1, 2000))
        eid = day() if rng.random() < 0.7 else None
        online = eid + datetime.timedelta(days=rng.randrange(200)) if eid and rng.random() < 0.8 else None
        level34 = (
            online + datetime.timedelta(days=rng.randrange(300)) if online and rng.random() < 0.5 else None
        )
        factories.resident(
            rng.choice(households),
            full_name=f"Người {n}",
            birth_year=None if rng.random() < 0.1 else rng.randrange(1930, 2016),
            moved_in_on=moved_in,
            left_on=left,
            left_reason=Resident.LeftReason.MOVED_AWAY if left else "",
            eid_on=eid,
            online_on=online,
            level34_on=level34,
        )
    return list(Resident.objects.filter(commune=commune).order_by("pk"))


def test_residents_created_through_the_orm_are_counted(commune, crowd):
    assert_in_step(commune)


def test_the_ladder_services_keep_it_in_step(commune, crowd):
    first, second, third = crowd[:3]
    resident_ladder_advance(resident=first, step=LadderStep.LEVEL34, on=D(2023, 3, 31))
    resident_ladder_advance(resident=second, step=LadderStep.EID, on=D(2019, 12, 1))
    resident_ladder_correct(resident=third, step=LadderStep.EID, on=None)
    resident_departure_record(resident=crowd[3], on=D(2024, 6, 30), reason=Resident.LeftReason.DIED)
    assert_in_step(commune)


def test_saving_a_resident_with_new_dates_and_birth_year(commune, crowd):
    resident = crowd[5]
    resident.birth_year = 2010
    resident.moved_in_on = D(2025, 1, 1)
    resident.eid_on = D(2024, 12, 31)
    resident.save()
    assert_in_step(commune)


def test_a_resident_moving_to_a_household_of_another_village(commune, crowd, village_b):
    resident = next(r for r in crowd if r.household.village_id != village_b.pk)
    resident.household = factories.household(village_b)
    resident.save()
    assert_in_step(commune)


def test_a_household_moving_to_another_village_takes_its_residents(commune, crowd, village_a, village_b):
    household = crowd[0].household
    household.village = village_b if household.village_id == village_a.pk else village_a
    household.save()
    assert_in_step(commune)


def test_queryset_update_and_raw_sql(commune, crowd):
    Resident.objects.filter(pk__in=[r.pk for r in crowd[:10]]).update(
        online_on=D(2022, 2, 28), level34_on=D(2022, 2, 28)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE villages_resident SET left_on = %s, left_reason = 'moved_away' WHERE id = %s",
            [D(2021, 7, 1), crowd[11].pk],
        )
    assert_in_step(commune)


def test_deleting_residents_and_a_household(commune, crowd):
    crowd[0].delete()
    household = crowd[1].household
    Resident.objects.filter(household=household).delete()  # residents protect their household
    household.delete()
    assert_in_step(commune)


def test_changing_the_minimum_age_recounts_the_commune(commune, crowd):
    commune.min_age = 18
    commune.save()
    assert_in_step(commune)
    commune.min_age = 0
    commune.save(update_fields=["min_age"])
    assert_in_step(commune)


def test_a_rolled_back_change_leaves_no_trace(commune, crowd):
    with pytest.raises(RuntimeError), transaction.atomic():
        Resident.objects.update(eid_on=None)
        raise RuntimeError("give up")
    assert_in_step(commune)


def test_the_importer_bulk_writes_keep_it_in_step(commune, crowd, village_a):
    rows = [
        "village_code,village_name,household_code,full_name,relation,sex,birth_year,moved_in_on,left_on,eid_on,online_on,"
        "level34_on",
        f"{village_a.code},,NK-900,Lò Văn Một,chủ hộ,M,1980,,,2024-05-31,2024-06-01,2024-06-30",
        f"{village_a.code},,NK-900,Lò Thị Hai,vợ,F,2011,2025-03-01,,2026-01-01,,",
        "NEW,Bản Mới,NEW-1,Hà Văn Ba,chủ hộ,M,1950,,2025-12-31,2020-02-29,,",
    ]
    data = io.BytesIO("\n".join(rows).encode())
    result = roster_import(commune=commune, source=data)
    assert not result.errors, result.errors
    assert_in_step(commune)
    # A re-import that changes one date updates rows in bulk.
    rows[1] = rows[1].replace("2024-05-31", "2023-01-15")
    result = roster_import(commune=commune, source=io.BytesIO("\n".join(rows).encode()))
    assert not result.errors, result.errors
    assert_in_step(commune)


def test_a_long_random_sequence_of_writes(commune, crowd, village_a, village_b):
    rng = random.Random(7)
    households = [r.household for r in crowd]
    for _step in range(120):
        resident = rng.choice(list(Resident.objects.filter(commune=commune)))
        action = rng.randrange(6)
        if action == 0:
            day = None if rng.random() < 0.2 else D(2018, 1, 1) + datetime.timedelta(days=rng.randrange(3600))
            changes = rng.choice(
                [
                    {"eid_on": day},
                    {"online_on": day, "level34_on": None},
                    {"online_on": day, "level34_on": day},
                    {"moved_in_on": day, "left_on": None, "left_reason": ""},
                ]
            )
            Resident.objects.filter(pk=resident.pk).update(**changes)
        elif action == 1:
            resident.birth_year = rng.choice([None, 1950, 2009, 2010, 2011, 2012])
            resident.save()
        elif action == 2:
            resident.household = rng.choice(households)
            resident.save()
        elif action == 3:
            household = rng.choice(households)
            household.village = rng.choice([village_a, village_b])
            household.save()
        elif action == 4:
            factories.resident(
                rng.choice(households), eid_on=D(2020, 1, 1) + datetime.timedelta(rng.randrange(2000))
            )
        else:
            resident.delete()
    assert_in_step(commune)


def test_compaction_folds_appended_rows_and_changes_no_figure(commune, crowd):
    ledger.compact(commune.pk)
    before = as_tuples(adoption_series(commune=commune, start=START, end=END))
    Resident.objects.filter(pk=crowd[0].pk).update(eid_on=D(2020, 5, 5))
    assert AdoptionChange.objects.filter(commune=commune, compacted=False).exists()
    ledger.compact(commune.pk)
    assert not AdoptionChange.objects.filter(commune=commune, compacted=False).exists()
    keys = list(AdoptionChange.objects.filter(commune=commune).values_list("village", "month"))
    assert len(keys) == len(set(keys)), "one compacted row per village and month"
    Resident.objects.filter(pk=crowd[0].pk).update(eid_on=crowd[0].eid_on)
    assert as_tuples(adoption_series(commune=commune, start=START, end=END)) == before


def test_a_read_between_a_write_and_its_compaction_counts_the_write(commune, crowd):
    """Rows appended for old months are not in the year rows until compacted: a read
    that comes first takes them from the appended rows."""
    ledger.compact(commune.pk)
    early = [r for r in crowd if r.left_on is None][:6]
    Resident.objects.filter(pk__in=[r.pk for r in early]).update(
        moved_in_on=D(2019, 2, 1), eid_on=D(2019, 3, 1), online_on=D(2020, 1, 1), level34_on=None
    )
    assert AdoptionChange.objects.filter(commune=commune, compacted=False, month__lt=2021 * 12).exists()
    start = D(2024, 6, 1)
    rows = ledger.changes_until(commune.pk, month_index(start) - 1, month_index(END))
    tally = _Tally(months_from(start, END))
    for row in rows:
        tally.add(*row)
    expected = brute_series(periods_of(commune), MONTHS, commune.min_age)[MONTHS.index(start) :]
    assert as_tuples(tally.figures()) == expected


def test_rebuild_gives_the_rows_the_triggers_kept(commune, crowd):
    Resident.objects.filter(pk__in=[r.pk for r in crowd[:5]]).update(online_on=D(2021, 1, 1))
    ledger.compact(commune.pk)
    kept = set(
        AdoptionChange.objects.filter(commune=commune)
        .exclude(eligible=0, eid=0, online=0, level34=0)
        .values_list("village", "month", "eligible", "eid", "online", "level34")
    )
    ledger.rebuild(commune.pk)
    rebuilt = set(
        AdoptionChange.objects.filter(commune=commune).values_list(
            "village", "month", "eligible", "eid", "online", "level34"
        )
    )
    assert kept == rebuilt
    assert_years_in_step(commune)


def test_deleting_a_commune_removes_its_ledger(other_commune):
    village = factories.village(other_commune)
    household = factories.household(village)
    factories.resident(household, eid_on=D(2024, 1, 1)).delete()
    assert AdoptionChange.objects.filter(commune=other_commune).exists()  # +1 then -1 rows
    ledger.compact(other_commune.pk)
    assert AdoptionYearChange.objects.filter(commune=other_commune).exists()
    pk = other_commune.pk
    household.delete()
    village.delete()
    other_commune.delete()
    assert not AdoptionChange.objects.filter(commune_id=pk).exists()
    assert not AdoptionYearChange.objects.filter(commune_id=pk).exists()


def test_ledger_rebuild_command_recounts_a_commune(commune, crowd):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_adoptionchange")  # as if loaded with triggers off
    out = io.StringIO()
    call_command("ledger_rebuild", "--commune", commune.code, stdout=out)
    assert "rebuilt" in out.getvalue()
    assert_in_step(commune)


def test_ledger_rebuild_refuses_an_unknown_commune(db):
    with pytest.raises(CommandError, match="99999"):
        call_command("ledger_rebuild", "--commune", "99999")


# --- Moves: each resident's residence periods, in each village for the months they lived there


def move_day(resident, rng) -> D:
    """A day the resident may move on: not before their stay began (or they left), not ahead."""
    first = resident.left_on or resident.moved_in_on or D(2018, 1, 1)
    today = commune_today()
    return first + datetime.timedelta(days=rng.randrange(max((today - first).days, 0) + 1))


def moves(crowd, rng, count=15) -> list[Resident]:
    """`count` residents of the crowd (not dead) moved to another of its households through the service."""
    households = list({r.household_id: r.household for r in crowd}.values())
    moved = []
    today = commune_today()
    movable = [
        r
        for r in crowd
        if r.left_reason != Resident.LeftReason.DIED and (r.left_on or r.moved_in_on or today) <= today
    ]
    for resident in rng.sample(movable, count):
        resident.refresh_from_db()
        others = [h for h in households if h.pk != resident.household_id]
        moved.append(
            resident_move(resident=resident, household=rng.choice(others), on=move_day(resident, rng))
        )
    return moved


def test_moves_and_returns_through_the_service(commune, crowd):
    rng = random.Random(3)
    moved = moves(crowd, rng)
    assert PastStay.objects.filter(ended_by=PastStay.End.MOVED_AWAY).exists(), "no return among the moves"
    assert_in_step(commune)
    households = {r.household_id: r.household for r in crowd}
    for resident in moved[:5]:  # moving again: a second earlier stay
        other = next(h for pk, h in households.items() if pk != resident.household_id)
        resident_move(resident=resident, household=other, on=move_day(resident, rng))
    assert_in_step(commune)


def test_a_moved_residents_ladder_birth_year_and_departure(commune, crowd):
    """The ladder and birth year travel with the person: a change recounts every stay."""
    moved = moves(crowd, random.Random(4))
    resident_ladder_advance(resident=moved[0], step=LadderStep.LEVEL34, on=D(2019, 3, 31))
    resident_ladder_correct(resident=moved[1], step=LadderStep.EID, on=None)
    Resident.objects.filter(pk__in=[r.pk for r in moved[2:6]]).update(birth_year=2011, eid_on=D(2026, 1, 31))
    alive = next(r for r in moved[6:] if r.left_on is None)
    resident_departure_record(resident=alive, on=commune_today(), reason=Resident.LeftReason.DIED)
    assert_in_step(commune)


def test_a_move_in_raw_sql(commune, crowd, village_b):
    """An earlier stay inserted and the resident's row changed by hand, as a script would."""
    resident = next(r for r in crowd if r.left_on is None and r.household.village_id != village_b.pk)
    target = factories.household(village_b)
    day = move_day(resident, random.Random(5))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO villages_paststay"
            " (resident_id, household_id, relation, started_on, ended_on, ended_by)"
            " VALUES (%s, %s, '', %s, %s, 'moved')",
            [resident.pk, resident.household_id, resident.moved_in_on, day],
        )
        cursor.execute(
            "UPDATE villages_resident SET household_id = %s, moved_in_on = %s WHERE id = %s",
            [target.pk, day, resident.pk],
        )
    assert_in_step(commune)


def test_earlier_stays_changed_or_deleted_through_the_orm(commune, crowd):
    moves(crowd, random.Random(6))
    first = PastStay.objects.filter(started_on__isnull=False).order_by("pk").first()
    PastStay.objects.filter(pk=first.pk).update(started_on=first.started_on - datetime.timedelta(days=400))
    stay = PastStay.objects.order_by("-pk").first()
    stay.household = crowd[-1].household
    stay.save()
    assert_in_step(commune)
    # Undoing a move by hand: the stay goes, the resident's row takes its place again.
    last = PastStay.objects.filter(ended_by=PastStay.End.MOVED).order_by("pk").last()
    resident = last.resident
    resident.household, resident.moved_in_on = last.household, last.started_on
    last.delete()
    resident.save()
    assert_in_step(commune)


def test_a_household_with_earlier_stays_moving_village(commune, crowd, village_a, village_b):
    moves(crowd, random.Random(7))
    household = PastStay.objects.order_by("pk").first().household
    household.village = village_b if household.village_id == village_a.pk else village_a
    household.save()
    assert_in_step(commune)


def test_minimum_age_rebuild_and_deletion_count_the_stays(commune, crowd):
    moved = moves(crowd, random.Random(8))
    commune.min_age = 18
    commune.save()
    assert_in_step(commune)
    ledger.rebuild(commune.pk)
    assert_in_step(commune)
    moved[0].delete()  # its earlier stays go with it
    assert_in_step(commune)


def test_moves_through_the_api_the_pages_and_the_admin(client, commune, crowd, official):
    """The same moves as the service's, sent by each surface: the API's move and split actions,
    the household pages and the admin's move fields."""
    rng = random.Random(9)
    today = commune_today()
    movable = [r for r in crowd if r.left_on is None and (r.moved_in_on or today) <= today]
    households = list({r.household_id: r.household for r in crowd}.values())
    by_household = {}
    for r in movable:
        by_household.setdefault(r.household_id, []).append(r)
    splitters = next(members[:2] for members in by_household.values() if len(members) >= 2)
    api_mover, page_mover, admin_mover = rng.sample([r for r in movable if r not in splitters], 3)

    def elsewhere(resident):
        return next(h for h in households if h.pk != resident.household_id)

    response = factories.api_client(official).post(
        f"/api/residents/{api_mover.pk}/move/",
        {"household": elsewhere(api_mover).pk, "on": move_day(api_mover, rng).isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.force_login(official)
    response = client.post(
        reverse("villages:member_move", args=[page_mover.household_id, page_mover.pk]),
        {"household": elsewhere(page_mover).pk, "on": move_day(page_mover, rng).isoformat()},
    )
    assert response.status_code == 302
    official.is_staff = True
    official.save()
    data = {
        "full_name": admin_mover.full_name,
        "read_version": admin_mover.version,
        "moved_to": elsewhere(admin_mover).code,
        "moved_on": move_day(admin_mover, rng).isoformat(),
    }
    response = client.post(reverse("admin:villages_resident_change", args=[admin_mover.pk]), data)
    assert response.status_code == 302
    response = factories.api_client(official).post(
        f"/api/households/{splitters[0].household_id}/split/",
        {
            "village": elsewhere(splitters[0]).village_id,
            "code": "SPLIT-1",
            "members": [s.pk for s in splitters],
            "head": splitters[0].pk,
            "on": max(move_day(s, rng) for s in splitters).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert PastStay.objects.count() == 5
    assert_in_step(commune)


def test_moves_and_returns_through_the_importer(commune, crowd):
    """Rows naming residents (by ID number) in other households, with the day they moved."""
    rng = random.Random(10)
    today = commune_today()
    chosen = rng.sample(
        [r for r in crowd if r.left_reason != "died" and (r.left_on or r.moved_in_on or today) <= today], 8
    )
    households = list({r.household_id: r.household for r in crowd}.values())
    rows = ["village_code,household_code,full_name,birth_year,national_id,moved_in_on"]
    for n, resident in enumerate(chosen):
        resident.national_id = f"0011900{n:05d}"
        resident.save()
        target = next(h for h in households if h.pk != resident.household_id)
        day = move_day(resident, rng)
        rows.append(
            f"{target.village.code},{target.code},{resident.full_name},{resident.birth_year or ''},"
            f"{resident.national_id},{day.isoformat()}"
        )
    result = roster_import(commune=commune, source=io.BytesIO("\n".join(rows).encode()))
    assert not result.errors, result.errors
    assert result.moved == 8
    assert_in_step(commune)
