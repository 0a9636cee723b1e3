"""The dashboard, the exports, the printable monthly report and the targets page.

Who sees what: every page starts from the communes the user has a role in
(reports.selectors.reach.report_communes) and the user's reach there (reach_of). Officials,
leaders and superusers read the whole commune and every village; village heads and
workers read the villages of their role, together or one by one, never the commune's
totals. A commune or village outside that answers 404. Only officials set targets.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reports import services  # services.target_delete: the view has its name
from reports.exports import table_csv, table_xlsx
from reports.forms import (
    MonthForm,
    ReportFilterForm,
    ShareField,
    TargetForm,
    TravelForm,
    VillageDistances,
)
from reports.periods import default_report_month, standing
from reports.selectors.reach import reach_of, report_communes
from reports.selectors.targets import targets_visible_to
from reports.tables import Area, Dashboard, MonthlyReport
from softbridge.calendar import commune_today, month_label
from villages.access import may_manage_program
from villages.models import Commune, Village

EXPORTERS = {"csv": table_csv, "xlsx": table_xlsx}
TARGETS_PER_PAGE = 50


def _area(request) -> tuple[list, Area]:
    """The communes the user may report on, and the area the request names (404 outside)."""
    communes = list(report_communes(request.user))
    if not communes:
        raise PermissionDenied
    code = request.GET.get("commune") or communes[0].code
    commune = next((c for c in communes if c.code == code), None)
    if commune is None:
        raise Http404(_("No such commune in your area."))
    reach = reach_of(request.user, commune)
    if reach is None:
        raise Http404(_("No such commune in your area."))
    village = None
    if request.GET.get("village"):
        village = reach.village(request.GET["village"])
        if village is None:
            raise Http404(_("No such village in your area."))
    return communes, Area(reach, village)


def _filters(request, communes, area: Area) -> ReportFilterForm:
    default_end = default_report_month([area.commune])
    data = request.GET.copy()
    data.setdefault("commune", area.commune.code)
    return ReportFilterForm(
        data,
        communes=communes,
        villages=area.reach.villages,
        whole=area.reach.whole,
        default_end=default_end,
    )


def _about(area: Area, period: str) -> list[tuple[str, str]]:
    return [(_("Area"), area.label), (_("Period"), period)]


def _query(area: Area, **more) -> str:
    params = {"commune": area.commune.code}
    if area.village is not None:
        params["village"] = area.village.code
    params.update({k: v for k, v in more.items() if v})
    return urlencode(params)


@login_required
def dashboard(request):
    communes, area = _area(request)
    form = _filters(request, communes, area)
    start, end = form.period()
    report = Dashboard(area, start, end)
    tables = {key: report.table(key) for key in report.table_keys}
    query = _query(area, start=month_label(start), end=month_label(end))
    return render(
        request,
        "reports/dashboard.html",
        {
            "area": area,
            "form": form,
            "start": start,
            "end": end,
            "report": report,
            "headline": report.headline(),
            "latest": report.latest,
            "previous": report.previous,
            "tables": tables,
            "trends": report.village_trends(),
            "group_trends": report.group_trends(),
            "charts": report.chart_data(),
            "query": query,
            "may_set_targets": may_manage_program(request.user, area.commune),
        },
    )


@login_required
def export(request, table: str, fmt: str):
    communes, area = _area(request)
    form = _filters(request, communes, area)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "\n".join(str(e) for errors in form.errors.values() for e in errors), content_type="text/plain"
        )
    start, end = form.period()
    report = Dashboard(area, start, end)
    try:
        found = report.table(table)
    except KeyError:
        raise Http404(_("No such table.")) from None
    period = f"{month_label(start)}..{month_label(end)}"
    return EXPORTERS[fmt](found, _about(area, period))


def _monthly(request) -> tuple[Area, MonthForm, MonthlyReport]:
    communes, area = _area(request)
    data = request.GET.copy()
    data.setdefault("commune", area.commune.code)
    default_month = default_report_month([area.commune])
    if not data.get("month"):
        data["month"] = month_label(default_month)
    form = MonthForm(
        data,
        communes=communes,
        villages=area.reach.villages,
        whole=area.reach.whole,
        default_month=default_month,
    )
    return area, form, MonthlyReport(area, form.chosen_month())


@login_required
def monthly(request):
    area, form, report = _monthly(request)
    tables = {key: report.table(key) for key in report.table_keys}
    return render(
        request,
        "reports/monthly.html",
        {
            "area": area,
            "form": form,
            "report": report,
            "month": report.month,
            "as_of": report.as_of,
            "tables": tables,
            "query": _query(area, month=month_label(report.month)),
            "printed_on": commune_today(),
        },
    )


@login_required
def monthly_export(request, table: str, fmt: str):
    area, form, report = _monthly(request)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "\n".join(str(e) for errors in form.errors.values() for e in errors), content_type="text/plain"
        )
    try:
        found = report.table(table)
    except KeyError:
        raise Http404(_("No such table.")) from None
    as_of = standing(report.month, today=report.today)
    return EXPORTERS[fmt](found, _about(area, f"{month_label(report.month)} ({as_of})"))


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    """The commune's targets: everyone with a role reads them, officials add them."""
    communes, area = _area(request)
    commune = area.commune
    may_manage = may_manage_program(request.user, commune)
    form = None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = TargetForm(request.POST, commune=commune)
        if form.is_valid():
            target = form.save(commit=False)
            target.commune = commune
            target.recorded_by = request.user
            target.save()
            messages.success(request, _target_saved(target))
            return redirect(f"{reverse('reports:targets')}?{_query(Area(area.reach))}")
    elif may_manage:
        form = TargetForm(commune=commune)
    visible = (
        targets_visible_to(request.user)
        .filter(commune=commune)
        .select_related("village", "group")
        .order_by("indicator", "village__code", "group__name", "due_on")
    )
    if area.village is not None:
        visible = visible.filter(Q(village=area.village) | Q(village__isnull=True))
    page = Paginator(visible, TARGETS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/targets.html",
        {
            "area": area,
            "communes": communes,
            "page": page,
            "form": form,
            "may_manage": may_manage,
            "query": _query(Area(area.reach)),
        },
    )


def _target_saved(target) -> str:
    """What was saved, in words: "60" and "0,6" were read as 60 %, and this says so."""
    return _("Target saved: %(indicator)s %(value)s by %(due)s (%(area)s).") % {
        "indicator": target.get_indicator_display(),
        "value": ShareField().prepare_value(target.value),
        "due": date_format(target.due_on, "SHORT_DATE_FORMAT"),
        "area": target.village.name
        if target.village_id
        else target.group.name
        if target.group_id
        else _("whole commune"),
    }


def _managed_target(request, pk: int):
    """The target, if the user sees it (404 otherwise) and may change it (403 otherwise)."""
    target = get_object_or_404(targets_visible_to(request.user).select_related("commune", "village"), pk=pk)
    if not may_manage_program(request.user, target.commune):
        raise PermissionDenied
    return target


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int):
    """An official corrects a target: its value, date, area or indicator."""
    target = _managed_target(request, pk)
    back = f"{reverse('reports:targets')}?{urlencode({'commune': target.commune.code})}"
    form = TargetForm(request.POST or None, instance=target, commune=target.commune)
    if request.method == "POST" and form.is_valid():
        target = form.save()
        messages.success(request, _target_saved(target))
        return redirect(back)
    return render(request, "reports/target_form.html", {"target": target, "form": form, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def target_delete(request, pk: int):
    target = _managed_target(request, pk)
    back = f"{reverse('reports:targets')}?{urlencode({'commune': target.commune.code})}"
    if request.method == "POST":
        services.target_delete(target=target)
        messages.success(request, _("Target deleted."))
        return redirect(back)
    return render(request, "reports/target_confirm_delete.html", {"target": target, "back": back})


@login_required
@require_http_methods(["GET", "POST"])
def savings_settings(request):
    """Officials set the travel cost per km, the hours per trip and each village's usual distance."""
    communes, area = _area(request)
    commune = area.commune
    if not may_manage_program(request.user, commune):
        raise PermissionDenied
    villages = Village.objects.filter(commune=commune).order_by("code")
    data = request.POST if request.method == "POST" else None
    form = TravelForm(data, instance=commune, prefix="travel")
    distances = VillageDistances(data, queryset=villages, prefix="villages")
    if data is not None and form.is_valid() and distances.is_valid():
        with transaction.atomic():
            form.save()
            distances.save()
        messages.success(request, _("Travel cost, time per trip and distances saved."))
        return redirect(f"{reverse('reports:dashboard')}?{_query(Area(area.reach))}#savings-title")
    return render(
        request,
        "reports/savings_settings.html",
        {
            "area": area,
            "form": form,
            "distances": distances,
            "query": _query(Area(area.reach)),
            # The defaults stated on the page are the model's own, so that the two cannot disagree.
            "default_cost": Commune._meta.get_field("travel_cost_per_km").default,
            "default_hours": Commune._meta.get_field("hours_per_trip").default,
        },
    )
