"""Home visits in the browser: log one on a phone, list recent ones, and what is due to follow up.

Every read starts from the scoped selectors; logging needs access.may_log_outreach
(officials, the village's heads and workers). A household outside the user's area
answers 404; a leader, who only reads, gets 403.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mobilization.forms import VisitFilterForm, VisitForm
from mobilization.models import HomeVisit, VisitHelp
from mobilization.selectors import follow_up_overdue_q, follow_ups_due, visits_visible_to
from mobilization.services import visit_log
from softbridge.calendar import commune_today
from softbridge.submissions import FIELD, answered_once, refusal_status
from softbridge.text import search_text
from softbridge.typed_ids import row_id
from villages.access import may_log_outreach, villages_open_to_outreach
from villages.models import Achievement, Household, Resident, Role
from villages.selectors import (
    households_matching,
    households_open_to_outreach,
    households_visible_to,
    villages_visible_to,
    with_list_columns,
)

PAGE_SIZE = 25
OPTIONS_SHOWN = 10
MIN_SEARCH_LENGTH = 2


def _require_outreach(request) -> None:
    if not villages_open_to_outreach(request.user).exists():
        raise PermissionDenied


def _household_for_visit(request, value) -> Household | None:
    """The household named by `value`: 404 outside the user's area, 403 where they only read."""
    if not value:
        return None
    pk = row_id(value)
    if pk is None:
        raise Http404
    # With its commune: visit_log asks when its program started.
    household = get_object_or_404(
        households_visible_to(request.user).select_related("village", "commune"), pk=pk
    )
    if not may_log_outreach(request.user, household.village):
        raise PermissionDenied
    return household


def _household_options(user, text: str):
    """Households open to the user's outreach matching `text` (already softbridge.text.search_text)."""
    if len(text) < MIN_SEARCH_LENGTH:
        return []
    return list(
        with_list_columns(households_matching(households_open_to_outreach(user), text, viewer=user))[
            :OPTIONS_SHOWN
        ]
    )


def _initial(request, household: Household | None) -> dict:
    own = request.user.workers.all()
    if household is not None:
        own = own.filter(commune_id=household.commune_id)
    return {
        "submission_key": uuid.uuid4(),
        "household": household,
        "visited_on": commune_today(),
        "workers": list(own.values_list("pk", flat=True)),
    }


def _add_service_errors(form: VisitForm, error: ValidationError) -> None:
    """Put the service's refusals next to the field they name, the rest at the top. Each keeps
    its code: a submission key another user sent (KeyTaken) brings the form back with a new key
    and answers 409 (softbridge.submissions.refusal_status)."""
    fields = {*HomeVisit.entered_fields, "model", FIELD}
    for field, errors in error.update_error_dict({}).items():
        for one in errors:
            form.add_error(field if field in fields else None, one)


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def visit_new(request):
    """Log a home visit: household, what each member achieved, outcome, follow-up, who and when."""
    _require_outreach(request)
    if request.method == "POST":
        household = _household_for_visit(request, request.POST.get("household"))
        form = VisitForm(request.POST, user=request.user, household=household)
        if form.is_valid():
            data = form.cleaned_data
            try:
                visit = visit_log(
                    **HomeVisit.entered_in(data),
                    helped=form.helps(),
                    recorded_by=request.user,
                    submission_key=data["submission_key"],
                    model=data["model"],
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Visit to household %(code)s logged.") % {"code": visit.household.code}
                )
                return redirect("villages:household", pk=visit.household_id)
    else:
        household = _household_for_visit(request, request.GET.get("household"))
        form = VisitForm(user=request.user, initial=_initial(request, household), household=household)
    q = search_text(request.GET.get("q", ""))
    return render(
        request,
        "mobilization/visit_form.html",
        {
            "form": form,
            "q": q,
            "options": _household_options(request.user, q) if not form.chosen_household else [],
            "searched": len(q) >= MIN_SEARCH_LENGTH,
            "today": commune_today(),
        },
        status=refusal_status(form),
    )


@login_required
@require_GET
def visit_household_options(request):
    """The households matching what is typed in the visit form's search box (htmx)."""
    _require_outreach(request)
    q = search_text(request.GET.get("q", ""))
    return render(
        request,
        "mobilization/visit_household_options.html",
        {
            "options": _household_options(request.user, q),
            "q": q,
            "searched": len(q) >= MIN_SEARCH_LENGTH,
        },
    )


@login_required
@require_GET
def visit_household(request):
    """The visit form's household part (htmx): the picked household's members and visitors, or the search."""
    _require_outreach(request)
    household = _household_for_visit(request, request.GET.get("household"))
    form = VisitForm(user=request.user, initial=_initial(request, household))
    return render(
        request,
        "mobilization/visit_household.html",
        {"form": form, "q": "", "options": [], "searched": False},
    )


def _head_name():
    return Subquery(
        Resident.objects.filter(
            household=OuterRef("household"), relation=Resident.Relation.HEAD, left_on__isnull=True
        )
        .order_by("id")
        .values("full_name")[:1]
    )


def _with_labels(visits):
    for visit in visits:
        for helped in visit.helped.all():
            helped.achievement_labels = [
                Achievement(a).label for a in helped.achievements if a in Achievement.values
            ]
    return visits


@login_required
@require_GET
def visit_list(request):
    """Recent visits in the user's area, by village and month."""
    form = VisitFilterForm(request.GET, villages=villages_visible_to(request.user))
    visits = (
        form.filter(visits_visible_to(request.user))
        .select_related("household__village")
        .prefetch_related(
            "workers",
            Prefetch("helped", queryset=VisitHelp.objects.select_related("resident").order_by("id")),
        )
        .annotate(head_name=_head_name())
        .order_by("-visited_on", "-id")
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    _with_labels(page.object_list)
    return render(
        request,
        "mobilization/visit_list.html",
        {"form": form, "page": page, "may_log": villages_open_to_outreach(request.user).exists()},
    )


@login_required
@require_GET
def follow_ups(request):
    """Follow-ups due within a week or overdue, with no later visit to the household.

    A worker sees their own by default (visits they were on, households in their charge),
    and may switch to everything in their villages.
    """
    today = commune_today()
    is_worker = Role.objects.filter(user=request.user, kind=Role.Kind.WORKER).exists()
    show_all = not is_worker or request.GET.get("all") == "1"
    visits = follow_ups_due(request.user, today=today, mine_only=not show_all)
    visits = (
        visits.select_related("household__village")
        .prefetch_related("workers")
        .annotate(
            head_name=_head_name(),
            overdue=ExpressionWrapper(follow_up_overdue_q(today), output_field=BooleanField()),
        )
        .order_by("follow_up_on", "household__code")
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mobilization/followups.html",
        {
            "page": page,
            "today": today,
            "is_worker": is_worker,
            "show_all": show_all,
            "may_log": villages_open_to_outreach(request.user).exists(),
        },
    )
