"""Benchmark: the duplicate finder and the ID-number lookup for a province of 3 million residents.

    bin/throwaway-postgres .venv/bin/python bench/duplicates.py [--residents 3000000]
        [--baseline 300000] [--per-commune 30000] [--lookups 200] [--runs 3]

Two provinces in one PostgreSQL database, communes of `--per-commune` residents each: the
baseline (`--baseline` residents) and the province (`--residents`). Each is generated in a
few statements (generate_series): households of four, names from Vietnamese surnames, middle
and given names (with diacritics, and their folded form as Resident.search_name stores it),
birth years 1925-2024, 80% with an ID number, 50% with a phone, and one resident in a hundred
entered a second time in another household of the commune without an ID number (the
duplicates of merged registers). The adoption ledger's triggers are off while generating:
the finder does not read the ledger, and folding 3 million ledger rows would measure the
ledger, not the finder.

For each province, measured after VACUUM ANALYZE:
1. the finder (villages.duplicates.duplicate_groups) over every resident of the province, run
   to the end (every group, as a province-wide pass would read them), and the first page of
   one commune (what an official opens);
2. the ID-number lookup of an arrival: `Resident.objects.filter(national_id=...,
   commune__province=...)`, the median of `--lookups` numbers drawn from the province, with
   the index the schema of this branch has and, if the schema has none on the number alone,
   again with one (what a lookup across the province's communes needs).

It prints the times and the ratio of the province to the baseline (linear would be the ratio
of their sizes). A benchmark, not a test: it asserts only that the finder found the
duplicates it planted.
"""

import argparse
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
from django.db import connection  # noqa: E402

from softbridge.paging import PAGE_SIZE  # noqa: E402
from softbridge.text import fold  # noqa: E402
from villages.duplicates import duplicate_groups  # noqa: E402
from villages.models import Commune, Province, Resident  # noqa: E402

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Nông",
    "Lò",
    "Lương",
    "Đàm",
    "Hà",
    "Triệu",
    "Bế",
    "Mông",
]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Hữu", "Xuân", "Kim"]
GIVEN = [
    *("An Anh Bình Cường Dũng Đạt Giang Hà Hải Hạnh Hiếu Hoa Hùng Hương Khánh Lan Linh Long Mai".split()),
    *("Minh Nam Nga Ngọc Nhung Phong Phúc Phương Quân Quang Sơn Tâm Thảo Thắng Thu Thủy Tiến".split()),
    *("Trang Trung Tú Tuấn Tùng Vân Việt Vinh Xuân Yến Đông Đào Chiến Cúc Hiền Huệ".split()),
]
# One resident in this many is entered a second time (without an ID number).
TWIN_EVERY = 100


def province_generate(code: str, residents: int, per_commune: int) -> Province:
    """A province of `residents` residents in communes of `per_commune`."""
    province = Province.objects.create(code=code, name=f"Bench {residents:,}")
    names = {
        "sur": SURNAMES,
        "mid": MIDDLE,
        "giv": GIVEN,
        "fsur": [fold(n) for n in SURNAMES],
        "fmid": [fold(n) for n in MIDDLE],
        "fgiv": [fold(n) for n in GIVEN],
    }
    for index in range(max(1, residents // per_commune)):
        commune = Commune.objects.create(code=f"{code}{index:03d}", name=f"Xã {index}", province=province)
        _commune_fill(commune, per_commune, names, seed=int(code) * 1000 + index)
    return province


def _commune_fill(commune: Commune, size: int, names: dict, seed: int) -> None:
    households = max(1, size // 4)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO villages_village (commune_id, code, name, kind) VALUES (%s, 'V1', 'Xóm 1', 'xom')"
            " RETURNING id",
            [commune.pk],
        )
        [village] = cursor.fetchone()
        cursor.execute(
            "INSERT INTO villages_household"
            " (commune_id, village_id, code, address, phone, has_smartphone, has_internet, version)"
            " SELECT %s, %s, 'H' || g, '', '', false, false, 1 FROM generate_series(1, %s) g",
            [commune.pk, village, households],
        )
        cursor.execute("SELECT min(id) FROM villages_household WHERE commune_id = %s", [commune.pk])
        [first_household] = cursor.fetchone()
        params = names | {
            "commune": commune.pk,
            "first": first_household,
            "households": households,
            "size": size,
            "seed": seed,
            "nsur": len(names["sur"]),
            "nmid": len(names["mid"]),
            "ngiv": len(names["giv"]),
        }
        # Names and birth years from a hash of (seed, g), so every commune differs; ID numbers
        # unique in the province (the commune's id and g), phones for half.
        cursor.execute(
            """
            INSERT INTO villages_resident
                (commune_id, household_id, full_name, search_name, sex, birth_year, national_id, phone,
                 relation, moved_in_on, left_on, left_reason, smartphone_on, eid_on, online_on,
                 level34_on, version)
            SELECT %(commune)s, %(first)s + (g %% %(households)s),
                (%(sur)s::text[])[1 + h %% %(nsur)s] || ' ' || (%(mid)s::text[])[1 + (h / 97) %% %(nmid)s]
                    || ' ' || (%(giv)s::text[])[1 + (h / 9973) %% %(ngiv)s],
                (%(fsur)s::text[])[1 + h %% %(nsur)s] || ' ' || (%(fmid)s::text[])[1 + (h / 97) %% %(nmid)s]
                    || ' ' || (%(fgiv)s::text[])[1 + (h / 9973) %% %(ngiv)s],
                CASE WHEN h %% 2 = 0 THEN 'M' ELSE 'F' END,
                1925 + (h / 31) %% 100,
                CASE WHEN h %% 5 <> 0 THEN lpad((%(commune)s::bigint * 1000000 + g)::text, 12, '0')
                    ELSE '' END,
                CASE WHEN h %% 2 = 0 THEN '09' || lpad((%(commune)s::bigint * 100000 + g)::text, 8, '0')
                    ELSE '' END,
                '', NULL, NULL, '', NULL, NULL, NULL, NULL, 1
            FROM (SELECT g, abs(hashtext(%(seed)s || ':' || g)) AS h FROM generate_series(1, %(size)s) g) s
            """,
            params,
        )
        # The twins: the same name and birth year in another household, no ID number, no phone.
        cursor.execute(
            f"""
            INSERT INTO villages_resident
                (commune_id, household_id, full_name, search_name, sex, birth_year, national_id, phone,
                 relation, moved_in_on, left_on, left_reason, smartphone_on, eid_on, online_on,
                 level34_on, version)
            SELECT commune_id, %(first)s + ((household_id - %(first)s + 1) %% %(households)s), full_name,
                search_name, sex, birth_year, '', '', '', NULL, NULL, '', NULL, NULL, NULL, NULL, 1
            FROM villages_resident WHERE commune_id = %(commune)s AND id %% {TWIN_EVERY} = 0
            """,
            params,
        )


def timed(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def finder_all(province: Province) -> list:
    return list(duplicate_groups(Resident.objects.filter(commune__province=province)))


def finder_first_page(commune: Commune) -> list:
    return list(duplicate_groups(Resident.objects.filter(commune=commune))[:PAGE_SIZE])


def lookup_median(province: Province, numbers: list[str]) -> float:
    """The median time of one arrival's lookup, over `numbers`."""
    times = []
    for number in numbers:
        began = time.perf_counter()
        found = list(Resident.objects.filter(national_id=number, commune__province=province)[:2])
        times.append(time.perf_counter() - began)
        assert len(found) == 1, (number, found)
    return statistics.median(times)


def numbers_of(province: Province, count: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.national_id FROM villages_resident r JOIN villages_commune c ON c.id = r.commune_id"
            " WHERE c.province_id = %s AND r.national_id <> '' AND r.id %% 997 = 0",
            [province.pk],
        )
        found = [row[0] for row in cursor.fetchall()]
    return random.Random(31).sample(found, min(count, len(found)))


def has_number_index() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'villages_resident'"
            " AND indexdef LIKE '%%USING btree (national_id)%%'"
        )
        return cursor.fetchone() is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=3_000_000)
    parser.add_argument("--baseline", type=int, default=300_000)
    parser.add_argument("--per-commune", type=int, default=30_000)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3, help="runs of the finder (the median is printed)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this under bin/throwaway-postgres: it measures PostgreSQL.")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("ALTER TABLE villages_resident DISABLE TRIGGER USER")
    print(f"PostgreSQL {version}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}", flush=True)
    figures = {}
    for code, size in (("97", args.baseline), ("96", args.residents)):
        began = time.perf_counter()
        province = province_generate(code, size, args.per_commune)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE villages_resident")
        rows = Resident.objects.filter(commune__province=province).count()
        print(f"province of {rows:,} residents generated in {time.perf_counter() - began:.0f} s", flush=True)
        groups = finder_all(province)
        planted = rows - size
        assert groups, "the finder found none of the planted twins"
        first = province.communes.order_by("pk").first()
        numbers = numbers_of(province, args.lookups)
        figures[size] = {
            "rows": rows,
            "groups": len(groups),
            "finder": timed(lambda p=province: finder_all(p), args.runs),
            "page": timed(lambda c=first: finder_first_page(c), args.runs),
            "lookup": lookup_median(province, numbers),
        }
        print(
            f"  {figures[size]['groups']:,} groups ({planted:,} planted twins);"
            f" finder {figures[size]['finder']:.1f} s, first page of a commune"
            f" {figures[size]['page'] * 1000:.0f} ms, ID lookup {figures[size]['lookup'] * 1000:.1f} ms"
            f" (index on the number alone: {'yes' if has_number_index() else 'no'})",
            flush=True,
        )
        if not has_number_index():
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE INDEX bench_resident_national_id ON villages_resident (national_id)"
                    " WHERE national_id <> ''"
                )
                cursor.execute("ANALYZE villages_resident")
            figures[size]["lookup_indexed"] = lookup_median(province, numbers)
            print(f"  ID lookup with an index on the number: {figures[size]['lookup_indexed'] * 1000:.1f} ms")
            with connection.cursor() as cursor:
                cursor.execute("DROP INDEX bench_resident_national_id")
    base, big = figures[args.baseline], figures[args.residents]
    size_ratio = big["rows"] / base["rows"]
    print(f"\nprovince / baseline: {size_ratio:.1f}x the residents")
    finder_ratio = big["finder"] / base["finder"]
    print(f"  finder over the province   {big['finder']:7.1f} s  {finder_ratio:5.1f}x  (goal: < 600 s)")
    print(f"  first page of a commune    {big['page'] * 1000:7.0f} ms {big['page'] / base['page']:5.1f}x")
    lookup_ratio = big["lookup"] / base["lookup"]
    print(
        f"  ID lookup (schema as is)   {big['lookup'] * 1000:7.1f} ms {lookup_ratio:5.1f}x  (goal: < 50 ms)"
    )
    if "lookup_indexed" in big:
        print(
            f"  ID lookup (number indexed) {big['lookup_indexed'] * 1000:7.1f} ms"
            f" {big['lookup_indexed'] / base['lookup_indexed']:5.1f}x  (goal: < 50 ms)"
        )


if __name__ == "__main__":
    main()
