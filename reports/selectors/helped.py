"""Residents helped by worker groups (and by mobilization models, through reach_counts),
and who of them reached level 3/4 soon after. Raw SQL: one query over the helps."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy

from mobilization.models import HomeVisit, Membership, VisitHelp, WorkerGroup, membership_active_sql
from reports.selectors.adoption import share
from softbridge.calendar import month_end, month_start
from training.models import Attendance, TrainingSession
from villages.models import Commune, Household, Resident, Village

# A resident "reached level 3/4 after being helped" when their first level 3/4 date falls
# within this many days after the help (the help day included).
REACH_WINDOW_DAYS = 30


def with_reach_window(text: Promise) -> Promise:
    """`text`, a gettext_lazy message with a %(days)s placeholder, with REACH_WINDOW_DAYS in it,
    translated when it is shown: every label and note that names the window says its number
    from here, so that none is left saying 30 when the rule says otherwise."""
    return lazy(lambda: str(text) % {"days": REACH_WINDOW_DAYS}, str)()


# The column of every table of residents reached.
REACHED_WITHIN_WINDOW = with_reach_window(gettext_lazy("Reached level 3/4 within %(days)s days"))

# --- Worker groups: residents helped, and who reached level 3/4 soon after ---------------


@dataclass(frozen=True)
class GroupHelp:
    """What one worker group's visits and sessions did for residents in a month or period.

    helped: distinct residents the group helped in the month (or period).
    reached: of those, residents whose first level 3/4 date is within REACH_WINDOW_DAYS
      days after the group first helped them in that month (or period), the help day
      included: first_help <= level34_on <= first_help + REACH_WINDOW_DAYS days.
    already: of those, residents whose level 3/4 date was before that first help; they
      are never counted as reached.
    """

    group: WorkerGroup
    month: datetime.date | None
    helped: int
    reached: int
    already: int

    @property
    def reached_share(self) -> float | None:
        return share(self.reached, self.helped)


def _group_events_sql() -> str:
    """(resident_id, key_id, day) rows: each help a worker group gave a resident.

    Parameters: (commune, first day, last day) three times."""
    q = connection.ops.quote_name
    visit, help_ = HomeVisit._meta.db_table, VisitHelp._meta.db_table
    visit_workers = HomeVisit.workers.through._meta.db_table
    session, attendance = TrainingSession._meta.db_table, Attendance._meta.db_table
    facilitators = TrainingSession.facilitators.through._meta.db_table
    membership = Membership._meta.db_table
    # A worker counts for a group on the days they were a member (MembershipQuerySet.active_on).
    return f"""
            SELECT vh.resident_id AS resident_id, m.group_id AS key_id, v.visited_on AS day
            FROM {q(help_)} vh
            JOIN {q(visit)} v ON v.id = vh.visit_id
            JOIN {q(visit_workers)} vw ON vw.homevisit_id = v.id
            JOIN {q(membership)} m ON m.worker_id = vw.worker_id
            WHERE v.commune_id = %s AND v.visited_on >= %s AND v.visited_on <= %s
              AND {membership_active_sql("m", "v.visited_on")}
            UNION ALL
            SELECT a.resident_id, s.group_id, s.held_on
            FROM {q(attendance)} a
            JOIN {q(session)} s ON s.id = a.session_id
            WHERE s.commune_id = %s AND s.held_on >= %s AND s.held_on <= %s AND s.group_id IS NOT NULL
            UNION ALL
            SELECT a.resident_id, m.group_id, s.held_on
            FROM {q(attendance)} a
            JOIN {q(session)} s ON s.id = a.session_id
            JOIN {q(facilitators)} sf ON sf.trainingsession_id = s.id
            JOIN {q(membership)} m ON m.worker_id = sf.worker_id
            WHERE s.commune_id = %s AND s.held_on >= %s AND s.held_on <= %s
              AND {membership_active_sql("m", "s.held_on")}
    """


def _reach_sql(events: str, by_month: bool, village_count: int, commune_count: int = 1) -> str:
    q = connection.ops.quote_name
    resident, household = Resident._meta.db_table, Household._meta.db_table
    if connection.vendor == "postgresql":
        month_of = "to_char(e.day, 'YYYY-MM')"
        window_end = f"f.first_day + {REACH_WINDOW_DAYS:d}"
    else:
        month_of = "strftime('%%Y-%%m', e.day)"
        window_end = f"date(f.first_day, '+{REACH_WINDOW_DAYS:d} days')"
    # A resident's first help by a key is the same whether residents are picked out before or
    # after it is found: the residents (and their household, for villages) are joined once.
    in_villages = ""
    if village_count:
        villages = ", ".join(["%s"] * village_count)
        in_villages = f"JOIN {q(household)} h ON h.id = r.household_id AND h.village_id IN ({villages})"
    in_communes = ", ".join(["%s"] * commune_count)
    month_column = f"{month_of} AS month," if by_month else "NULL AS month,"
    month_group = "month, " if by_month else ""
    return f"""
        WITH events AS ({events}),
        firsts AS (
            SELECT e.key_id, {month_column} e.resident_id, MIN(e.day) AS first_day
            FROM events e
            GROUP BY e.key_id, {month_group} e.resident_id
        )
        SELECT f.key_id, f.month, COUNT(*),
            SUM(CASE WHEN r.level34_on >= f.first_day AND r.level34_on <= {window_end} THEN 1 ELSE 0 END),
            SUM(CASE WHEN r.level34_on < f.first_day THEN 1 ELSE 0 END)
        FROM firsts f
        JOIN {q(resident)} r ON r.id = f.resident_id AND r.commune_id IN ({in_communes})
        {in_villages}
        GROUP BY f.key_id, f.month
    """


def reach_counts(
    *,
    events: str,
    events_params: list,
    commune: Commune | None = None,
    villages: Iterable[Village] | None = None,
    by_month: bool = False,
    communes: Iterable[Commune] = (),
) -> list[tuple[int, datetime.date | None, int, int, int]]:
    """(key, month, helped, reached, already) for helps given by a key: a worker group, a model.

    `events` is a SELECT of (resident_id, key_id, day) rows, one per help (a resident
    helped at a visit, present at a session), with `events_params`. For each key (and
    month, with `by_month`; month is None otherwise) the distinct residents of `commune`
    (or of all `communes`; of `villages` when given) helped, those whose first level 3/4 date is within
    REACH_WINDOW_DAYS after the first help (see GroupHelp), and those already at level 3/4
    before it. Worker groups (group_help) and mobilization models share this rule. One query.
    """
    village_ids = None if villages is None else [v.pk for v in villages]
    if village_ids == []:
        village_ids = [0]  # no village: nothing matches
    commune_ids = [commune.pk] if commune is not None else [c.pk for c in communes] or [0]
    with connection.cursor() as cursor:
        cursor.execute(
            _reach_sql(events, by_month, len(village_ids or []), len(commune_ids)),
            [*events_params, *commune_ids, *(village_ids or [])],
        )
        rows = cursor.fetchall()
    return [
        (
            key,
            datetime.date(int(month[:4]), int(month[5:7]), 1) if month else None,
            helped,
            reached or 0,
            already or 0,
        )
        for key, month, helped, reached, already in rows
    ]


def group_help(
    *,
    commune: Commune,
    start: datetime.date,
    end: datetime.date,
    villages: Iterable[Village] | None = None,
    by_month: bool = False,
) -> list[GroupHelp]:
    """Residents helped by each worker group from the start of `start` to the end of `end`.

    A group helped a resident when the resident was recorded as helped at a home visit by
    a worker who was a member of the group that day, or attended a session the group
    organised or one of its members facilitated. A resident helped by two groups counts
    for both. With `by_month`, one entry per group and month (months with no help are
    left out); otherwise one entry per group for the whole period, every group of the
    commune included. See GroupHelp for `reached`. Two queries.
    """
    first, last = month_start(start), month_end(end)
    adapt = connection.ops.adapt_datefield_value
    span = [commune.pk, adapt(first), adapt(last)]
    rows = reach_counts(
        events=_group_events_sql(),
        events_params=[*span, *span, *span],
        commune=commune,
        villages=villages,
        by_month=by_month,
    )
    groups = {g.pk: g for g in WorkerGroup.objects.filter(commune=commune).order_by("kind", "name")}
    found = [GroupHelp(groups[key], *counts) for key, *counts in rows if key in groups]
    if by_month:
        return sorted(found, key=lambda g: (g.month, g.group.kind, g.group.name))
    seen = {g.group.pk: g for g in found}
    return [seen.get(pk) or GroupHelp(group, None, 0, 0, 0) for pk, group in groups.items()]
