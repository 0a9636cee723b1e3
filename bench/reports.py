"""Benchmark: the adoption indicators against hand-written SQL, on PostgreSQL.

    bin/throwaway-postgres .venv/bin/python bench/reports.py [--sizes 10000 100000 1000000] [--runs 5]

For each size it generates a commune of that many residents (villages of about 2,000,
households of four) with INSERT ... SELECT generate_series, so a million rows take
seconds, not hours. Then, in the same run and over the same rows, it times:

- reports.selectors.adoption_series for 24 months, commune-wide, and
  adoption_by_village for 24 months, each against two hand-written queries: JOIN (the
  month ends of generate_series joined to the residents eligible then, GROUP BY month),
  and FILTER (one pass over the residents with a COUNT(*) FILTER per month and measure,
  the shape of the app's own query, so that the ratio shows what the ORM adds);
- the dashboard page (/reports/) as an official sees it, through Django's test client,
  for the default 12 months and for 24.

It checks that the app and the hand-written SQL give exactly the same numbers, and
prints the median of several runs and the ratio app / hand-written. A benchmark, not a
test: it asserts equality of results, never times.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mobilization.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from reports.months import add_months, month_end, months_between  # noqa: E402
from reports.selectors import adoption_by_village, adoption_series  # noqa: E402
from villages.models import Commune, Role, Village  # noqa: E402

# Fixed, so that every run measures the same period over the same rows.
END = datetime.date(2026, 10, 1)
START = add_months(END, -23)
MONTHS = months_between(START, END)
RESIDENTS_PER_VILLAGE = 2000
RESIDENTS_PER_HOUSEHOLD = 4


def commune_generate(size: int, code: str) -> Commune:
    """A commune of `size` residents with moves, deaths, ages and ladder dates spread over 2018-2026."""
    commune = Commune.objects.create(code=code, name=f"Bench {size}", province="Bench", min_age=15)
    villages = max(10, size // RESIDENTS_PER_VILLAGE)
    households = max(1, size // RESIDENTS_PER_HOUSEHOLD)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.4242)")
        cursor.execute(
            """
            INSERT INTO villages_village (commune_id, code, name, kind)
            SELECT %s, 'V' || g, 'Xóm ' || g, 'xom' FROM generate_series(1, %s) g
            """,
            [commune.pk, villages],
        )
        cursor.execute("SELECT min(id), max(id) FROM villages_village WHERE commune_id = %s", [commune.pk])
        first_village, last_village = cursor.fetchone()
        assert last_village - first_village + 1 == villages, "village ids are not contiguous"
        cursor.execute(
            """
            INSERT INTO villages_household
                (commune_id, village_id, code, address, phone, has_smartphone, has_internet, version)
            SELECT %s, %s + (g %% %s), 'H' || g, '', '', false, false, 1 FROM generate_series(1, %s) g
            """,
            [commune.pk, first_village, villages, households],
        )
        cursor.execute("SELECT min(id), max(id) FROM villages_household WHERE commune_id = %s", [commune.pk])
        first_household, last_household = cursor.fetchone()
        assert last_household - first_household + 1 == households, "household ids are not contiguous"
        # Shares of the rows: 4% without a birth year, 20% moved in (2018-2026), 10% left or
        # died after that, 75% with an e-ID (2022 to a few days in the future), 85% of those
        # online after it, 40% of those level 3/4 after that.
        cursor.execute(
            """
            INSERT INTO villages_resident
                (commune_id, household_id, full_name, search_name, sex, birth_year, national_id, phone,
                 relation, moved_in_on, left_on, left_reason, smartphone_on, eid_on, online_on, level34_on,
                 version)
            SELECT %(commune)s, %(first_household)s + (g %% %(households)s), 'Nong Van ' || g,
                'nong van ' || g, sex, birth_year, '', '', '', moved_in_on,
                left_on, CASE WHEN left_on IS NULL THEN '' WHEN p < 0.3 THEN 'died' ELSE 'moved_away' END,
                NULL, eid_on, online_on, level34_on, 1
            FROM (
                SELECT g, p, sex, birth_year, moved_in_on, eid_on, online_on,
                    CASE WHEN online_on IS NOT NULL AND q < 0.4
                        THEN online_on + floor(w * 300)::int END AS level34_on,
                    CASE WHEN u < 0.1
                        THEN greatest(coalesce(moved_in_on, date '2018-01-01'), date '2021-01-01')
                            + floor(v * 2000)::int END AS left_on
                FROM (
                    SELECT g, p, q, u, v, w, moved_in_on, eid_on,
                        CASE WHEN s < 0.04 THEN NULL ELSE 1925 + floor(t * 100)::int END AS birth_year,
                        CASE WHEN r < 0.49 THEN 'M' WHEN r < 0.98 THEN 'F' ELSE '' END AS sex,
                        CASE WHEN eid_on IS NOT NULL AND x < 0.85
                            THEN eid_on + floor(y * 200)::int END AS online_on
                    FROM (
                        SELECT g, random() p, random() q, random() r, random() s, random() t,
                            random() u, random() v, random() w, random() x, random() y,
                            CASE WHEN random() < 0.2
                                THEN date '2018-01-01' + floor(random() * 3200)::int END AS moved_in_on,
                            CASE WHEN random() < 0.75
                                THEN date '2022-01-01' + floor(random() * 1800)::int END AS eid_on
                        FROM generate_series(1, %(size)s) g
                    ) draws
                ) steps
            ) rows
            """,
            {
                "commune": commune.pk,
                "first_household": first_household,
                "households": households,
                "size": size,
            },
        )
        cursor.execute("ANALYZE villages_village, villages_household, villages_resident")
    return commune


# The hand-written baselines. JOIN: each month end (generate_series) joined to the residents
# eligible then, GROUP BY month: the query one writes first. FILTER: one pass over the
# residents with a COUNT(*) FILTER per month and measure: the same shape as the app's query,
# written by hand, so that the ratio shows what the ORM costs.

JOIN_MONTHS = """
    WITH months AS MATERIALIZED (
        SELECT m::date AS month, (m + interval '1 month' - interval '1 day')::date AS last_day,
            extract(year FROM m)::int - %(min_age)s AS born_by
        FROM generate_series(%(start)s::date, %(end)s::date, interval '1 month') m
    )
"""
JOIN_COMMUNE = (
    JOIN_MONTHS
    + """
    SELECT mo.month, count(r.id),
        count(r.id) FILTER (WHERE r.eid_on <= mo.last_day),
        count(r.id) FILTER (WHERE r.online_on <= mo.last_day OR r.level34_on <= mo.last_day),
        count(r.id) FILTER (WHERE r.level34_on <= mo.last_day)
    FROM months mo
    LEFT JOIN villages_resident r ON r.commune_id = %(commune)s
        AND (r.moved_in_on IS NULL OR r.moved_in_on <= mo.last_day)
        AND (r.left_on IS NULL OR r.left_on > mo.last_day)
        AND (r.birth_year IS NULL OR r.birth_year <= mo.born_by)
    GROUP BY mo.month
    ORDER BY mo.month
"""
)
JOIN_BY_VILLAGE = (
    JOIN_MONTHS
    + """
    SELECT h.village_id, mo.month, count(*),
        count(*) FILTER (WHERE r.eid_on <= mo.last_day),
        count(*) FILTER (WHERE r.online_on <= mo.last_day OR r.level34_on <= mo.last_day),
        count(*) FILTER (WHERE r.level34_on <= mo.last_day)
    FROM months mo
    JOIN villages_resident r ON r.commune_id = %(commune)s
        AND (r.moved_in_on IS NULL OR r.moved_in_on <= mo.last_day)
        AND (r.left_on IS NULL OR r.left_on > mo.last_day)
        AND (r.birth_year IS NULL OR r.birth_year <= mo.born_by)
    JOIN villages_household h ON h.id = r.household_id
    GROUP BY h.village_id, mo.month
"""
)


def filter_sql(commune: Commune, by_village: bool) -> str:
    """One pass, COUNT(*) FILTER per month and measure, month ends written in as literals."""
    counts = []
    for month in MONTHS:
        end = f"DATE '{month_end(month):%Y-%m-%d}'"
        eligible = (
            f"(r.left_on IS NULL OR r.left_on > {end}) AND (r.moved_in_on IS NULL OR r.moved_in_on <= {end})"
            f" AND (r.birth_year IS NULL OR r.birth_year <= {month.year - commune.min_age})"
        )
        counts += [
            f"count(*) FILTER (WHERE {eligible})",
            f"count(*) FILTER (WHERE r.eid_on <= {end} AND {eligible})",
            f"count(*) FILTER (WHERE (r.online_on <= {end} OR r.level34_on <= {end}) AND {eligible})",
            f"count(*) FILTER (WHERE r.level34_on <= {end} AND {eligible})",
        ]
    if by_village:
        return (
            f"SELECT h.village_id, {', '.join(counts)} FROM villages_resident r"
            " JOIN villages_household h ON h.id = r.household_id"
            f" WHERE r.commune_id = {commune.pk:d} GROUP BY h.village_id"
        )
    return f"SELECT {', '.join(counts)} FROM villages_resident r WHERE r.commune_id = {commune.pk:d}"


def fetch(sql: str, commune: Commune) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": START, "end": END, "commune": commune.pk, "min_age": commune.min_age})
        return cursor.fetchall()


def zeros(villages, found: dict) -> dict:
    return {(v, m): found.get((v, m), (0, 0, 0, 0)) for v in villages for m in MONTHS}


def app_series(commune):
    figures = adoption_series(commune=commune, start=START, end=END)
    return [(f.month, f.eligible, f.eid, f.online, f.level34) for f in figures]


def app_by_village(commune):
    return {
        (village.pk, f.month): (f.eligible, f.eid, f.online, f.level34)
        for village, figures in adoption_by_village(commune=commune, start=START, end=END)
        for f in figures
    }


def join_series(commune):
    return [tuple(row) for row in fetch(JOIN_COMMUNE, commune)]


def join_by_village(commune, villages):
    return zeros(villages, {(row[0], row[1]): tuple(row[2:]) for row in fetch(JOIN_BY_VILLAGE, commune)})


def filter_series(commune):
    [row] = fetch(filter_sql(commune, by_village=False), commune)
    return [(month, *row[4 * i : 4 * i + 4]) for i, month in enumerate(MONTHS)]


def filter_by_village(commune, villages):
    found = {}
    for row in fetch(filter_sql(commune, by_village=True), commune):
        for i, month in enumerate(MONTHS):
            found[(row[0], month)] = tuple(row[1 + 4 * i : 5 + 4 * i])
    return zeros(villages, found)


def timed(function, runs: int) -> tuple[float, object]:
    """The median wall time of `runs` calls, and the last call's result."""
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return statistics.median(times), result


def official_client(commune: Commune) -> Client:
    user, _created = get_user_model().objects.get_or_create(username=f"bench-{commune.code}")
    Role.objects.get_or_create(user=user, commune=commune, defaults={"kind": Role.Kind.OFFICIAL})
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def line(size, measure, app, baselines=()):
    text = f"{size:>9,} {measure:<26} {app:8.3f}"
    for name, seconds in baselines:
        text += f"   {name} {seconds:8.3f} ratio {app / seconds:5.2f}"
    print(text, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--runs", type=int, default=5, help="runs per measure (at most 3 from 500,000 residents)"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this under bin/throwaway-postgres: it measures PostgreSQL.")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    print(f"PostgreSQL {version}, {os.cpu_count()} CPUs; 24 months {START:%Y-%m}..{END:%Y-%m}", end="")
    print(f"; median of {args.runs} runs (3 from 500,000 residents)")
    print(f"{'residents':>9} {'measure':<26} {'app s':>8}   hand-written SQL s, ratio app/SQL")
    for n, size in enumerate(args.sizes):
        code = f"9{n:04d}"
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            began = time.perf_counter()
            commune = commune_generate(size, code)
            villages = Village.objects.filter(commune=commune).count()
            print(
                f"{size:>9,} generated in {time.perf_counter() - began:.1f} s ({villages} villages)",
                flush=True,
            )
        villages = list(Village.objects.filter(commune=commune).values_list("pk", flat=True))
        # The JOIN baseline takes minutes at a million residents: fewer runs there.
        runs = args.runs if size < 500_000 else min(args.runs, 3)

        app, app_rows = timed(lambda c=commune: app_series(c), runs)
        join, join_rows = timed(lambda c=commune: join_series(c), runs)
        fil, filter_rows = timed(lambda c=commune: filter_series(c), runs)
        assert app_rows == join_rows == filter_rows, "the commune series differ"
        line(size, "series, commune, 24 mo", app, [("JOIN", join), ("FILTER", fil)])

        app, app_rows = timed(lambda c=commune: app_by_village(c), runs)
        join, join_rows = timed(lambda c=commune, v=villages: join_by_village(c, v), runs)
        fil, filter_rows = timed(lambda c=commune, v=villages: filter_by_village(c, v), runs)
        assert app_rows == join_rows == filter_rows, "the per-village series differ"
        line(size, "series, per village, 24 mo", app, [("JOIN", join), ("FILTER", fil)])

        client = official_client(commune)
        for months, query in ((12, ""), (24, f"&start={START:%Y-%m}&end={END:%Y-%m}")):
            url = f"/reports/?commune={code}{query}"
            page, response = timed(lambda u=url, c=client: c.get(u), runs)
            assert response.status_code == 200, response.status_code
            line(size, f"dashboard page, {months} mo", page)


if __name__ == "__main__":
    main()
