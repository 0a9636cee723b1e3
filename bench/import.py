"""Benchmark: the roster import against PostgreSQL's COPY of the same rows.

    bin/throwaway-postgres .venv/bin/python bench/import.py [--rows 100000] [--runs 3]

It generates a roster of --rows residents (realistic Vietnamese names, households of about
four, about 30 villages, ID numbers for most adults, ladder dates for many), writes it as a
CSV file, and then, --runs times over an emptied register:

- imports the file with villages.roster.importing.roster_import (what `import_roster` runs): read,
  check every row, write;
- imports the same file again (nothing changes, so nothing is written);
- empties the tables and loads the same villages, households and residents with COPY
  (the rows already prepared, as a database administrator would load them).

It checks that the import stored exactly what COPY stored, and that it wrote one row of
the audit trail per household and resident created (COPY writes none: the ratio includes
the import's audit trail as its price), and prints the median times
and the ratios import / COPY and re-import / import. With --import-export N it also times
django-import-export's row-by-row ModelResource on the first N rows, for comparison.
A benchmark, not a test: it asserts equality of results, never times.

Goals (issue 5): the import under 10 s on a 2-core machine, within 10x of COPY; the
re-import within 2x of the import.
"""

import argparse
import csv
import datetime
import io
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "softbridge.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from softbridge.text import clean_name, fold  # noqa: E402
from villages.models import Commune, Household, Resident  # noqa: E402
from villages.roster.importing import roster_import  # noqa: E402

FAMILY = "Nông Hoàng Lương Lò Nguyễn Bế Đinh Triệu Lục Hà Vi Lý Mã Đàm Sầm Hứa Chu Lưu Đoàn Phùng".split()
MIDDLE_MALE = "Văn Đức Minh Quốc Hữu Xuân Công".split()
MIDDLE_FEMALE = "Thị Thu Ngọc Hồng Thanh Kim Mỹ".split()
GIVEN_MALE = "Tú Đức Sáng Hùng Cường Dũng Thắng Tuấn Long Bình Hải Phúc Khánh Trung Nam Sơn Quân Việt".split()
GIVEN_FEMALE = (
    "Hoa Lan Mai Hương Hằng Thủy Nga Linh Trang Huyền Yến Nhung Dung Thảo Vân Liên Hạnh Ngân".split()
)
VILLAGES = (
    "Nà Khau, Bản Thang, Pác Ly, Cốc Phường, Nà Rào, Khau Đồn, Lũng Rỳ, Bản Giới, Đông Chia, Nà Lẹng, "
    "Lũng Nặm, Bó Hay, Khuổi Hân, Nà Vài, Bản Sao, Phia Khao, Pò Tấu, Nà Thin, Bản Mới, Cao Lâu, "
    "Lũng Pán, Nà Mười, Khuổi Lừa, Thôm Khoang, Bản Nưa, Nặm Nhũng, Cốc Lùng, Sộc Giang, Nà Pồng, Đồng Tâm"
).split(", ")
HEADERS = [
    "village_code",
    "village_name",
    "household_code",
    "full_name",
    "relation",
    "sex",
    "birth_year",
    "national_id",
    "phone",
    "moved_in_on",
    "left_on",
    "eid_on",
    "online_on",
    "level34_on",
]
TODAY = datetime.date(2025, 12, 31)


def day_between(rnd: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rnd.randrange((end - start).days + 1))


def roster_generate(size: int, seed: int = 42) -> list[list[str]]:
    """`size` resident rows: households of 1 to 7 (about 4), 30 villages, distinct names per household."""
    rnd = random.Random(seed)
    rows: list[list[str]] = []
    household = 0
    ids = rnd.sample(range(10**9), size)  # unique: 12 digits with the province prefix below
    while len(rows) < size:
        household += 1
        village = household * len(VILLAGES) // max(1, size // 4 + 1) % len(VILLAGES)
        code = f"V{village + 1:02d}"
        members = min(size - len(rows), rnd.choice([1, 2, 3, 3, 4, 4, 4, 5, 5, 6, 7]))
        family = rnd.choice(FAMILY)
        used = set()
        for member in range(members):
            female = member == 1 or rnd.random() < 0.5
            while True:
                middle = rnd.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
                given = rnd.choice(GIVEN_FEMALE if female else GIVEN_MALE)
                year = rnd.randrange(1935, 2000) if member < 2 else rnd.randrange(1990, 2024)
                name = f"{family if member != 1 else rnd.choice(FAMILY)} {middle} {given}"
                if (name, year) not in used:
                    used.add((name, year))
                    break
            relation = (
                ["chủ hộ", "vợ" if female else "chồng"][member]
                if member < 2
                else rnd.choice(["con", "con", "con", "bố", "mẹ", "khác"])
            )
            national_id = f"004{ids[len(rows)]:09d}" if year <= 2009 and rnd.random() < 0.8 else ""
            phone = f"09{rnd.randrange(10**8):08d}" if rnd.random() < 0.5 else ""
            moved_in = day_between(rnd, datetime.date(2000, 1, 1), TODAY) if rnd.random() < 0.1 else None
            # Nothing happens to a person before the year they were born (dates that make sense).
            born = datetime.date(year, 1, 1)
            left = (
                day_between(rnd, max(moved_in or datetime.date(2015, 1, 1), born), TODAY)
                if rnd.random() < 0.05
                else None
            )
            eid = (
                day_between(rnd, max(datetime.date(2022, 7, 1), born), TODAY) if rnd.random() < 0.7 else None
            )
            online = day_between(rnd, eid, TODAY) if eid and rnd.random() < 0.7 else None
            level34 = day_between(rnd, online, TODAY) if online and rnd.random() < 0.6 else None
            rows.append(
                [
                    code,
                    VILLAGES[village],
                    f"{code}-{household:05d}",
                    name,
                    relation,
                    "Nữ" if female else "Nam",
                    str(year),
                    national_id,
                    phone,
                    moved_in.strftime("%d/%m/%Y") if moved_in else "",
                    left.isoformat() if left else "",
                    eid.isoformat() if eid else "",
                    online.strftime("%d/%m/%Y") if online else "",
                    level34.isoformat() if level34 else "",
                ]
            )
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


RELATION = {
    "chủ hộ": "head",
    "vợ": "spouse",
    "chồng": "spouse",
    "con": "child",
    "bố": "parent",
    "mẹ": "parent",
}


def copy_buffers(commune: Commune, rows: list[list[str]]) -> dict[str, tuple[list[str], str]]:
    """The same rows as the import stores them, as COPY text, with the ids a fresh table gives."""

    def iso(text: str) -> str:
        if not text:
            return "\\N"
        if "/" in text:
            day, month, year = text.split("/")
            return f"{year}-{month}-{day}"
        return text

    villages, households, residents = {}, {}, []
    for village_code, village_name, household_code, *_rest in rows:
        villages.setdefault(village_code, (len(villages) + 1, village_name))
        households.setdefault(household_code, (len(households) + 1, villages[village_code][0]))
    for row in rows:
        (
            _v,
            _n,
            household_code,
            name,
            relation,
            sex,
            year,
            national_id,
            phone,
            moved,
            left,
            eid,
            online,
            l34,
        ) = row
        online = min(iso(online), iso(l34)) if online and l34 else iso(online or l34)
        full_name = clean_name(name)
        residents.append(
            "\t".join(
                [
                    str(commune.pk),
                    str(households[household_code][0]),
                    full_name,
                    fold(full_name),
                    "F" if sex == "Nữ" else "M",
                    year,
                    national_id,
                    phone,
                    RELATION.get(relation, "other"),
                    iso(moved),
                    iso(left),
                    "moved_away" if left else "",
                    "\\N",
                    iso(eid),
                    online,
                    iso(l34),
                    "1",
                ]
            )
        )
    return {
        "villages_village": (
            ["id", "commune_id", "code", "name", "kind"],
            "".join(f"{pk}\t{commune.pk}\t{code}\t{name}\txom\n" for code, (pk, name) in villages.items()),
        ),
        "villages_household": (
            [
                "id",
                "commune_id",
                "village_id",
                "code",
                "address",
                "phone",
                "has_smartphone",
                "has_internet",
                "version",
            ],
            "".join(
                f"{pk}\t{commune.pk}\t{village}\t{code}\t\t\tf\tf\t1\n"
                for code, (pk, village) in households.items()
            ),
        ),
        "villages_resident": (
            [
                "commune_id",
                "household_id",
                "full_name",
                "search_name",
                "sex",
                "birth_year",
                "national_id",
                "phone",
                "relation",
                "moved_in_on",
                "left_on",
                "left_reason",
                "smartphone_on",
                "eid_on",
                "online_on",
                "level34_on",
                "version",
            ],
            "\n".join(residents) + "\n",
        ),
    }


def register_empty() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE villages_resident, villages_household, villages_village, "
            "villages_historicalresident, villages_historicalhousehold RESTART IDENTITY CASCADE"
        )


def copy_load(buffers) -> float:
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, text) in buffers.items():
            cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO(text))
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval('villages_village_id_seq', (SELECT max(id) FROM villages_village))")
        cursor.execute("SELECT setval('villages_household_id_seq', (SELECT max(id) FROM villages_household))")
    return elapsed


def register_contents() -> list:
    """What the register holds, without ids: the import and COPY must agree."""
    with connection.cursor() as cursor:
        # Fresh statistics: without them, the join below can take minutes after a bulk load.
        cursor.execute("ANALYZE villages_village, villages_household, villages_resident")
    fields = [
        f
        for f in (
            "household__code",
            "household__village__code",
            "household__village__name",
            "full_name",
            "search_name",
            "sex",
            "birth_year",
            "national_id",
            "phone",
            "relation",
            "moved_in_on",
            "left_on",
            "left_reason",
            "eid_on",
            "online_on",
            "level34_on",
            "version",
        )
    ]
    return sorted(Resident.objects.values_list(*fields))


def import_export_rate(commune: Commune, rows: list[list[str]], count: int) -> float:
    """Seconds per row of django-import-export's default row-by-row import of residents."""
    import tablib
    from import_export import resources

    roster_import(commune=commune, source=csv_bytes(rows[:count]))
    household_ids = dict(Household.objects.values_list("code", "pk"))
    Resident.objects.all().delete()
    dataset = tablib.Dataset(headers=["household", "full_name", "birth_year", "national_id", "phone"])
    for row in rows[:count]:
        dataset.append([household_ids[row[2]], row[3], row[6], row[7], row[8]])

    class ResidentResource(resources.ModelResource):
        class Meta:
            model = Resident
            fields = ("id", "household", "full_name", "birth_year", "national_id", "phone")
            clean_model_instances = True

    started = time.perf_counter()
    result = ResidentResource().import_data(dataset, raise_errors=True)
    elapsed = time.perf_counter() - started
    assert not result.has_errors() and Resident.objects.count() == count
    register_empty()
    return elapsed / count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--import-export", type=int, default=0, metavar="N", help="also time django-import-export"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL: bin/throwaway-postgres .venv/bin/python bench/import.py")

    call_command("migrate", verbosity=0)
    commune = Commune.objects.get_or_create(code="01558", defaults={"name": "Xã Hạ Lang"})[0]
    rows = roster_generate(args.rows)
    data = csv_bytes(rows)
    with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as file:
        file.write(data)
    households = len({row[2] for row in rows})
    villages = len({row[0] for row in rows})
    print(
        f"roster: {len(rows):,} residents, {households:,} households, {villages} villages, "
        f"{len(data) / 1e6:.1f} MB CSV ({file.name})"
    )
    buffers = copy_buffers(commune, rows)

    first, again, copied = [], [], []
    for run in range(1, args.runs + 1):
        register_empty()
        started = time.perf_counter()
        result = roster_import(commune=commune, source=Path(file.name))
        first.append(time.perf_counter() - started)
        assert result.saved and result.errors == [], result.errors[:5]
        assert (result.residents.created, result.households.created) == (len(rows), households)
        assert (Resident.history.filter(history_type="+").count(), Household.history.count()) == (
            len(rows),
            households,
        ), "the audit trail misses rows of the import"
        imported = register_contents() if run == 1 else None

        started = time.perf_counter()
        result = roster_import(commune=commune, source=Path(file.name))
        again.append(time.perf_counter() - started)
        assert (result.residents.unchanged, result.residents.created, result.residents.updated) == (
            len(rows),
            0,
            0,
        )
        assert Resident.history.count() == len(rows), "a re-import that changes nothing wrote history"

        register_empty()
        copied.append(copy_load(buffers))
        if imported is not None:
            assert register_contents() == imported, "the import and COPY stored different rows"
        print(f"run {run}: import {first[-1]:.2f} s, re-import {again[-1]:.2f} s, COPY {copied[-1]:.2f} s")

    imported_s, again_s, copy_s = (statistics.median(times) for times in (first, again, copied))
    print()
    print(f"median of {args.runs} runs over {len(rows):,} rows")
    print(f"  import     {imported_s:6.2f} s   goal < 10 s")
    print(f"  COPY       {copy_s:6.2f} s")
    print(f"  ratio      {imported_s / copy_s:6.1f} x   import / COPY, goal <= 10")
    print(f"  re-import  {again_s:6.2f} s")
    print(f"  ratio      {again_s / imported_s:6.2f} x   re-import / import, goal <= 2")
    if args.import_export:
        register_empty()
        per_row = import_export_rate(commune, rows, args.import_export)
        print(
            f"  django-import-export ModelResource, row by row: {per_row * 1000:.2f} ms a row over "
            f"{args.import_export:,} rows, about {per_row * len(rows):.0f} s for {len(rows):,}"
        )
    os.unlink(file.name)


if __name__ == "__main__":
    main()
