"""The program's work per month: visits, households, residents helped, sessions, attendance,
communication activities and reach, and follow-ups overdue (by mobilization.selectors'
rule, as the follow-ups page counts them); and the latest month with any of it."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from mobilization.models import (
    Application,
    CommunicationActivity,
    HomeVisit,
    Membership,
    VisitHelp,
    WorkerGroup,
)
from mobilization.selectors import (
    closed_on,
    communications_visible_to,
    counted_reach,
    follow_up_overdue_q,
    visits_visible_to,
)
from softbridge.calendar import commune_today, month_end, month_start, months_between
from training.models import TrainingSession
from training.selectors import sessions_visible_to
from villages.models import Commune, Village


def latest_activity_month(commune: Commune) -> datetime.date:
    """The latest month with a visit, session or dossier recorded, never after this month.

    The dashboard's default period ends here, so that a commune whose records stop in May
    does not open on six flat months. One query (latest_activity_month_of).
    """
    return latest_activity_month_of([commune])


# --- Activity per month -----------------------------------------------------------------


@dataclass(frozen=True)
class ActivityFigures:
    """The program's work in `month`.

    visits: home visits; households: distinct households visited; residents_helped:
    distinct residents recorded as helped at those visits; sessions: training sessions
    held; attendance: attendances at them; communications and reach: communication
    activities and their estimated reach (the whole activity's, in a village view);
    overdue: follow-ups overdue at the end of the month (the rule of mobilization.selectors).
    """

    month: datetime.date
    visits: int = 0
    households: int = 0
    residents_helped: int = 0
    sessions: int = 0
    attendance: int = 0
    communications: int = 0
    reach: int = 0
    overdue: int = 0


# What each figure counts, by month or by commune alike.
def _visit_counts() -> dict:
    return {
        "visits": Count("id", distinct=True),
        "households": Count("household", distinct=True),
        "residents_helped": Count("helped__resident", distinct=True),
    }


def _session_counts() -> dict:
    return {"sessions": Count("id", distinct=True), "attendance": Count("attendances")}


def _communication_counts(communes: int | list[int]) -> dict:
    """Activities and their counted reach (mobilization.selectors.counted_reach): of one commune,
    or each of a list held to its own commune's population."""
    return {"communications": Count("id"), "reach": counted_reach(communes)}


def _overdue_count(month: datetime.date, today: datetime.date) -> Count:
    """Visits whose follow-up is overdue at the end of `month` (annotated with closed_on)."""
    overdue_on, seen_by = _overdue_bounds(month, today)
    return Count(
        "id",
        filter=follow_up_overdue_q(overdue_on) & (Q(closed_on__isnull=True) | Q(closed_on__gt=seen_by)),
    )


def _overdue_bounds(month: datetime.date, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(overdue on, seen by): a follow-up is overdue at the end of `month` when it is overdue
    on the day after that end (mobilization.selectors.follow_up_overdue_q) and the household
    had no later visit on or before `seen by`. For the current month the end has not come:
    it is overdue today, by today's visits."""
    end = month_end(month)
    if end < today:
        return end + datetime.timedelta(days=1), end
    return today, today


def activity_series(
    *,
    commune: Commune,
    start: datetime.date,
    end: datetime.date,
    villages: Iterable[Village] | None = None,
    today: datetime.date | None = None,
    tagged=None,
) -> list[ActivityFigures]:
    """Visits, households reached, residents helped, sessions, attendance, communications,
    reach and follow-ups overdue, per month start..end. Four queries, whatever the months.

    With `tagged` (a mobilization.MobilizationModel), only the visits, sessions and
    communication activities tagged with that model count.

    A follow-up (a visit's follow_up_on) is overdue at the end of a month when its date is
    on or before the month's last day and the household had no later visit by then; for
    the current month, when its date is before today and no later visit happened. What
    closes a follow-up is mobilization.selectors' rule, as on the follow-ups page.
    """
    today = today or commune_today()
    months = months_between(start, end)
    first, last = months[0], month_end(months[-1])
    village_ids = None if villages is None else [v.pk for v in villages]
    figures = {m: {} for m in months}

    def by_month(queryset, date_field, **aggregates):
        rows = (
            queryset.filter(**{f"{date_field}__gte": first, f"{date_field}__lte": last})
            .annotate(month=TruncMonth(date_field))
            .values("month")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            month = row.pop("month")
            month = month.date() if isinstance(month, datetime.datetime) else month
            figures[month].update({k: v or 0 for k, v in row.items()})

    visits = HomeVisit.objects.filter(commune=commune)
    # A planned session (dated after today) is not held activity before its day.
    sessions = TrainingSession.objects.held(today).filter(commune=commune)
    communications = CommunicationActivity.objects.filter(commune=commune)
    if tagged is not None:
        visits, sessions = visits.filter(model=tagged), sessions.filter(model=tagged)
        communications = communications.filter(model=tagged)
    if village_ids is not None:
        visits = visits.filter(household__village__in=village_ids)
        sessions = sessions.filter(village__in=village_ids)
        touching = CommunicationActivity.villages.through.objects.filter(
            communicationactivity=OuterRef("pk"), village__in=village_ids
        )
        communications = communications.filter(Exists(touching))
    by_month(visits, "visited_on", **_visit_counts())
    by_month(sessions, "held_on", **_session_counts())
    by_month(communications, "held_on", **_communication_counts(commune.pk))

    overdue = {f"overdue_{i}": _overdue_count(month, today) for i, month in enumerate(months)}
    row = (
        visits.filter(follow_up_on__isnull=False, follow_up_on__lte=last)
        .annotate(closed_on=closed_on())
        .aggregate(**overdue)
    )
    for i, month in enumerate(months):
        figures[month]["overdue"] = row[f"overdue_{i}"] or 0
    return [ActivityFigures(month, **figures[month]) for month in months]


def activity_by_commune(
    *,
    communes: Iterable[Commune],
    start: datetime.date,
    end: datetime.date,
    today: datetime.date | None = None,
) -> dict[int, ActivityFigures]:
    """Each commune's work from the start of `start` to the end of `end`, by commune id: the
    figures of activity_series over the whole period (households and residents counted once
    in it), and follow-ups overdue at the end of `end`. Four queries, whatever the communes."""
    today = today or commune_today()
    first, last = month_start(start), month_end(end)
    ids = [c.pk for c in communes]
    figures = {pk: {} for pk in ids}

    def by_commune(queryset, date_field, **aggregates):
        rows = (
            queryset.filter(commune__in=ids, **{f"{date_field}__gte": first, f"{date_field}__lte": last})
            .values("commune")
            .annotate(**aggregates)
            .order_by()
        )
        for row in rows:
            figures[row.pop("commune")].update({k: v or 0 for k, v in row.items()})

    by_commune(HomeVisit.objects.all(), "visited_on", **_visit_counts())
    by_commune(TrainingSession.objects.held(today), "held_on", **_session_counts())
    by_commune(CommunicationActivity.objects.all(), "held_on", **_communication_counts(ids))
    rows = (
        HomeVisit.objects.filter(commune__in=ids, follow_up_on__isnull=False, follow_up_on__lte=last)
        .annotate(closed_on=closed_on())
        .values("commune")
        .annotate(overdue=_overdue_count(month_start(end), today))
        .order_by()
    )
    for row in rows:
        figures[row["commune"]]["overdue"] = row["overdue"] or 0
    return {pk: ActivityFigures(None, **found) for pk, found in figures.items()}


def latest_activity_month_of(communes: Iterable[Commune]) -> datetime.date:
    """The latest month with a visit, session or dossier recorded in any of `communes`, never
    after this month. One query: a commune's latest visit, session and dossier dates, each
    read backwards along an index on (commune, date), a few rows whatever the records."""
    today = commune_today()

    def latest(model, field):
        # ORDER BY ... LIMIT 1 rather than MAX ... GROUP BY, which PostgreSQL answers by
        # reading every row of the commune.
        return Subquery(
            model.objects.filter(commune=OuterRef("pk"), **{f"{field}__lte": today})
            .order_by(f"-{field}")
            .values(field)[:1]
        )

    rows = (
        Commune.objects.filter(pk__in=[c.pk for c in communes])
        .annotate(
            visit=latest(HomeVisit, "visited_on"),
            session=latest(TrainingSession, "held_on"),
            dossier=latest(Application, "submitted_on"),
        )
        .values_list("visit", "session", "dossier")
    )
    days = [day for row in rows for day in row if day is not None]
    return month_start(max(days)) if days else month_start(today)


def group_activity_by_month(*, group: WorkerGroup, user, start: datetime.date, end: datetime.date) -> dict:
    """The group's work per month between `start` and `end`, counted in the database.

    Visits by workers who were members on the visit's date; sessions the group organised
    or its members facilitated; its communication activities; residents helped at those
    visits. Only records the user may see are counted. Returns {month start: figures}.
    """

    def member_on(date_path: str):
        return Membership.objects.active_on(OuterRef(date_path)).filter(group=group)

    visits = visits_visible_to(user).filter(
        Exists(member_on("visited_on").filter(worker__visits=OuterRef("pk"))),
        visited_on__range=(start, end),
    )
    sessions = (
        sessions_visible_to(user)
        .held()
        .filter(
            Q(group=group) | Exists(member_on("held_on").filter(worker__sessions_facilitated=OuterRef("pk"))),
            held_on__range=(start, end),
        )
    )
    communications = communications_visible_to(user).filter(group=group, held_on__range=(start, end))
    helped = VisitHelp.objects.filter(visit__in=visits.values("id"))

    figures: dict[datetime.date, dict] = {}

    def merge(rows):
        for row in rows:
            month = row.pop("month")
            if isinstance(month, datetime.datetime):
                month = month.date()
            figures.setdefault(month, {}).update(row)

    merge(
        visits.annotate(month=TruncMonth("visited_on"))
        .values("month")
        .annotate(visits=Count("id"), households=Count("household", distinct=True))
        .order_by()
    )
    merge(
        helped.annotate(month=TruncMonth("visit__visited_on"))
        .values("month")
        .annotate(residents=Count("resident", distinct=True))
        .order_by()
    )
    merge(
        sessions.annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(sessions=Count("id", distinct=True), attendance=Count("attendances"))
        .order_by()
    )
    merge(
        communications.annotate(month=TruncMonth("held_on"))
        .values("month")
        .annotate(communications=Count("id"), reach=counted_reach(group.commune_id))
        .order_by()
    )
    return figures
