"""Mobilization models ("dân vận khéo"): the list, registering and changing one with its
plan, its page of plan against results month by month, and the year-end review (a
printable page and an XLSX file) for the recognition process.

Everyone with a role in a commune reads the models of their communes (village heads and
workers: the models running in their villages); officials register and change them
(villages.access.may_manage_program). A model outside the user's scope answers 404.

A model is the program's, its results are the reports' reading of visits, sessions and
applications: the pages read both, so they live on the roof, under the program's URLs.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from mobilization.forms import MobilizationModelForm, ModelGoalFormSet
from mobilization.models import CommunicationActivity, HomeVisit, MobilizationModel, WorkerGroup
from mobilization.selectors import mobilization_models_visible_to, model_applications
from mobilization.services import mobilization_model_delete, mobilization_model_save, model_tagged_counts
from reports.exports import plain
from reports.savings import savings_by_month, savings_total
from reports.selectors.helped import REACH_WINDOW_DAYS, REACHED_WITHIN_WINDOW
from reports.selectors.models import goal_progress, model_results, model_span
from reports.tables import Table, savings_table
from softbridge.calendar import commune_today, month_start
from softbridge.paging import page_of
from softbridge.spreadsheets import Sheet, xlsx_attachment
from training.models import TrainingSession
from villages.access import communes_managed_by, may_manage_program
from villages.models import Village


def _tagged_count(model_class):
    return Coalesce(
        Subquery(
            model_class.objects.filter(model=OuterRef("pk"))
            .order_by()
            .values("model")
            .annotate(n=Count("id"))
            .values("n")
        ),
        0,
    )


@login_required
@require_GET
def models(request):
    """The models the user may read, latest first, with how much work is tagged with each."""
    queryset = (
        mobilization_models_visible_to(request.user)
        .select_related("owner", "commune")
        .prefetch_related("villages")
        .annotate(
            visit_count=_tagged_count(HomeVisit),
            session_count=_tagged_count(TrainingSession),
            communication_count=_tagged_count(CommunicationActivity),
        )
        .order_by("commune__code", "-started_on", "name", "id")
    )
    return render(
        request,
        "mobilization/model_list.html",
        {
            "page": page_of(request, queryset),
            "today": commune_today(),
            "may_create": communes_managed_by(request.user).exists(),
        },
    )


def _model_form(request, *, instance: MobilizationModel | None):
    communes = communes_managed_by(request.user).order_by("code")
    commune_ids = [instance.commune_id] if instance else list(communes.values_list("pk", flat=True))
    form = MobilizationModelForm(
        request.POST or None,
        instance=instance,
        communes=communes,
        groups=WorkerGroup.objects.filter(commune__in=commune_ids).order_by("name"),
        villages=Village.objects.filter(commune__in=commune_ids).order_by("commune__code", "code"),
    )
    goals = ModelGoalFormSet(request.POST or None, instance=instance or MobilizationModel(), prefix="goals")
    return form, goals


def _save(request, form, goals) -> MobilizationModel | None:
    """Validate the model and its goals together and save both, or put the refusals on the form."""
    if not (form.is_valid() and goals.is_valid()):
        return None
    model = form.save(commit=False)
    if not model.pk:
        model.commune = form.cleaned_data["commune"]
    kept = [
        f.save(commit=False)
        for f in goals.forms
        if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    removed = [f.instance for f in goals.forms if f.cleaned_data.get("DELETE") and f.instance.pk]
    try:
        with transaction.atomic():
            return mobilization_model_save(
                model=model, villages=form.cleaned_data["villages"], goals=kept, goals_removed=removed
            )
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        if model.pk is None or not MobilizationModel.objects.filter(pk=model.pk).exists():
            model.pk = None
        return None


@login_required
@require_http_methods(["GET", "POST"])
def model_new(request):
    if not communes_managed_by(request.user).exists():
        raise PermissionDenied
    form, goals = _model_form(request, instance=None)
    if request.method == "POST":
        model = _save(request, form, goals)
        if model is not None:
            messages.success(
                request, _("The mobilization model %(name)s was registered.") % {"name": model.name}
            )
            return redirect("program:model", pk=model.pk)
    return render(request, "mobilization/model_form.html", {"form": form, "goals": goals})


def _editable(request, pk) -> MobilizationModel:
    model = get_object_or_404(mobilization_models_visible_to(request.user).select_related("commune"), pk=pk)
    if not may_manage_program(request.user, model.commune_id):
        raise PermissionDenied
    return model


@login_required
@require_http_methods(["GET", "POST"])
def model_edit(request, pk):
    model = _editable(request, pk)
    form, goals = _model_form(request, instance=model)
    if request.method == "POST":
        saved = _save(request, form, goals)
        if saved is not None:
            messages.success(request, _("The mobilization model was saved."))
            return redirect("program:model", pk=saved.pk)
    return render(request, "mobilization/model_form.html", {"form": form, "goals": goals, "model": model})


@login_required
@require_http_methods(["GET", "POST"])
def model_delete(request, pk):
    """Delete a model with no work tagged with it; with tagged work, say why it stays."""
    model = _editable(request, pk)
    tagged = model_tagged_counts(model=model)
    if request.method == "POST" and not tagged["total"]:
        mobilization_model_delete(model=model)
        messages.success(request, _("The mobilization model %(name)s was deleted.") % {"name": model.name})
        return redirect("program:models")
    return render(
        request,
        "mobilization/model_confirm_delete.html",
        {"model": model, "tagged": tagged, "refused": bool(tagged["total"])},
        status=409 if request.method == "POST" else 200,
    )


def _visible_model(request, pk) -> MobilizationModel:
    return get_object_or_404(
        mobilization_models_visible_to(request.user)
        .select_related("commune", "owner")
        .prefetch_related("villages", "goals"),
        pk=pk,
    )


@login_required
@require_GET
def model(request, pk):
    """The model's facts, its goals against what was done, and its results month by month."""
    model = _visible_model(request, pk)
    today = commune_today()
    span = model_span(model, today)
    results = model_results(model=model, start=span[0], end=span[1]) if span else None
    return render(
        request,
        "mobilization/model_detail.html",
        {
            "model": model,
            "today": today,
            "reach_window_days": REACH_WINDOW_DAYS,
            "span": span,
            "results": results,
            "goals": goal_progress(model=model, today=today),
            "may_edit": may_manage_program(request.user, model.commune_id),
            "review_years": _years(span),
            "savings_table": _savings_table(model, span),
        },
    )


def _savings_table(model: MobilizationModel, span) -> Table | None:
    """What the dossiers of the model's tagged visits and sessions saved, month by month."""
    if span is None:
        return None
    months = savings_by_month(
        commune=model.commune, applications=model_applications(model), start=month_start(span[0]), end=span[1]
    )
    return savings_table(model.commune, months, savings_total(model.commune, months))


def _years(span) -> list[int]:
    return list(range(span[1].year, span[0].year - 1, -1)) if span else []


def _review_period(request, model: MobilizationModel, today: datetime.date):
    """(year, first day, last day) of the review asked for (?year=), within the model's dates;
    the latest year by default, and for a year the model did not run in."""
    span = model_span(model, today)
    if span is None:
        return None
    years = _years(span)
    year = request.GET.get("year", "")
    year = int(year) if year.isascii() and year.isdigit() and int(year) in years else years[0]
    first = max(span[0], datetime.date(year, 1, 1))
    last = min(span[1], datetime.date(year, 12, 31))
    return year, first, last


def _review(request, pk):
    model = _visible_model(request, pk)
    today = commune_today()
    period = _review_period(request, model, today)
    context = {
        "model": model,
        "today": today,
        "reach_window_days": REACH_WINDOW_DAYS,
        "period": period,
        "review_years": _years(model_span(model, today)),
    }
    if period:
        year, first, last = period
        context["results"] = model_results(model=model, start=month_start(first), end=last)
        context["goals"] = [g for g in goal_progress(model=model, today=min(today, last))]
        context["savings_table"] = _savings_table(model, (first, last))
    return model, context


@login_required
@require_GET
def model_review(request, pk):
    """The year-end review as a printable page."""
    _model, context = _review(request, pk)
    return render(request, "mobilization/model_review.html", context)


@login_required
@require_GET
def model_review_xlsx(request, pk):
    """The year-end review as an XLSX file: the model, its goals, its months."""
    model, context = _review(request, pk)
    period = context["period"]
    facts = [
        (_("Mobilization model"), model.name),
        (_("Commune"), f"{model.commune.name} ({model.commune.code})"),
        (_("Field"), str(model.get_field_display())),
        (_("Owning group"), model.owner.name),
        (_("Started on"), model.started_on),
        (_("Ended on"), model.ended_on),
        (_("Villages"), ", ".join(v.name for v in model.villages.all())),
        (_("Period"), f"{period[1].isoformat()} – {period[2].isoformat()}" if period else ""),
        (_("Printed on"), context["today"]),
    ]
    goals = [
        [_("Goal"), _("By"), _("Goal value"), _("As of"), _("Actual"), _("Planned by then"), _("Status")]
    ]
    for progress in context.get("goals", []):
        goals.append(
            [
                str(progress.goal.get_kind_display()),
                progress.goal.due_on,
                float(progress.goal.value),
                progress.as_of,
                None if progress.actual is None else float(progress.actual),
                float(progress.expected) if progress.expected is not None else None,
                progress.status_label,
            ]
        )
    months = [[str(label) for label in MONTH_COLUMNS]]
    results = context.get("results")
    if results:
        months += [[row.month.strftime("%Y-%m"), *_month_values(row)] for row in results.months]
        months.append([_("Total"), *_month_values(results.total)])
    saved = []
    table = context.get("savings_table")
    if table:
        saved.append([str(c.label) for c in table.columns])
        saved += [
            [plain(value, c.kind, None) for value, c in zip(row, table.columns, strict=True)]
            for row in table.rows
        ]
        saved += [[], [str(table.note)]]
    # The last two month columns are shares.
    shares = {len(MONTH_COLUMNS) - 2: "0.00%", len(MONTH_COLUMNS) - 1: "0.00%"}
    name = slugify(f"{model.name}-{period[0] if period else ''}")[:100] or "model"
    return xlsx_attachment(
        f"review-{name}.xlsx",
        [
            Sheet(_("Model"), [[str(label), value] for label, value in facts], bold_rows=0, bold_columns=1),
            Sheet(_("Goals"), goals),
            Sheet(_("Months"), months, formats=shares),
            Sheet(_("Savings"), saved),
        ],
    )


MONTH_COLUMNS = [
    gettext_lazy("Month"),
    gettext_lazy("Visits"),
    gettext_lazy("Households visited"),
    gettext_lazy("Residents helped at visits"),
    gettext_lazy("Sessions"),
    gettext_lazy("Attendance"),
    gettext_lazy("Communication activities"),
    gettext_lazy("Estimated reach"),
    gettext_lazy("Residents reached"),
    REACHED_WITHIN_WINDOW,
    gettext_lazy("Share reached level 3/4"),
    gettext_lazy("Level 3/4 share in its villages"),
]


def _month_values(row) -> list:
    a = row.activity
    return [
        a.visits,
        a.households,
        a.residents_helped,
        a.sessions,
        a.attendance,
        a.communications,
        a.reach,
        row.reached_residents,
        row.reached_level34,
        row.reached_share,
        row.level34_share,
    ]
