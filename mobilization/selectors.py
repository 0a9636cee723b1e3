"""Reads of the program's records, each scoped by villages.access like the register."""

import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerChoices,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from mobilization.models import (
    Application,
    CommunicationActivity,
    Communicator,
    HomeVisit,
    Membership,
    MobilizationModel,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from villages.access import scope_of
from villages.models import Household, Resident, short_of_eid_q, short_of_level34_q
from villages.selectors import households_open_to_outreach, with_list_columns


def counted_reach(communes: int | list[int]) -> Sum:
    """The estimated reach the reports add up in a commune: every activity's, except one larger
    than the commune's population (its residents living there now), a typing mistake that never
    counts (docs/domain.md, Dates that make sense). Writes refuse a reach above the commune's
    reach_factor times its villages' residents (services.reach_refusal); this keeps the
    figures of what was recorded before out of the sums. `communes`: one commune's id, or a
    list of ids whose activities are summed in one query (a province's figures), each
    activity held to its own commune's population.

    The population is counted only as far as the largest reach on record, in a subquery: a few
    rows, not the whole register. (That bound is read over all the communes listed, never
    from the outer row: SQLite allows no outer column in a LIMIT.)
    """
    residents, activities = Resident._meta.db_table, CommunicationActivity._meta.db_table
    if isinstance(communes, int):
        commune, listed, params = "%s", "= %s", [communes, communes]
    else:
        commune, params = f'"{activities}"."commune_id"', []
        listed = "IN (" + (", ".join(str(int(pk)) for pk in communes) or "NULL") + ")"
    population = RawSQL(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {residents} r"
        f" WHERE r.commune_id = {commune} AND r.left_on IS NULL"
        f" LIMIT (SELECT COALESCE(MAX(a.reach), 0) + 1 FROM {activities} a WHERE a.commune_id {listed}))"
        " population",
        params,
    )
    return Sum("reach", filter=Q(reach__lte=population))


def worker_groups_visible_to(user) -> QuerySet[WorkerGroup]:
    """The worker groups of every commune the user has a role in."""
    return WorkerGroup.objects.filter(scope_of(user).commune_q())


def workers_visible_to(user) -> QuerySet[Worker]:
    """The workers of every commune the user has a role in."""
    return Worker.objects.filter(scope_of(user).commune_q())


def communicators_visible_to(user) -> QuerySet[Communicator]:
    """The grassroots communicators of every commune the user has a role in."""
    return Communicator.objects.filter(scope_of(user).commune_q())


def visits_visible_to(user) -> QuerySet[HomeVisit]:
    """Visits to households the user may see."""
    return HomeVisit.objects.filter(scope_of(user).area_q("commune", "household__village"))


def communications_visible_to(user) -> QuerySet[CommunicationActivity]:
    """Communication activities of the user's whole communes, or touching the user's villages."""
    scope = scope_of(user)
    if scope.everything:
        return CommunicationActivity.objects.all()
    touching = CommunicationActivity.villages.through.objects.filter(village__in=scope.villages).values(
        "communicationactivity"
    )
    return CommunicationActivity.objects.filter(Q(commune__in=scope.whole_communes) | Q(id__in=touching))


def applications_visible_to(user) -> QuerySet[Application]:
    """Applications of the user's communes, or from residents of the user's villages."""
    return Application.objects.filter(scope_of(user).area_q("commune", "village"))


def application_session_choices(user) -> QuerySet:
    """The training sessions an application may say it was submitted at: those the user may see.

    Sessions are training's (training.TrainingSession, whose selector states the same scope);
    the program reaches them only through Application.session, the one foreign key it holds
    to training, so it does not import training's code."""
    sessions = Application._meta.get_field("session").related_model
    return sessions.objects.filter(scope_of(user).area_q("commune", "village"))


def household_visits(household) -> QuerySet[HomeVisit]:
    """The household's visits, newest first, with their workers and who was helped."""
    return household.visits.prefetch_related(
        "workers", Prefetch("helped", queryset=VisitHelp.objects.select_related("resident").order_by("id"))
    )


def household_applications(household) -> QuerySet[Application]:
    """The online applications of the household's residents."""
    return Application.objects.filter(resident__household=household).select_related("resident", "helped_by")


def visited_exists():
    """For a household queryset: the household has had at least one visit."""
    return Exists(HomeVisit.objects.filter(household=OuterRef("pk")))


# --- Follow-ups ---------------------------------------------------------------------
# When a visit's follow-up is closed, and when it is overdue: the one rule the follow-ups
# page, the household filters and the reports' activity figures all count with.
#
# A visit records a follow-up date when something is left to do. The household's next visit
# closes it, whatever that visit records: it states anew what is left (a follow-up of its
# own, or nothing). Visits on the same day follow each other in the order they were
# recorded, so a household has at most one open follow-up: that of its latest visit.
# A follow-up is overdue once its date has passed while it is open.


def later_visit(visit_ref: str = "pk", household_ref: str = "household"):
    """Visits to the same household after the referenced one: a follow-up they close."""
    return HomeVisit.objects.filter(household=OuterRef(household_ref)).filter(
        Q(visited_on__gt=OuterRef("visited_on"))
        | Q(visited_on=OuterRef("visited_on"), pk__gt=OuterRef(visit_ref))
    )


def latest_visit(household_ref: str = "pk") -> QuerySet[HomeVisit]:
    """The referenced household's latest visit (a one-row queryset): the one whose follow-up,
    if it records one, is open (see later_visit). One read of the index on (household,
    visited_on, id), however many visits the household has had."""
    return HomeVisit.objects.filter(household=OuterRef(household_ref)).order_by("-visited_on", "-pk")[:1]


def open_follow_up() -> Subquery:
    """For a household queryset: the day of its open follow-up (its latest visit's), None when
    its latest visit recorded none or it was never visited."""
    return Subquery(latest_visit().values("follow_up_on"))


def closed_on() -> Subquery:
    """For a visit queryset: the day its follow-up was closed (the date of the household's
    next visit, see later_visit), None while it is open."""
    return Subquery(later_visit().order_by("visited_on", "pk").values("visited_on")[:1])


def follow_up_overdue_q(today: datetime.date, field: str = "follow_up_on") -> Q:
    """A follow-up date before `today`: the follow-up is overdue on `today`, if it is open.

    The one meaning of "overdue" for Today, the household filters, the follow-ups page, the
    leaders' home and the reports (at the end of a month: the day after it). `field` names
    the date where it is not a visit's own follow_up_on (a household's open follow-up).
    """
    return Q(**{f"{field}__lt": today})


def follow_up_overdue_exists(today: datetime.date):
    """For a household queryset: it has a visit whose follow-up date passed with no later visit."""
    open_visits = (
        HomeVisit.objects.filter(household=OuterRef("pk"))
        .filter(follow_up_overdue_q(today))
        .exclude(Exists(later_visit()))
    )
    return Exists(open_visits)


# Follow-ups this close are shown as due, with the overdue ones.
DUE_WITHIN_DAYS = 7


def follow_ups_due(user, *, today: datetime.date, mine_only: bool = False) -> QuerySet[HomeVisit]:
    """Visits whose follow-up is due within a week or overdue, and no later visit closed it.

    With `mine_only`, only those the user was on or whose household is in their charge.
    """
    visits = (
        visits_visible_to(user)
        .filter(
            follow_up_on__isnull=False, follow_up_on__lte=today + datetime.timedelta(days=DUE_WITHIN_DAYS)
        )
        .exclude(Exists(later_visit()))
    )
    if mine_only:
        on_visit = HomeVisit.workers.through.objects.filter(homevisit=OuterRef("pk"), worker__user=user)
        visits = visits.filter(Exists(on_visit) | Q(household__worker_in_charge__user=user))
    return visits


# --- What is due: the Today list of workers and village heads


class Due(IntegerChoices):
    """Why a household is on the Today list, most pressing first."""

    OVERDUE = 0, _("follow-up overdue")
    THIS_WEEK = 1, _("follow-up due this week")
    NEVER_VISITED = 2, _("never visited")
    SHORT = 3, _("members short of e-ID or level 3/4")
    NOTHING = 4, _("nothing due")


def households_due(user, *, today: datetime.date) -> QuerySet[Household]:
    """Households where the user may log visits (a worker's or a village head's villages), most
    due first: a follow-up overdue (the oldest first), a follow-up due within the week, never
    visited, then the most present members of age short of e-ID or level 3/4.

    Each is annotated with `follow_up_on` (its open follow-up, see later_visit), `visited`,
    `short` (those members), `due` (a Due), and the list columns (`head_name`, `member_count`).
    One query whatever the number of households, and its cost does not grow with their visits:
    a household's follow-up is its latest visit's (one index read, open_follow_up), never a
    search of its visits for one no later visit closed.
    """
    short = short_of_eid_q(today, "members__") | short_of_level34_q(today, "members__")
    week = today + datetime.timedelta(days=DUE_WITHIN_DAYS)
    return (
        with_list_columns(households_open_to_outreach(user))
        .annotate(
            follow_up_on=open_follow_up(),
            visited=Exists(HomeVisit.objects.filter(household=OuterRef("pk"))),
            short=Count("members", filter=short),
        )
        .annotate(
            due=Case(
                When(follow_up_overdue_q(today), then=Value(Due.OVERDUE)),
                When(follow_up_on__lte=week, then=Value(Due.THIS_WEEK)),
                When(visited=False, then=Value(Due.NEVER_VISITED)),
                When(short__gt=0, then=Value(Due.SHORT)),
                default=Value(Due.NOTHING),
            )
        )
        .order_by("due", "follow_up_on", "-short", "village__code", "code", "pk")
    )


# --- Mobilization models ("dân vận khéo")


def mobilization_models_visible_to(user) -> QuerySet[MobilizationModel]:
    """Models of the user's whole communes, or running in (any of) the user's villages."""
    scope = scope_of(user)
    if scope.everything:
        return MobilizationModel.objects.all()
    touching = MobilizationModel.villages.through.objects.filter(village__in=scope.villages).values(
        "mobilizationmodel"
    )
    return MobilizationModel.objects.filter(Q(commune__in=scope.whole_communes) | Q(id__in=touching))


def models_offered_in(villages) -> QuerySet[MobilizationModel]:
    """The models a form offers for activities in `villages` (a queryset or list of villages),
    with their villages prefetched so that the page can narrow the list by village and date;
    the service refuses a model not active in the activity's village on its date."""
    touching = MobilizationModel.villages.through.objects.filter(village__in=villages).values(
        "mobilizationmodel"
    )
    return (
        MobilizationModel.objects.filter(id__in=touching).prefetch_related("villages").order_by("name", "id")
    )


def model_applications(model: MobilizationModel) -> QuerySet[Application]:
    """The dossiers recorded at the model's tagged visits and sessions (Application.visit or
    Application.session tagged with the model): what its work led residents to submit."""
    # The commune too: every query on a resident-level table names its commune (docs/scaling.md,
    # tests/test_distribution_key.py).
    return Application.objects.filter(
        Q(visit__model=model) | Q(session__model=model), commune=model.commune_id
    )


def memberships_visible_to(user) -> QuerySet[Membership]:
    """Group memberships of the workers the user may see."""
    return Membership.objects.filter(worker__in=workers_visible_to(user))


def visit_helps_visible_to(user) -> QuerySet[VisitHelp]:
    """What each visit the user may see helped with."""
    return VisitHelp.objects.filter(visit__in=visits_visible_to(user))
