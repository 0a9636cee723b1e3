"""Benchmark: an arrival's ID-number lookup across a province of 3 million residents.

    bin/throwaway-postgres .venv/bin/python bench/id_lookup.py [--residents 3000000] [--communes 100]
        [--with-number 0.7] [--runs 200]

Fills a province of `--communes` communes with `--residents` residents (a share
`--with-number` of them with an ID number; one household per commune is enough, the lookup
does not read households), then times, for `--runs` arrivals of numbers taken at random:

1. the lookup arrival_record makes (villages.between_communes.same_person_elsewhere: the
   province's other communes' records of the number), and
2. the whole arrival (arrival_record: the lookup, the other commune's stay ended, the move
   recorded, the ladder's dates brought), each in a transaction rolled back,
3. what the province's count-once adds to its figures (reports.selectors.province.counted_twice:
   the numbers living in two communes on the same days, reports.shared_numbers, here none),
   12 months,

and prints the median and the 95th percentile of each, and the lookup's query plan (the
index resident_national_id_lookup, villages/migrations/0011). The goal: the lookup under
50 ms. A benchmark, not a test: it prints. The rows are written with the ledger's triggers
off (the database is thrown away), as the ledger does not take part in the lookup.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from reports import shared_numbers  # noqa: E402
from reports.selectors.province import counted_twice  # noqa: E402
from villages.between_communes import arrival_record, same_person_elsewhere  # noqa: E402
from villages.models import Commune, Household, Province, Resident, Village  # noqa: E402


def fill(residents: int, communes: int, with_number: float) -> list[Household]:
    province = Province.objects.create(code="04", name="Tỉnh Cao Bằng")
    households = []
    for n in range(communes):
        commune = Commune.objects.create(code=f"{10000 + n:05d}", name=f"Xã {n}", province=province)
        village = Village.objects.create(commune=commune, code="V1", name="Xóm 1")
        households.append(Household.objects.create(village=village, code="H1"))
    per = residents // communes
    numbered = int(per * with_number)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE villages_resident DISABLE TRIGGER USER")
        for n, household in enumerate(households):
            # Numbers unique in the province: commune n holds its own block of them.
            cursor.execute(
                "INSERT INTO villages_resident (commune_id, household_id, full_name, search_name, sex,"
                " birth_year, national_id, phone, relation, left_reason, version, moved_in_on)"
                " SELECT %s, %s, 'Nông Văn ' || i, 'nong van ' || i, '', 1960 + i %% 50,"
                " CASE WHEN i <= %s THEN lpad((%s::bigint * 100000000 + i)::text, 12, '0') ELSE '' END,"
                " '', '', '', 1, DATE '2020-01-01' FROM generate_series(1, %s) i",
                [household.commune_id, household.pk, numbered, n + 1, per],
            )
            if (n + 1) % 10 == 0:
                print(f"filled {n + 1}/{communes} communes", flush=True)
        cursor.execute("ALTER TABLE villages_resident ENABLE TRIGGER USER")
        cursor.execute("VACUUM ANALYZE villages_resident")
    return households


def timed(function, runs: int) -> list[float]:
    spent = []
    for _run in range(runs):
        spent.append(function())
    return spent


def report(name: str, spent: list[float]) -> None:
    spent = sorted(spent)
    p95 = spent[int(len(spent) * 0.95) - 1]
    print(f"{name}: median {statistics.median(spent) * 1000:.2f} ms, 95th percentile {p95 * 1000:.2f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=3_000_000)
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--with-number", type=float, default=0.7)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    households = fill(args.residents, args.communes, args.with_number)
    print(f"{Resident.objects.count():,} residents in {time.perf_counter() - started:.0f} s")
    # Written with the triggers off: the numbers the count-once reads are written again.
    started = time.perf_counter()
    shared_numbers.rebuild()
    print(f"shared numbers rebuilt in {time.perf_counter() - started:.1f} s")
    per = args.residents // args.communes
    numbered = int(per * args.with_number)
    rng = random.Random(31)

    def arrival() -> Resident:
        """An unsaved arrival in another commune, of a number living somewhere in the province."""
        source = rng.randrange(args.communes)
        number = f"{(source + 1) * 100_000_000 + rng.randint(1, numbered):012d}"
        destination = households[(source + 1) % args.communes]
        return Resident(household=destination, commune_id=destination.commune_id, national_id=number)

    def lookup() -> float:
        resident = arrival()
        resident.commune = resident.household.commune
        started = time.perf_counter()
        found = list(same_person_elsewhere(resident))
        spent = time.perf_counter() - started
        assert len(found) == 1
        return spent

    def whole() -> float:
        resident = arrival()
        resident.full_name, resident.moved_in_on = "Nông Văn Đến", datetime.date(2025, 4, 15)
        with transaction.atomic():
            resident.save()
            started = time.perf_counter()
            moves = arrival_record(resident=resident)
            spent = time.perf_counter() - started
            assert len(moves) == 1
            transaction.set_rollback(True)
        return spent

    report("lookup", timed(lookup, args.runs))
    report("whole arrival", timed(whole, args.runs))
    communes = list(Commune.objects.order_by("code"))
    months = [datetime.date(2025, m, 1) for m in range(1, 13)]

    def twice() -> float:
        started = time.perf_counter()
        counted_twice(communes=communes, months=months)
        return time.perf_counter() - started

    # What the province's count-once adds to its dashboard: the numbers living in two communes.
    report("province count-once (12 months)", timed(twice, 5))
    sample = arrival()
    sample.commune = sample.household.commune
    query = same_person_elsewhere(sample)
    print(query.explain(analyze=True))


if __name__ == "__main__":
    main()
