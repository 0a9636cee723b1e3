"""Training sessions: the list, a session's page, recording a session and taking its
attendance quickly on a phone, and the topics officials keep.

Officials record sessions anywhere in their commune, village heads and workers in their
own villages (villages.access.may_log_outreach); leaders read. Sessions outside the
user's scope answer 404.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from mobilization.forms import VillageMonthFilter
from mobilization.models import Worker, WorkerGroup
from mobilization.selectors import models_offered_in
from softbridge.calendar import commune_today
from softbridge.paging import page_of
from softbridge.submissions import answered_once, recorded_once, refusal_status
from softbridge.text import search_text
from softbridge.typed_ids import row_id
from training import services  # services.session_delete: the view has its name
from training.forms import AttendanceForm, SessionForm, TopicForm
from training.models import Attendance, Topic, TrainingSession
from training.selectors import (
    ATTENDANCE_PAGE_HOUSEHOLDS,
    attendance_candidates,
    attendance_households,
    sessions_visible_to,
    topics_visible_to,
)
from training.services import (
    attendance_record,
    attendance_remove,
    session_record,
    session_update,
)
from villages.access import (
    communes_managed_by,
    may_change_outreach,
    may_delete_outreach,
    may_manage_program,
    villages_open_to_outreach,
)
from villages.models import Achievement, Commune
from villages.selectors import deny_unless_outreach, residents_matching, villages_visible_to

SEARCH_RESULTS = 30


# --- Sessions


@login_required
def sessions(request):
    filters = VillageMonthFilter(
        request.GET or None, villages=villages_visible_to(request.user).order_by("commune__code", "code")
    )
    queryset = filters.filter(sessions_visible_to(request.user), village_path="village", date_path="held_on")
    # Distinct: the attendance join repeats each session once per attendee, and the session
    # count read the repeats (13,454 "sessions" for 636). Held sessions only: planned ones are listed apart.
    today = commune_today()
    totals = queryset.held(today).aggregate(
        count=Count("id", distinct=True), attendance=Count("attendances", distinct=True)
    )
    queryset = (
        queryset.select_related("village")
        .prefetch_related("topics", "facilitators")
        .annotate(attendance_count=Count("attendances"))
    )
    return render(
        request,
        "training/session_list.html",
        {
            "filters": filters,
            # Planned sessions on top, the soonest first; then the held ones, latest first.
            "planned": queryset.planned(today).order_by("held_on", "id"),
            "page": page_of(request, queryset.held(today).order_by("-held_on", "-id")),
            "totals": totals,
            "may_create": villages_open_to_outreach(request.user).exists()
            or communes_managed_by(request.user).exists(),
        },
    )


def _session_form(request, *, villages, communes_without_village, commune_ids, **kwargs) -> SessionForm:
    return SessionForm(
        request.POST or None,
        villages=villages,
        topics=Topic.objects.filter(commune__in=commune_ids).order_by("name"),
        facilitators=Worker.objects.filter(commune__in=commune_ids).order_by("full_name"),
        groups=WorkerGroup.objects.filter(commune__in=commune_ids).order_by("name"),
        models=models_offered_in(villages),
        communes_without_village=communes_without_village,
        **kwargs,
    )


@login_required
@answered_once
def session_new(request):
    villages = villages_open_to_outreach(request.user).order_by("commune__code", "code")
    communes_without_village = communes_managed_by(request.user)
    if not villages.exists() and not communes_without_village.exists():
        raise PermissionDenied
    if request.method == "POST":
        deny_unless_outreach(request.user, [request.POST.get("village", "")])
    commune_ids = Commune.objects.filter(
        Q(id__in=villages.values("commune")) | Q(id__in=communes_without_village.values("id"))
    ).values("id")
    initial = {
        "submission_key": uuid.uuid4(),
        "held_on": commune_today(),
        # Whoever records the session usually ran it.
        "facilitators": list(Worker.objects.filter(user=request.user).values_list("id", flat=True)),
    }
    form = _session_form(
        request,
        villages=villages,
        communes_without_village=communes_without_village,
        commune_ids=commune_ids,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        session = recorded_once(
            form,
            TrainingSession,
            lambda: session_record(
                commune=Commune.objects.get(pk=data["commune_id"]),
                **TrainingSession.entered_in(data),
                recorded_by=request.user,
                submission_key=data["submission_key"],
                model=data["model"],
            ),
            user=request.user,
        )
        if session is not None and session.is_planned:
            messages.success(
                request,
                _("The session is planned for %(date)s. Take its attendance on the day.")
                % {"date": date_format(session.held_on, "SHORT_DATE_FORMAT")},
            )
            return redirect("training:session", pk=session.pk)
        if session is not None:
            messages.success(request, _("The session was saved. Now take the attendance."))
            return redirect("training:attendance", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form}, status=refusal_status(form))


@login_required
def session(request, pk):
    session = get_object_or_404(
        sessions_visible_to(request.user)
        .select_related("village", "group", "recorded_by")
        .prefetch_related("topics", "facilitators"),
        pk=pk,
    )
    labels = dict(Achievement.choices)
    attendances = session.attendances.select_related("resident__household").order_by(
        "resident__household__code", "resident__full_name"
    )
    attendees = [(a, [labels.get(value, value) for value in a.achievements]) for a in attendances]
    return render(
        request,
        "training/session_detail.html",
        {
            "session": session,
            "attendees": attendees,
            "may_edit": may_change_outreach(request.user, session),
            "may_delete": may_delete_outreach(request.user, session),
        },
    )


def _editable_session(request, pk) -> TrainingSession:
    session = get_object_or_404(sessions_visible_to(request.user).select_related("village", "commune"), pk=pk)
    if not may_change_outreach(request.user, session):
        raise PermissionDenied
    return session


@login_required
@answered_once
def session_edit(request, pk):
    session = _editable_session(request, pk)
    if request.method == "POST":
        deny_unless_outreach(request.user, [request.POST.get("village", "")])
    communes_without_village = [session.commune] if may_manage_program(request.user, session.commune) else []
    form = _session_form(
        request,
        villages=villages_open_to_outreach(request.user).filter(commune=session.commune_id).order_by("code"),
        communes_without_village=communes_without_village,
        commune_ids=[session.commune_id],
        initial={
            "held_on": session.held_on,
            "village": session.village_id,
            "venue_kind": session.venue_kind,
            "venue": session.venue,
            "topics": list(session.topics.values_list("id", flat=True)),
            "facilitators": list(session.facilitators.values_list("id", flat=True)),
            "group": session.group_id,
            "model": session.model_id,
            "notes": session.notes,
        },
    )
    del form.fields["submission_key"]
    if request.method == "POST" and form.is_valid():
        try:
            session_update(
                session=session,
                **TrainingSession.entered_in(form.cleaned_data),
                model=form.cleaned_data["model"],
            )
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                for message in messages_:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("The session was saved."))
            return redirect("training:session", pk=session.pk)
    return render(request, "training/session_form.html", {"form": form, "session": session})


@login_required
@require_http_methods(["GET", "POST"])
def session_delete(request, pk):
    session = get_object_or_404(sessions_visible_to(request.user).select_related("village", "commune"), pk=pk)
    if not may_delete_outreach(request.user, session):
        raise PermissionDenied
    if request.method == "POST":
        services.session_delete(session=session)
        messages.success(
            request,
            _("The session of %(date)s was deleted.")
            % {"date": date_format(session.held_on, "SHORT_DATE_FORMAT")},
        )
        return redirect("training:sessions")
    return render(
        request,
        "training/session_confirm_delete.html",
        {"session": session, "attendance_count": session.attendances.count()},
    )


# --- Attendance


def _attendance_rows(residents, *, selected: set[int], chosen: dict[int, list[str]], recorded: dict) -> list:
    """One row a resident; `offered`: what is left for them to achieve (Achievement.left_for,
    as the visit form offers), to which the row adds what is recorded or ticked already."""
    return [
        {
            "resident": resident,
            "selected": resident.pk in selected,
            "chosen": set(chosen.get(resident.pk, ())),
            "recorded": set(recorded.get(resident.pk, ())),
            "offered": [a.value for a in Achievement if a.left_for(resident)],
        }
        for resident in residents
    ]


def _posted_ids(values) -> set[int]:
    return {pk for pk in map(row_id, values) if pk is not None}


@login_required
@require_http_methods(["GET", "POST"])
@answered_once
def attendance(request, pk):
    """Tick the residents who came and what each achieved.

    One form, two actions: `save` records the attendance; `search` (the search box, as you
    type with htmx or with the Search button) only redraws the list, keeping the ticks.
    Ticking a resident shows what they can achieve on the page itself (static/js/attendance.js),
    with no request: it works with no network.
    """
    session = _editable_session(request, pk)
    if session.is_planned:
        # Nothing to tick before the day (services.attendance_record refuses it): the page says
        # so, and a sent form (an outbox's) is answered as refused.
        return render(
            request,
            "training/attendance_planned.html",
            {"session": session, "refusal": services.NOT_HELD_YET},
            status=400 if request.method == "POST" else 200,
        )
    already = Attendance.objects.filter(session=session)
    recorded = dict(already.values_list("resident_id", "achievements"))
    candidates = attendance_candidates(session, request.user)
    # A village's list comes a few households a page; each page is saved on its own.
    page = None
    shown = candidates
    if session.village_id:
        households = Paginator(attendance_households(candidates), ATTENDANCE_PAGE_HOUSEHOLDS)
        page = households.get_page(request.POST.get("page") or request.GET.get("page"))
        shown = candidates.filter(household_id__in=list(page.object_list))

    action = request.POST.get("action", "save") if request.method == "POST" else "open"
    form = AttendanceForm(request.POST if request.method == "POST" else None, residents=candidates)
    if action == "save" and form.is_valid():
        try:
            with transaction.atomic():
                for help in form.cleaned_data["helps"]:
                    attendance_record(session=session, help=help, recorded_by=request.user)
                attendance_remove(session=session, residents=form.cleaned_data["removed"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            count = Attendance.objects.filter(session=session).count()
            messages.success(request, _("Attendance saved: %(count)s present.") % {"count": count})
            next_page = row_id(request.POST.get("next_page", ""))
            if page is not None and next_page is not None and next_page in page.paginator.page_range:
                return redirect(reverse("training:attendance", args=[session.pk]) + f"?page={next_page}")
            return redirect("training:session", pk=session.pk)

    if request.method == "POST":
        selected = _posted_ids(request.POST.getlist("resident"))
        chosen = {pk: request.POST.getlist(f"ach-{pk}") for pk in selected}
        was_present = _posted_ids(request.POST.getlist("was_present"))
        query = search_text(request.POST.get("q", ""))
    else:
        # Only what this page shows: saving it adds or removes nobody of another page.
        on_page = set(shown.values_list("pk", flat=True)) if page is not None else set(recorded)
        selected = was_present = set(recorded) & on_page
        chosen, query = {}, ""

    def rows(residents):
        return _attendance_rows(residents, selected=selected, chosen=chosen, recorded=recorded)

    context = {
        "session": session,
        "form": form,
        "query": query,
        "was_present": sorted(was_present),
        "page": page,
        **_choices(),
    }
    if query:
        context["mode"] = "search"
        context["ticked"] = rows(candidates.filter(pk__in=selected))
        context["found"] = rows(
            residents_matching(candidates, query, viewer=request.user).exclude(pk__in=selected)[
                :SEARCH_RESULTS
            ]
        )
    elif session.village_id:
        context["mode"] = "village"
        context["village_list"] = rows(shown)
    else:
        context["mode"] = "picked"
        context["ticked"] = rows(candidates.filter(pk__in=selected))
    if action == "search" and request.htmx:
        return render(request, "training/_attendee_list.html", context)
    return render(request, "training/attendance.html", context)


def _choices() -> dict:
    return {"achievements": Achievement.choices}


# --- Topics


@login_required
@require_http_methods(["GET", "POST"])
def topics(request):
    communes = communes_managed_by(request.user)
    form = TopicForm(request.POST or None, communes=communes) if communes.exists() else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            topic = form.save()
            messages.success(request, _("The topic %(name)s was added.") % {"name": topic.name})
            return redirect("training:topics")
    queryset = (
        topics_visible_to(request.user)
        .annotate(session_count=Count("sessions"))
        .order_by("commune__code", "name", "id")
    )
    return render(request, "training/topic_list.html", {"form": form, "page": page_of(request, queryset, 50)})
