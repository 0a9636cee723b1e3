"""Writes of the reports' own records: the commune's targets and its signed monthly reports."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from reports.models import MonthReport, Target
from reports.periods import is_complete
from reports.signed import month_snapshot
from softbridge.calendar import month_in_words, month_start
from villages.access import may_prepare_month_report, may_sign_month_report
from villages.models import Commune


@transaction.atomic
def target_delete(*, target: Target) -> None:
    """Delete a target. Nothing refers to a target: the plan (reports.selectors.targets) then
    runs straight between the targets on either side, or the commune-wide one plans the
    village again. Who may is villages.access.may_manage_program, asked by every surface."""
    target.delete()


# --- The signed monthly report (reports.signed) ----------------------------------------


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


@transaction.atomic
def monthly_report_prepare(*, commune: Commune, month: datetime.date, by) -> MonthReport:
    """The commune's report of `month` with its figures computed now, waiting for a leader's
    signature: the draft of the month refreshed if one waits, else a new revision (the first,
    or the one after the last signed). Only for a complete month, by the commune's officials
    (PermissionDenied otherwise); a month not yet complete is refused (ValidationError on
    `month`)."""
    if not may_prepare_month_report(by, commune):
        raise PermissionDenied(gettext("Only the commune's officials prepare the monthly report."))
    month = month_start(month)
    if not is_complete(month):
        raise ValidationError(
            {
                "month": gettext("%(month)s is not over yet: a report is prepared once the month has ended.")
                % {"month": month_in_words(month)}
            }
        )
    # Lock the commune's row: two officials preparing at once make one draft, not two.
    Commune.objects.select_for_update().filter(pk=commune.pk).first()
    figures = month_snapshot(commune=commune, month=month)
    computed_at = datetime.datetime.fromisoformat(figures["computed_at"])
    draft = MonthReport.objects.filter(commune=commune, month=month, signed_at__isnull=True).first()
    if draft is not None:
        draft.figures, draft.computed_at = figures, computed_at
        draft.prepared_by, draft.prepared_by_name = by, _name(by)
        draft.save()
        return draft
    last = MonthReport.objects.filter(commune=commune, month=month).aggregate(last=Max("revision"))["last"]
    return MonthReport.objects.create(
        commune=commune,
        month=month,
        revision=(last or 0) + 1,
        figures=figures,
        computed_at=computed_at,
        prepared_by=by,
        prepared_by_name=_name(by),
    )


@transaction.atomic
def monthly_report_sign(*, report: MonthReport, by, title: str) -> MonthReport:
    """Sign the prepared `report` as `by`, a leader of its commune, under `title` (their post,
    as the document prints it): it is sent to the province from then on, with the commune's
    next report number of the year, and never changes again. A report signed already is
    refused (ValidationError), as is anyone but the commune's leaders (PermissionDenied)."""
    if not may_sign_month_report(by, report.commune_id):
        raise PermissionDenied(gettext("Only the commune's leaders sign the monthly report."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("Write the signer's title, as the document prints it.")})
    # Numbers run per commune and year: the commune's row is the lock that keeps them apart.
    Commune.objects.select_for_update().filter(pk=report.commune_id).first()
    report = MonthReport.objects.select_for_update().get(pk=report.pk)
    if report.is_signed:
        raise ValidationError(gettext("This report is signed already: prepare a revision to change it."))
    now = timezone.now()
    year = timezone.localtime(now).year
    last = MonthReport.objects.filter(
        commune_id=report.commune_id, signed_at__isnull=False, signed_at__year=year
    ).aggregate(last=Max("number"))["last"]
    report.signed_by, report.signed_by_name, report.signer_title = by, _name(by), title[:120]
    report.signed_at, report.number = now, (last or 0) + 1
    report.save()
    return report
