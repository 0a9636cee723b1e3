"""Worker groups, workers and grassroots communicators: lists, detail pages, and the
officials' forms to keep them.

Everyone with a role in a commune reads its program; officials change it
(villages.access.may_manage_program). Records of another commune answer 404.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mobilization.forms import (
    CommunicatorForm,
    MembershipFormSet,
    WorkerForm,
    WorkerGroupForm,
)
from mobilization.models import Membership, VisitHelp, Worker, WorkerGroup
from mobilization.selectors import (
    communications_visible_to,
    communicators_visible_to,
    counted_reach,
    visits_visible_to,
    worker_groups_visible_to,
    workers_visible_to,
)
from mobilization.services import worker_group_save
from softbridge.submissions import KeyTaken, answered_once
from softbridge.typed_ids import row_id
from training.selectors import sessions_visible_to
from villages.access import communes_managed_by, may_manage_program, scope_of, villages_open_to_outreach
from softbridge.calendar import commune_today
from villages.models import Commune, Village
from villages.selectors import commune_villages_visible_to, villages_visible_to

PAGE_SIZE = 25
ACTIVITY_MONTHS = 12


# --- Scoped reads the program and training pages share. They belong in villages/selectors.py.


def deny_unless_outreach(user, village_ids: list[str]) -> None:
    """Refuse a form naming a village outside the user's reach before reading the form:
    a village the user cannot see answers 404, one they see but may not log in 403.
    Values that are not ids are left to the form to report."""
    ids = {number for number in map(row_id, village_ids) if number is not None}
    if not ids:
        return
    if villages_visible_to(user).filter(id__in=ids).count() != len(ids):
        raise Http404
    if villages_open_to_outreach(user).filter(id__in=ids).count() != len(ids):
        raise PermissionDenied


def recorded_once(form, model, record, *, user):
    """The row `record()` saves; when it refuses, the row a simultaneous submit of the same form
    (same submission key, same `user`) saved, or None with the refusal put on the form.

    A double tap sends two requests at once: the second finds the first's row. A key another
    user sent (KeyTaken) is put on the form, which comes back with a new key
    (softbridge.submissions.refusal_status answers it 409).
    """
    try:
        return record()
    except KeyTaken as error:
        form.add_error(None, error)
        return None
    except (ValidationError, IntegrityError) as error:
        key = form.cleaned_data["submission_key"]
        existing = model.objects.filter(submission_key=key, recorded_by=user).first() if key else None
        if existing is None:
            if isinstance(error, IntegrityError):
                raise
            form.add_error(None, error)
        return existing


def page_of(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def month_starts(end: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` months up to and including `end`'s, latest first."""
    year, month = end.year, end.month
    starts = []
    for _i in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts


# --- Group activity. It belongs in mobilization/selectors.py (or reports/).


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
    sessions = sessions_visible_to(user).filter(
        Q(group=group) | Exists(member_on("held_on").filter(worker__sessions_facilitated=OuterRef("pk"))),
        held_on__range=(start, end),
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


# --- Worker groups


@login_required
def groups(request):
    queryset = (
        worker_groups_visible_to(request.user)
        .select_related("village", "commune")
        .annotate(member_count=Count("memberships", filter=Q(memberships__left_on__isnull=True)))
        .order_by("commune__code", "kind", "name")
    )
    return render(
        request,
        "mobilization/group_list.html",
        {"page": page_of(request, queryset), "may_create": communes_managed_by(request.user).exists()},
    )


@login_required
def group(request, pk):
    group = get_object_or_404(
        worker_groups_visible_to(request.user).select_related("village", "commune"), pk=pk
    )
    # Current members first, then those who left, latest first (NULL ordering differs by database).
    members = group.memberships.select_related("worker").order_by(
        F("left_on").desc(nulls_first=True), "worker__full_name"
    )
    end = commune_today()
    months = month_starts(end, ACTIVITY_MONTHS)
    figures = group_activity_by_month(group=group, user=request.user, start=months[-1], end=end)
    keys = ("visits", "households", "residents", "sessions", "attendance", "communications", "reach")
    activity = [{"month": m, **{k: figures.get(m, {}).get(k) or 0 for k in keys}} for m in months]
    totals = {k: sum(row[k] for row in activity) for k in keys}
    return render(
        request,
        "mobilization/group_detail.html",
        {
            "group": group,
            "members": members,
            "activity": activity,
            "totals": totals,
            "partial_scope": not _reads_whole_commune(request.user, group.commune_id),
            "may_edit": may_manage_program(request.user, group.commune),
        },
    )


@login_required
@answered_once
def group_new(request):
    communes = communes_managed_by(request.user)
    if not communes.exists():
        raise PermissionDenied
    form = WorkerGroupForm(
        request.POST or None, communes=communes, villages=Village.objects.filter(commune__in=communes)
    )
    if request.method == "POST" and form.is_valid() and _group_saved(form):
        group = form.instance
        messages.success(request, _("The group %(name)s was created.") % {"name": group.name})
        return redirect("program:group", pk=group.pk)
    return render(request, "mobilization/group_form.html", {"form": form})


def _group_saved(form) -> bool:
    """Save the form's group through worker_group_save, or put its refusals on the form."""
    try:
        worker_group_save(group=form.save(commit=False))
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
@answered_once
def group_edit(request, pk):
    group = get_object_or_404(worker_groups_visible_to(request.user), pk=pk)
    if not may_manage_program(request.user, group.commune):
        raise PermissionDenied
    form = WorkerGroupForm(
        request.POST or None,
        instance=group,
        communes=Commune.objects.filter(pk=group.commune_id),
        villages=group.commune.villages.all(),
    )
    if request.method == "POST" and form.is_valid() and _group_saved(form):
        messages.success(request, _("The group %(name)s was saved.") % {"name": group.name})
        return redirect("program:group", pk=group.pk)
    return render(request, "mobilization/group_form.html", {"form": form, "group": group})


def _reads_whole_commune(user, commune_id: int) -> bool:
    scope = scope_of(user)
    return scope.everything or scope.whole_communes.filter(commune=commune_id).exists()


# --- Workers


@login_required
def workers(request):
    visible_visits = visits_visible_to(request.user).values("id")
    visible_sessions = sessions_visible_to(request.user).values("id")
    queryset = (
        workers_visible_to(request.user)
        .annotate(
            visit_count=Count("visits", filter=Q(visits__in=visible_visits), distinct=True),
            session_count=Count(
                "sessions_facilitated", filter=Q(sessions_facilitated__in=visible_sessions), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(left_on__isnull=True).select_related("group"),
                to_attr="current_memberships",
            )
        )
        .order_by("full_name", "id")
    )
    return render(
        request,
        "mobilization/worker_list.html",
        {"page": page_of(request, queryset), "may_create": communes_managed_by(request.user).exists()},
    )


@login_required
def worker(request, pk):
    worker = get_object_or_404(workers_visible_to(request.user), pk=pk)
    visits = visits_visible_to(request.user).filter(workers=worker)
    sessions = sessions_visible_to(request.user).filter(facilitators=worker)
    return render(
        request,
        "mobilization/worker_detail.html",
        {
            "worker": worker,
            "memberships": worker.memberships.select_related("group").order_by(
                F("left_on").desc(nulls_first=True), "group__name"
            ),
            "communicator_roles": worker.communicator_roles.select_related("village"),
            "visit_count": visits.count(),
            "visits": visits.select_related("household__village").order_by("-visited_on", "-id")[:20],
            "session_count": sessions.count(),
            "sessions": sessions.select_related("village")
            .annotate(attendance_count=Count("attendances"))
            .order_by("-held_on", "-id")[:20],
            "may_edit": may_manage_program(request.user, worker.commune),
        },
    )


def _worker_form_and_memberships(request, *, instance, communes, groups):
    form = WorkerForm(request.POST or None, instance=instance, communes=communes)
    formset = MembershipFormSet(request.POST or None, instance=instance, groups=groups, prefix="memberships")
    return form, formset


def _save_worker(form, formset) -> Worker | None:
    """Save the worker and their memberships together, or nothing when a group is of
    another commune than the worker."""
    commune = form.cleaned_data.get("commune") or form.instance.commune
    for membership_form in formset.forms:
        if membership_form.cleaned_data.get("DELETE"):
            continue
        group = membership_form.cleaned_data.get("group")
        if group is not None and group.commune_id != commune.pk:
            membership_form.add_error("group", WorkerGroup.other_commune_refusal)
            return None
    with transaction.atomic():
        worker = form.save()
        formset.instance = worker
        formset.save()
    return worker


@login_required
@answered_once
def worker_new(request):
    communes = communes_managed_by(request.user)
    if not communes.exists():
        raise PermissionDenied
    form, formset = _worker_form_and_memberships(
        request, instance=Worker(), communes=communes, groups=WorkerGroup.objects.filter(commune__in=communes)
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        worker = _save_worker(form, formset)
        if worker is not None:
            messages.success(request, _("%(name)s was added.") % {"name": worker.full_name})
            return redirect("program:worker", pk=worker.pk)
    return render(request, "mobilization/worker_form.html", {"form": form, "formset": formset})


@login_required
@answered_once
def worker_edit(request, pk):
    worker = get_object_or_404(workers_visible_to(request.user), pk=pk)
    if not may_manage_program(request.user, worker.commune):
        raise PermissionDenied
    form, formset = _worker_form_and_memberships(
        request,
        instance=worker,
        communes=Commune.objects.filter(pk=worker.commune_id),
        groups=WorkerGroup.objects.filter(commune=worker.commune_id),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if _save_worker(form, formset) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": worker.full_name})
            return redirect("program:worker", pk=worker.pk)
    return render(
        request, "mobilization/worker_form.html", {"form": form, "formset": formset, "worker": worker}
    )


# --- Grassroots communicators


@login_required
def communicators(request):
    queryset = (
        communicators_visible_to(request.user)
        .select_related("worker", "village")
        .order_by("village__code", "worker__full_name", "id")
    )
    village = request.GET.get("village", "")
    villages = commune_villages_visible_to(request.user).order_by("commune__code", "code")
    if row_id(village) is not None:
        queryset = queryset.filter(village=village)
    return render(
        request,
        "mobilization/communicator_list.html",
        {
            "page": page_of(request, queryset),
            "villages": villages,
            "village": village,
            "may_create": communes_managed_by(request.user).exists(),
            "managed_communes": set(communes_managed_by(request.user).values_list("id", flat=True)),
        },
    )


@login_required
@answered_once
def communicator_new(request):
    communes = communes_managed_by(request.user)
    if not communes.exists():
        raise PermissionDenied
    form = CommunicatorForm(
        request.POST or None,
        communes=communes,
        workers=Worker.objects.filter(commune__in=communes),
        villages=Village.objects.filter(commune__in=communes),
        initial={"chosen_on": commune_today()},
    )
    if request.method == "POST" and form.is_valid():
        communicator = form.save()
        messages.success(
            request, _("%(name)s was recorded as a communicator.") % {"name": communicator.worker}
        )
        return redirect("program:communicators")
    return render(request, "mobilization/communicator_form.html", {"form": form})


@login_required
@answered_once
def communicator_edit(request, pk):
    communicator = get_object_or_404(communicators_visible_to(request.user), pk=pk)
    if not may_manage_program(request.user, communicator.commune):
        raise PermissionDenied
    form = CommunicatorForm(
        request.POST or None,
        instance=communicator,
        communes=Commune.objects.filter(pk=communicator.commune_id),
        workers=Worker.objects.filter(commune=communicator.commune_id),
        villages=Village.objects.filter(commune=communicator.commune_id),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s was saved.") % {"name": communicator.worker})
        return redirect("program:communicators")
    return render(
        request, "mobilization/communicator_form.html", {"form": form, "communicator": communicator}
    )
