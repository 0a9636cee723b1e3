"""Dossiers, activity, worker groups' help and targets against a brute-force count written here
from docs/domain.md, as tests/test_reports_exact.py does for the adoption figures.
"""

import datetime
import random

import pytest
from django.db import connection

from mobilization.models import (
    Application,
    CommunicationActivity,
    HomeVisit,
    Membership,
    VisitHelp,
    WorkerGroup,
)
from reports.selectors.activity import activity_series
from reports.selectors.adoption import (
    MonthFigures,
    adoption_at,
    adoption_series,
)
from reports.selectors.dossiers import dossier_shares
from reports.selectors.helped import REACH_WINDOW_DAYS, group_help
from reports.selectors.targets import behind_plan, plan_for, planned_value, targets_of
from tests import factories
from tests.test_reports_exact import (
    D,
    as_tuples,
    brute_series,
    brute_share,
    count_queries,
    each_village,
    last_day,
    months_from,
    person,
    residents_of,
)
from training.models import Attendance, TrainingSession
from villages.models import Resident

# --- Dossiers ---------------------------------------------------------------------------


def test_dossier_shares_match_brute_force(commune, village_a, village_b):
    rng = random.Random(7)
    channels = Application.Channel.values
    for _n in range(120):
        Application.objects.create(
            commune=commune,
            village=rng.choice([village_a, village_b, None]),
            field=rng.choice(Application.Field.values),
            channel=rng.choice(channels),
            submitted_on=D(2024, 12, 25) + datetime.timedelta(days=rng.randint(0, 75)),
        )
    for edge in (D(2024, 12, 31), D(2025, 1, 1), D(2025, 2, 28), D(2025, 3, 1)):
        Application.objects.create(
            commune=commune, village=village_a, field="land", channel="online_level4", submitted_on=edge
        )
    start, end = D(2025, 1, 1), D(2025, 2, 1)
    for villages in (None, [village_a]):
        found = dossier_shares(commune=commune, start=start, end=end, villages=villages)
        for field in ["", *Application.Field.values]:
            for figures in found[field]:
                rows = [
                    a
                    for a in Application.objects.filter(commune=commune)
                    if a.submitted_on.replace(day=1) == figures.month
                    and (field == "" or a.field == field)
                    and (villages is None or a.village_id == village_a.pk)
                ]
                online = [a for a in rows if a.channel in ("online_level3", "online_level4")]
                level4 = [a for a in rows if a.channel == "online_level4"]
                assert (figures.received, figures.online, figures.level4) == (
                    len(rows),
                    len(online),
                    len(level4),
                )
                assert figures.online_share == brute_share(len(online), len(rows))
                assert figures.level4_share == brute_share(len(level4), len(rows))
        assert [f.month for f in found[""]] == [start, end]


# --- Activity ---------------------------------------------------------------------------


def test_activity_matches_brute_force(commune, village_a, village_b):
    rng = random.Random(11)
    worker = factories.worker(commune)
    households = [factories.household(rng.choice([village_a, village_b])) for _ in range(8)]
    members = {h.pk: [factories.resident(h) for _ in range(3)] for h in households}
    visits = []
    for _n in range(60):
        household = rng.choice(households)
        day = D(2025, 1, 1) + datetime.timedelta(days=rng.randint(-10, 100))
        follow = day + datetime.timedelta(days=rng.randint(0, 40)) if rng.random() < 0.5 else None
        visit = HomeVisit.objects.create(
            commune=commune, household=household, visited_on=day, follow_up_on=follow
        )
        visit.workers.add(worker)
        for resident in rng.sample(members[household.pk], rng.randint(0, 3)):
            VisitHelp.objects.create(visit=visit, resident=resident)
        visits.append(visit)
    sessions = []
    for _n in range(15):
        session = TrainingSession.objects.create(
            commune=commune,
            village=rng.choice([village_a, village_b]),
            held_on=D(2025, 1, 1) + datetime.timedelta(days=rng.randint(-5, 95)),
        )
        for resident in rng.sample([r for rs in members.values() for r in rs], rng.randint(0, 6)):
            Attendance.objects.create(session=session, resident=resident)
        sessions.append(session)
    for _n in range(10):
        activity = CommunicationActivity.objects.create(
            commune=commune,
            channel="loudspeaker",
            held_on=D(2025, 1, 1) + datetime.timedelta(days=rng.randint(-5, 95)),
            topic="VNeID",
            reach=rng.randint(0, 300),
        )
        activity.villages.set(rng.sample([village_a, village_b], rng.randint(1, 2)))

    start, end = D(2025, 1, 1), D(2025, 3, 1)
    today = D(2025, 3, 12)  # the last month is the current one
    # A reach over the commune's population (its residents living there now) never counts.
    population = sum(1 for r in Resident.objects.filter(commune=commune) if r.left_on is None)
    assert any(c.reach > population for c in CommunicationActivity.objects.all())
    assert any(0 < c.reach <= population for c in CommunicationActivity.objects.all())
    for villages in (None, [village_a]):
        ids = None if villages is None else {village_a.pk}

        def here(village_id, ids=ids):
            return ids is None or village_id in ids

        found = activity_series(commune=commune, start=start, end=end, villages=villages, today=today)
        assert [f.month for f in found] == months_from(start, end)
        for f in found:
            first, last = f.month, last_day(f.month)
            in_month = [v for v in visits if first <= v.visited_on <= last and here(v.household.village_id)]
            helped = {h.resident_id for v in in_month for h in v.helped.all()}
            # A session dated after today is planned, not held yet (tests/test_planned_sessions.py).
            held = [s for s in sessions if first <= s.held_on <= min(last, today) and here(s.village_id)]
            told = [
                c
                for c in CommunicationActivity.objects.filter(commune=commune)
                if first <= c.held_on <= last and any(here(v.pk) for v in c.villages.all())
            ]
            if last < today:
                due_by, seen_by = last, last
            else:
                due_by, seen_by = today - datetime.timedelta(days=1), today
            overdue = [
                v
                for v in visits
                if v.follow_up_on is not None
                and v.follow_up_on <= due_by
                and here(v.household.village_id)
                and not any(
                    w.household_id == v.household_id and v.visited_on < w.visited_on <= seen_by
                    for w in visits
                )
            ]
            assert (
                f.visits,
                f.households,
                f.residents_helped,
                f.sessions,
                f.attendance,
                f.communications,
                f.reach,
                f.overdue,
            ) == (
                len(in_month),
                len({v.household_id for v in in_month}),
                len(helped),
                len(held),
                sum(s.attendances.count() for s in held),
                len(told),
                sum(c.reach for c in told if c.reach <= population),
                len(overdue),
            )


def test_activity_takes_four_queries_whatever_the_months(commune, village_a):
    short = count_queries(lambda: activity_series(commune=commune, start=D(2025, 1, 1), end=D(2025, 2, 1)))
    long = count_queries(lambda: activity_series(commune=commune, start=D(2023, 1, 1), end=D(2025, 2, 1)))
    assert short == long == 4


# --- Worker groups: helped, and reached level 3/4 within 30 days -------------------------


def brute_group_help(group, residents_by_id, start, end, village_ids, by_month):
    """Every (resident, day) the group helped, then the first help per month (or period)."""
    first_day, end_day = start, last_day(end)

    def member_on(worker, day):
        return any(
            m.group_id == group.pk
            and (m.joined_on is None or m.joined_on <= day)
            and (m.left_on is None or m.left_on > day)
            for m in Membership.objects.filter(worker=worker)
        )

    events = []
    for visit in HomeVisit.objects.filter(commune=group.commune):
        if first_day <= visit.visited_on <= end_day and any(
            member_on(w, visit.visited_on) for w in visit.workers.all()
        ):
            events += [(h.resident_id, visit.visited_on) for h in visit.helped.all()]
    for session in TrainingSession.objects.filter(commune=group.commune):
        if not first_day <= session.held_on <= end_day:
            continue
        if session.group_id == group.pk or any(
            member_on(w, session.held_on) for w in session.facilitators.all()
        ):
            events += [(a.resident_id, session.held_on) for a in session.attendances.all()]
    firsts = {}
    for resident_id, day in events:
        resident = residents_by_id[resident_id]
        if village_ids is not None and resident.household.village_id not in village_ids:
            continue
        key = (day.replace(day=1) if by_month else None, resident_id)
        firsts[key] = min(day, firsts.get(key, day))
    result = {}
    for (month, resident_id), first in firsts.items():
        level34 = residents_by_id[resident_id].level34_on
        helped, reached, already = result.get(month, (0, 0, 0))
        reached_now = level34 is not None and first <= level34 <= first + datetime.timedelta(days=30)
        already_now = level34 is not None and level34 < first
        result[month] = (helped + 1, reached + reached_now, already + already_now)
    return result


def test_worker_group_help_and_30_day_reach_match_brute_force(commune, village_a, village_b):
    women = factories.worker_group(commune, kind=WorkerGroup.Kind.WOMENS_UNION, name="Hội Phụ nữ")
    youth = factories.worker_group(commune, kind=WorkerGroup.Kind.YOUTH_UNION, name="Đoàn Thanh niên")
    idle = factories.worker_group(commune, kind=WorkerGroup.Kind.FARMERS_ASSOCIATION, name="Hội Nông dân")
    hoa, lan, duc, tu = (factories.worker(commune) for _ in range(4))
    Membership.objects.create(worker=hoa, group=women)
    Membership.objects.create(worker=lan, group=women, joined_on=D(2025, 1, 15))  # joins mid-January
    Membership.objects.create(worker=duc, group=youth, left_on=D(2025, 2, 1))  # leaves on 1 February
    Membership.objects.create(worker=tu, group=youth)
    Membership.objects.create(worker=tu, group=women, left_on=D(2025, 1, 10))
    rng = random.Random(23)
    households = [factories.household(rng.choice([village_a, village_b])) for _ in range(10)]
    residents = []
    for household in households:
        for _ in range(3):
            residents.append(factories.resident(household))
    # Level 3/4 dates around the help dates: before, the same day, +30, +31, never.
    for resident in residents:
        if rng.random() < 0.8:
            day = D(2024, 12, 20) + datetime.timedelta(days=rng.randint(0, 120))
            Resident.objects.filter(pk=resident.pk).update(online_on=day, level34_on=day)
    for _n in range(40):
        household = rng.choice(households)
        day = D(2025, 1, 1) + datetime.timedelta(days=rng.randint(-5, 70))
        visit = HomeVisit.objects.create(commune=commune, household=household, visited_on=day)
        visit.workers.set(rng.sample([hoa, lan, duc, tu], rng.randint(1, 2)))
        for resident in rng.sample(
            [r for r in residents if r.household_id == household.pk], rng.randint(0, 3)
        ):
            VisitHelp.objects.create(visit=visit, resident=resident)
    for _n in range(10):
        session = TrainingSession.objects.create(
            commune=commune,
            village=village_a,
            held_on=D(2025, 1, 1) + datetime.timedelta(days=rng.randint(-5, 70)),
            group=rng.choice([women, youth, None]),
        )
        session.facilitators.set(rng.sample([hoa, lan, duc, tu], rng.randint(0, 2)))
        for resident in rng.sample(residents, rng.randint(0, 8)):
            Attendance.objects.create(session=session, resident=resident)
    # Exact 30-day edges: helped on 2 January, level 3/4 on 1 February (30 days) and on
    # 2 February (31 days); helped the day after reaching it.
    edge_house = factories.household(village_a)
    on_time, too_late, before = (factories.resident(edge_house) for _ in range(3))
    for resident, day in ((on_time, D(2025, 2, 1)), (too_late, D(2025, 2, 2)), (before, D(2025, 1, 1))):
        Resident.objects.filter(pk=resident.pk).update(online_on=day, level34_on=day)
    visit = HomeVisit.objects.create(commune=commune, household=edge_house, visited_on=D(2025, 1, 2))
    visit.workers.set([hoa])
    for resident in (on_time, too_late, before):
        VisitHelp.objects.create(visit=visit, resident=resident)

    residents_by_id = {r.pk: r for r in Resident.objects.select_related("household")}
    start, end = D(2025, 1, 1), D(2025, 3, 1)
    for villages in (None, [village_a]):
        village_ids = None if villages is None else {village_a.pk}
        for by_month in (False, True):
            found = group_help(commune=commune, start=start, end=end, villages=villages, by_month=by_month)
            for group in (women, youth, idle):
                expected = brute_group_help(group, residents_by_id, start, end, village_ids, by_month)
                got = {g.month: (g.helped, g.reached, g.already) for g in found if g.group == group}
                if not by_month:
                    expected = {None: expected.get(None, (0, 0, 0))}
                assert got == expected, (group.name, villages, by_month)
    women_period = next(g for g in group_help(commune=commune, start=start, end=end) if g.group == women)
    assert women_period.helped >= 3 and women_period.reached >= 1
    edge = group_help(commune=commune, start=D(2025, 1, 1), end=D(2025, 1, 1), villages=[village_a])
    assert edge  # the edge cases above are in the brute force; here the definition by name:
    assert REACH_WINDOW_DAYS == 30


def test_the_reach_lookup_of_residents_is_covered_on_postgresql(db):
    """The reach queries look residents up by id for their commune and level 3/4 date: on
    PostgreSQL one index holds all three (villages/migrations/0008); SQLite has no covering
    index, and one on the id alone would repeat the primary key."""
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Resident._meta.db_table)
    found = indexes.get("resident_id_commune_level34")
    if connection.vendor == "postgresql":
        assert found is not None and found["index"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'resident_id_commune_level34'")
            [definition] = cursor.fetchone()
        assert definition.endswith("(id) INCLUDE (commune_id, level34_on)")
    else:
        assert found is None


def test_group_help_query_count_does_not_grow(commune, village_a):
    for _n in range(3):
        factories.worker_group(commune)
    short = count_queries(lambda: group_help(commune=commune, start=D(2025, 1, 1), end=D(2025, 1, 1)))
    long = count_queries(
        lambda: group_help(commune=commune, start=D(2023, 1, 1), end=D(2025, 12, 1), by_month=True)
    )
    assert short == long == 2


# --- Targets: the planned trajectory -----------------------------------------------------


def test_plan_is_linear_between_targets_flat_after_and_absent_before(commune, village_a):
    from decimal import Decimal

    from reports.models import Target

    start = Target.objects.create(
        commune=commune, indicator="level34_share", due_on=D(2024, 1, 31), value=Decimal("0.15")
    )
    goal = Target.objects.create(
        commune=commune, indicator="level34_share", due_on=D(2025, 4, 30), value=Decimal("0.6")
    )
    targets = [goal, start]  # any order
    assert planned_value(targets, D(2024, 1, 30)) is None
    assert planned_value(targets, D(2024, 1, 31)) == Decimal("0.15")
    span = (D(2025, 4, 30) - D(2024, 1, 31)).days  # 455
    for day in (D(2024, 2, 29), D(2024, 12, 31), D(2025, 4, 29)):
        expected = Decimal("0.15") + Decimal("0.45") * (day - D(2024, 1, 31)).days / span
        assert planned_value(targets, day) == expected.quantize(Decimal("0.0001"))
    assert planned_value(targets, D(2025, 4, 30)) == Decimal("0.6")
    assert planned_value(targets, D(2026, 1, 1)) == Decimal("0.6")
    assert planned_value([], D(2026, 1, 1)) is None


def test_a_village_follows_its_own_targets_or_the_communes(commune, village_a, village_b):
    from decimal import Decimal

    from reports.models import Target

    wide = Target.objects.create(
        commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("0.9")
    )
    own = Target.objects.create(
        commune=commune, village=village_a, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("0.7")
    )
    targets = targets_of(commune)
    assert plan_for(targets, "eid_share", village_a) == [own]
    assert plan_for(targets, "eid_share", village_b) == [wide]
    assert plan_for(targets, "eid_share") == [wide]
    assert plan_for(targets, "online_share", village_a) == []
    behind = behind_plan(MonthFigures(D(2025, 1, 1), 10, 8, 0, 0), targets, village_a)
    assert behind == []  # 80% >= 70%
    assert behind_plan(MonthFigures(D(2025, 1, 1), 10, 8, 0, 0), targets, village_b) == ["eid_share"]


def test_target_value_outside_0_to_1_is_refused_by_the_database(commune):
    from decimal import Decimal

    from django.db import IntegrityError, transaction

    from reports.models import Target

    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("1.5")
        )
    Target.objects.create(commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.create(
            commune=commune, indicator="eid_share", due_on=D(2025, 1, 31), value=Decimal("0.5")
        )


def test_dates_on_the_window_edges_match_brute_force(commune, village_a):
    """Every date the days around the first and last month of the window (where the
    counts clamp dates to the window) and birth years turning min_age on either side."""
    first, last = D(2025, 2, 1), D(2025, 4, 1)
    edges = [
        None,
        D(2025, 1, 31),
        D(2025, 2, 1),
        D(2025, 2, 28),
        D(2025, 3, 1),
        D(2025, 3, 31),
        D(2025, 4, 1),
        D(2025, 4, 30),
        D(2025, 5, 1),
    ]
    chance = random.Random(4)
    household = factories.household(village_a)
    for _n in range(150):
        moved_in_on, left_on = chance.choice(edges), chance.choice(edges)
        if moved_in_on and left_on and left_on < moved_in_on:
            moved_in_on, left_on = left_on, moved_in_on  # the register refuses leaving before moving in
        online_on, level34_on = chance.choice(edges), chance.choice(edges)
        if level34_on and (online_on is None or online_on > level34_on):
            online_on = level34_on  # and a level 3/4 use after the first online use
        person(
            household,
            birth_year=chance.choice([None, 2009, 2010, 2011]),
            moved_in_on=moved_in_on,
            left_on=left_on,
            eid_on=chance.choice(edges),
            online_on=online_on,
            level34_on=level34_on,
        )
    residents = residents_of(commune)
    for start, end in ((first, last), (first, first), (last, last)):
        figures = adoption_series(commune=commune, start=start, end=end)
        assert as_tuples(figures) == brute_series(residents, months_from(start, end), 15)
    [(_village, figures)] = [(v, f) for v, f in each_village(commune, first, last) if v == village_a]
    assert as_tuples(figures) == brute_series(residents, months_from(first, last), 15)
    spread = [D(2025, 4, 1), D(2024, 12, 1), D(2025, 2, 1)]  # any months, any order
    figures = adoption_at(commune=commune, months=spread)
    assert as_tuples(figures) == brute_series(residents, spread, 15)
    assert sum(f.eligible for f in figures) > 0
