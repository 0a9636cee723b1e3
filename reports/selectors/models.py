"""What a mobilization model achieved: its months of activity and reach, and its goals
against what happened, for the model's page and its year-end review.

A report on the program (reports may read every app): the figures are the indicators of
reports.selectors over the model's villages and months, and the activities tagged with the
model, training sessions included.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from mobilization.models import (
    CommunicationActivity,
    HomeVisit,
    MobilizationModel,
    ModelGoal,
    VisitHelp,
)
from mobilization.selectors import counted_reach
from reports.selectors.activity import ActivityFigures, activity_series
from reports.selectors.adoption import adoption_at, share
from reports.selectors.helped import reach_counts
from softbridge.calendar import add_months, month_end, month_start, months_between
from training.models import Attendance, TrainingSession
from villages.models import Resident


def model_span(model: MobilizationModel, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day the model's results cover: its start to its end, or today."""
    last = min(model.ended_on or today, today)
    if last < model.started_on:
        return None
    return model.started_on, last


def _model_events_sql() -> str:
    """(resident_id, key_id, day): residents helped at visits and present at sessions tagged
    with a model. Parameters: (model, first day, last day) twice."""
    q = connection.ops.quote_name
    visit, help_ = HomeVisit._meta.db_table, VisitHelp._meta.db_table
    session, attendance = TrainingSession._meta.db_table, Attendance._meta.db_table
    return f"""
            SELECT vh.resident_id AS resident_id, v.model_id AS key_id, v.visited_on AS day
            FROM {q(help_)} vh
            JOIN {q(visit)} v ON v.id = vh.visit_id
            WHERE v.model_id = %s AND v.visited_on >= %s AND v.visited_on <= %s
            UNION ALL
            SELECT a.resident_id, s.model_id, s.held_on
            FROM {q(attendance)} a
            JOIN {q(session)} s ON s.id = a.session_id
            WHERE s.model_id = %s AND s.held_on >= %s AND s.held_on <= %s
    """


@dataclass(frozen=True)
class ModelMonth:
    """A model's results in `month` (None: the whole period).

    activity: its tagged visits, households visited, residents helped at visits, sessions,
    attendance, communication activities and reach (reports.selectors.activity.ActivityFigures);
    reached_residents: distinct residents helped at its visits or present at its sessions;
    reached_level34: of those, residents whose first level 3/4 date is within
    REACH_WINDOW_DAYS after the model first helped them in the month (or period), the rule
    of the worker-group table (reports.selectors.helped.GroupHelp); already: at level 3/4 before;
    level34_share: the level 3/4 share of the model's villages at the end of the month.
    """

    month: datetime.date | None
    activity: ActivityFigures
    reached_residents: int
    reached_level34: int
    already: int
    level34_share: float | None = None

    @property
    def reached_share(self) -> float | None:
        return share(self.reached_level34, self.reached_residents)


@dataclass(frozen=True)
class ModelResults:
    months: list[ModelMonth]
    total: ModelMonth | None


def model_results(*, model: MobilizationModel, start: datetime.date, end: datetime.date) -> ModelResults:
    """The model's results month by month from `start` to `end` (days within the months
    outside the model's own dates count nothing, as nothing can be tagged there), and for
    the whole period. Nine queries whatever the number of months."""
    months = months_between(start, end)
    if not months:
        return ModelResults([], None)
    first, last = months[0], month_end(months[-1])
    commune = model.commune
    villages = list(model.villages.all())
    activity = activity_series(commune=commune, start=first, end=last, tagged=model)
    adapt = connection.ops.adapt_datefield_value
    span = [model.pk, adapt(first), adapt(last)]
    events = _model_events_sql()
    monthly = {
        month: counts
        for _key, month, *counts in reach_counts(
            events=events, events_params=[*span, *span], commune=commune, by_month=True
        )
    }
    whole = reach_counts(events=events, events_params=[*span, *span], commune=commune)
    adoption = {
        f.month: f.level34_share for f in adoption_at(commune=commune, months=months, villages=villages)
    }
    rows = [
        ModelMonth(a.month, a, *monthly.get(a.month, (0, 0, 0)), level34_share=adoption.get(a.month))
        for a in activity
    ]
    totals = _activity_totals(model, first, last)
    reached = whole[0][2:] if whole else (0, 0, 0)
    total = ModelMonth(None, totals, *reached, level34_share=rows[-1].level34_share)
    return ModelResults(rows, total)


def _activity_totals(model: MobilizationModel, first: datetime.date, last: datetime.date) -> ActivityFigures:
    """The model's activity from `first` to `last`, households and residents counted once."""
    visits = HomeVisit.objects.filter(
        commune=model.commune_id, model=model, visited_on__range=(first, last)
    ).aggregate(
        visits=Count("id", distinct=True),
        households=Count("household", distinct=True),
        residents_helped=Count("helped__resident", distinct=True),
    )
    sessions = (
        TrainingSession.objects.held()
        .filter(commune=model.commune_id, model=model, held_on__range=(first, last))
        .aggregate(sessions=Count("id", distinct=True), attendance=Count("attendances"))
    )
    communications = CommunicationActivity.objects.filter(
        commune=model.commune_id, model=model, held_on__range=(first, last)
    ).aggregate(communications=Count("id"), reach=counted_reach(model.commune_id))
    figures = {**visits, **sessions, **communications}
    return ActivityFigures(None, **{k: v or 0 for k, v in figures.items()})


@dataclass(frozen=True)
class GoalProgress:
    """Where one goal stands on `as_of` (the earlier of today and its due date).

    actual: the count from the model's start to as_of, or the level 3/4 share (percent)
    of its villages at the end of as_of's month; expected: what a straight line from the
    start (zero, or the share at the end of the month before the model started) to the
    goal gives on as_of; status: "met" or "missed" once due, else "on_track" or "behind".
    """

    goal: ModelGoal
    as_of: datetime.date
    actual: Decimal | None
    expected: Decimal | None
    status: str

    @property
    def status_label(self) -> str:
        return str(GOAL_STATUS_LABELS[self.status])


GOAL_STATUS_LABELS = {
    "met": _("met"),
    "missed": _("missed"),
    "on_track": _("on track"),
    "behind": _("behind plan"),
    "unknown": _("no figure yet"),
}


def goal_progress(*, model: MobilizationModel, today: datetime.date) -> list[GoalProgress]:
    """Each goal of the model against its actual figure. Five queries whatever the goals."""
    goals = list(model.goals.all())
    if not goals:
        return []
    start = model.started_on
    cutoffs = {g.pk: max(min(g.due_on, today), start) for g in goals}
    counted = {}
    visit_counts, session_counts, communication_counts, helped_counts = {}, {}, {}, {}
    for goal in goals:
        cut, key = cutoffs[goal.pk], f"g{goal.pk}"
        counted[goal.pk] = key
        if goal.kind == ModelGoal.Kind.HOUSEHOLDS_VISITED:
            visit_counts[key] = Count("household", distinct=True, filter=Q(visited_on__range=(start, cut)))
        elif goal.kind == ModelGoal.Kind.SESSIONS_HELD:
            session_counts[key] = Count("id", distinct=True, filter=Q(held_on__range=(start, cut)))
        elif goal.kind == ModelGoal.Kind.ATTENDANCE:
            session_counts[key] = Count("attendances", filter=Q(held_on__range=(start, cut)))
        elif goal.kind == ModelGoal.Kind.COMMUNICATIONS:
            communication_counts[key] = Count("id", filter=Q(held_on__range=(start, cut)))
        elif goal.kind == ModelGoal.Kind.RESIDENTS_HELPED:
            helped_at_visit = VisitHelp.objects.filter(
                resident=OuterRef("pk"), visit__model=model, visit__visited_on__range=(start, cut)
            )
            present = Attendance.objects.filter(
                resident=OuterRef("pk"), session__model=model, session__held_on__range=(start, cut)
            )
            helped_counts[key] = Count("id", filter=Q(Exists(helped_at_visit)) | Q(Exists(present)))
    actual: dict[str, int] = {}
    if visit_counts:
        actual.update(
            HomeVisit.objects.filter(commune=model.commune_id, model=model).aggregate(**visit_counts)
        )
    if session_counts:
        actual.update(
            TrainingSession.objects.filter(commune=model.commune_id, model=model).aggregate(**session_counts)
        )
    if communication_counts:
        actual.update(
            CommunicationActivity.objects.filter(commune=model.commune_id, model=model).aggregate(
                **communication_counts
            )
        )
    if helped_counts:
        actual.update(Resident.objects.filter(commune=model.commune_id).aggregate(**helped_counts))
    shares = {}
    share_goals = [g for g in goals if g.is_share]
    if share_goals:
        baseline_month = add_months(month_start(start), -1)
        months = {baseline_month, *(month_start(cutoffs[g.pk]) for g in share_goals)}
        figures = adoption_at(
            commune=model.commune, months=sorted(months), villages=list(model.villages.all())
        )
        shares = {f.month: f.level34_share for f in figures}
    progress = []
    for goal in goals:
        cut = cutoffs[goal.pk]
        span_days = (goal.due_on - start).days
        fraction = Decimal(1) if span_days <= 0 else min(Decimal(1), Decimal((cut - start).days) / span_days)
        if goal.is_share:
            value, base = shares.get(month_start(cut)), shares.get(add_months(month_start(start), -1))
            now = None if value is None else Decimal(str(value)) * 100
            base = Decimal(0) if base is None else Decimal(str(base)) * 100
        else:
            now, base = Decimal(actual.get(counted[goal.pk]) or 0), Decimal(0)
        expected = (base + (goal.value - base) * fraction).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
        if now is None:
            status = "unknown"
        elif today >= goal.due_on:
            status = "met" if now >= goal.value else "missed"
        else:
            status = "on_track" if now >= expected else "behind"
        if now is not None:
            now = now.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
        progress.append(GoalProgress(goal, cut, now, expected, status))
    return progress


# --- Models across communes --------------------------------------------------------------


@dataclass(frozen=True)
class ModelAchievement:
    """What one model achieved from `start` to `end`: its tagged visits, the residents it
    reached (helped at its visits or present at its sessions) and, of those, who reached
    level 3/4 within REACH_WINDOW_DAYS of its first help (ModelMonth's rule); `already` were
    at level 3/4 before."""

    model: MobilizationModel
    visits: int
    reached_residents: int
    reached_level34: int
    already: int

    @property
    def reached_share(self) -> float | None:
        return share(self.reached_level34, self.reached_residents)

    @property
    def residents_per_100_visits(self) -> float | None:
        return None if not self.visits else round(self.reached_residents * 100 / self.visits, 1)

    @property
    def level34_per_100_visits(self) -> float | None:
        return None if not self.visits else round(self.reached_level34 * 100 / self.visits, 1)


def _models_events_sql(commune_count: int) -> str:
    """(resident_id, key_id, day): residents helped at visits and present at sessions tagged
    with any model of the communes. Parameters: (*communes, first day, last day) twice."""
    q = connection.ops.quote_name
    visit, help_ = HomeVisit._meta.db_table, VisitHelp._meta.db_table
    session, attendance = TrainingSession._meta.db_table, Attendance._meta.db_table
    communes = ", ".join(["%s"] * commune_count)
    return f"""
            SELECT vh.resident_id AS resident_id, v.model_id AS key_id, v.visited_on AS day
            FROM {q(help_)} vh
            JOIN {q(visit)} v ON v.id = vh.visit_id
            WHERE v.commune_id IN ({communes}) AND v.model_id IS NOT NULL
              AND v.visited_on >= %s AND v.visited_on <= %s
            UNION ALL
            SELECT a.resident_id, s.model_id, s.held_on
            FROM {q(attendance)} a
            JOIN {q(session)} s ON s.id = a.session_id
            WHERE s.commune_id IN ({communes}) AND s.model_id IS NOT NULL
              AND s.held_on >= %s AND s.held_on <= %s
    """


def models_compared(*, communes, start: datetime.date, end: datetime.date) -> list[ModelAchievement]:
    """Every model of `communes` that ran in the months `start`..`end`, with what it achieved
    there (ModelAchievement), by level 3/4 reached per 100 visits, best first. Three queries,
    whatever the communes and models."""
    ids = [c.pk for c in communes] or [0]
    first, last = month_start(start), month_end(end)
    models = list(
        MobilizationModel.objects.filter(commune__in=ids, started_on__lte=last)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
        .select_related("commune")
        .order_by("commune__code", "name")
    )
    visits = dict(
        HomeVisit.objects.filter(commune__in=ids, model__isnull=False, visited_on__range=(first, last))
        .values("model")
        .annotate(n=Count("id"))
        .values_list("model", "n")
        .order_by()
    )
    adapt = connection.ops.adapt_datefield_value
    span = [*ids, adapt(first), adapt(last)]
    reached = {
        key: counts
        for key, _month, *counts in reach_counts(
            events=_models_events_sql(len(ids)), events_params=[*span, *span], communes=communes
        )
    }
    found = [ModelAchievement(m, visits.get(m.pk, 0), *reached.get(m.pk, (0, 0, 0))) for m in models]
    return sorted(found, key=lambda a: (a.level34_per_100_visits is None, -(a.level34_per_100_visits or 0)))
