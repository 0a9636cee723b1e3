"""Targets (chỉ tiêu): the value an indicator should reach in an area by a date (docs/domain.md).

import datetime
The indicators are computed from the register whenever they are asked for. The one
derived table, AdoptionChange, is written by database triggers on every change to the
register (reports.ledger), never by Python code, so it cannot drift from it.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import Commune, Village, choices_check


class TargetIndicator(models.TextChoices):
    EID_SHARE = "eid_share", _("e-ID share")
    ONLINE_SHARE = "online_share", _("online share")
    LEVEL34_SHARE = "level34_share", _("level 3/4 share")


# What the admin says of a second target for the same indicator, area and date (the pages and
# the API name the first one: reports.forms.duplicate_message), rather than Django's
# "Constraint ... is violated."
DUPLICATE_TARGET = _(
    "This area already has a target for this indicator due on this date: change that target instead "
    "of adding a second one."
)


class Target(models.Model):
    """A share an area should reach by `due_on`; the plan runs linearly between targets.

    A target without a village is commune-wide. It also plans every village that has no
    target of its own for the same indicator.
    """

    Indicator = TargetIndicator

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="targets", verbose_name=_("commune")
    )
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("village"),
        help_text=_("Leave empty for a commune-wide target."),
    )
    # An organisation's target (issue 29): the share of the residents its members helped who
    # reached level 3/4 (reports.selectors.helped), planned as an area's shares are.
    group = models.ForeignKey(
        "mobilization.WorkerGroup",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("organisation"),
        help_text=_(
            "For an organisation's target: the share of the residents it helped who reached level 3/4. "
            "Leave empty for an area's target."
        ),
    )
    indicator = models.CharField(_("indicator"), max_length=16, choices=Indicator.choices)
    due_on = models.DateField(_("due on"))
    value = models.DecimalField(
        _("value"),
        max_digits=5,
        decimal_places=4,
        help_text=_("A share between 0 and 1, for example 0.6 for 60%."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["commune", "village__code", "indicator", "due_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=Decimal("0"), value__lte=Decimal("1")), name="target_value_is_a_share"
            ),
            choices_check("indicator", TargetIndicator, "target_indicator_valid"),
            # NULL villages are distinct in a plain unique constraint, so the commune-wide
            # targets get a constraint of their own.
            models.UniqueConstraint(
                fields=["commune", "village", "indicator", "due_on"],
                condition=Q(village__isnull=False),
                name="target_unique_per_village",
                violation_error_message=DUPLICATE_TARGET,
            ),
            models.UniqueConstraint(
                fields=["commune", "indicator", "due_on"],
                condition=Q(village__isnull=True, group__isnull=True),
                name="target_unique_commune_wide",
                violation_error_message=DUPLICATE_TARGET,
            ),
            models.UniqueConstraint(
                fields=["commune", "group", "indicator", "due_on"],
                condition=Q(group__isnull=False),
                name="target_unique_per_group",
                violation_error_message=DUPLICATE_TARGET,
            ),
            # A village's or an organisation's, never both; and an organisation's is about the
            # level 3/4 share of those it helped, the one share the reports count per group.
            models.CheckConstraint(
                condition=Q(group__isnull=True)
                | Q(village__isnull=True, indicator=TargetIndicator.LEVEL34_SHARE),
                name="target_group_level34_no_village",
            ),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()} {self.value} {self.due_on:%Y-%m-%d}"


class AdoptionChange(models.Model):
    """How many residents of a village start (+) or stop (-) counting for each measure in a month.

    The adoption ledger of reports.ledger: the count of a measure at the end of month M
    is the sum of its changes up to M. Rows are appended by triggers (compacted=False)
    and folded into one compacted row per village and month by reports.ledger.compact.
    No foreign-key constraints: rows outlive nothing, and the triggers remove a deleted
    commune's rows themselves.
    """

    commune = models.ForeignKey(Commune, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    month = models.IntegerField(help_text="year * 12 + month - 1; 0 for always")
    eligible = models.IntegerField(default=0)
    eid = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    level34 = models.IntegerField(default=0)
    compacted = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "village", "month"],
                condition=Q(compacted=True),
                name="adoption_change_one_compacted_row",
            ),
        ]
        indexes = [
            models.Index(fields=["commune"], condition=Q(compacted=False), name="adoption_change_appended"),
            # The months of a report's period, for all its villages.
            models.Index(
                fields=["commune", "month"], condition=Q(compacted=True), name="adoption_change_months"
            ),
        ]

    def __str__(self):
        return f"{self.village_id} {self.month}: {self.eligible} {self.eid} {self.online} {self.level34}"


class AdoptionYearChange(models.Model):
    """The adoption ledger's compacted changes summed per village and year, and per
    village and decade.

    A report of recent months needs every change before its period added up: people
    come of age from the 1940s on, so that is a couple of hundred month rows a village.
    With these it reads the decades, then the years, then the months before the period:
    a few dozen rows a village. Written only by reports.ledger.compact, in the statement
    that folds appended rows into AdoptionChange, so the two never disagree; emptied with
    the ledger when a commune is rebuilt or deleted.
    """

    commune = models.ForeignKey(Commune, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    years = models.SmallIntegerField(help_text="1 for a year, 10 for a decade")
    year = models.IntegerField(help_text="the first year: month // 12 of the ledger's months, or its decade")
    eligible = models.IntegerField(default=0)
    eid = models.IntegerField(default=0)
    online = models.IntegerField(default=0)
    level34 = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # In the order the reports read them: a commune's decades or years up to one.
            models.UniqueConstraint(
                fields=["commune", "years", "year", "village"], name="adoption_years_one_row"
            ),
        ]

    def __str__(self):
        changes = f"{self.eligible} {self.eid} {self.online} {self.level34}"
        return f"{self.village_id} {self.year}+{self.years}: {changes}"


class OfficialFigures(models.Model):
    """A commune's dossiers of one month as the provincial administrative-procedure system
    reports them (the figures the commune files upward), typed in or imported from that
    system's Excel export (reports.official_import). The reports show them beside
    Softbridge's own count of the applications received (reports.selectors.official)."""

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="official_figures", verbose_name=_("commune")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month the figures are for."))
    received_online = models.PositiveIntegerField(_("dossiers received online"), default=0)
    received_in_person = models.PositiveIntegerField(_("dossiers received in person"), default=0)
    received_by_post = models.PositiveIntegerField(_("dossiers received by post"), default=0)
    full_process_online = models.PositiveIntegerField(_("of which full-process online"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("dossiers resolved on time"), default=0)
    paid_online = models.PositiveIntegerField(_("dossiers paid online"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    # The counts, in the order of the system's export and of every form and table.
    COUNTS = (
        "received_online",
        "received_in_person",
        "received_by_post",
        "full_process_online",
        "resolved_on_time",
        "paid_online",
    )

    class Meta:
        verbose_name = _("official figures")
        verbose_name_plural = _("official figures")
        ordering = ["commune", "month"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "month"], name="official_figures_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="official_figures_month_first_day"),
            # Full-process dossiers are dossiers received online.
            models.CheckConstraint(
                condition=Q(full_process_online__lte=models.F("received_online")),
                name="official_figures_full_process_is_online",
            ),
        ]

    def __str__(self):
        return f"{self.commune_id} {self.month:%Y-%m}"

    @property
    def received(self) -> int:
        return self.received_online + self.received_in_person + self.received_by_post


# --- The signed monthly report (báo cáo định kỳ): reports.signed ---------------------------


class SignedReportQuerySet(models.QuerySet):
    """Signed reports are the commune's record of what it sent up: no bulk write reaches them."""

    def signed(self):
        return self.filter(signed_at__isnull=False)

    def update(self, **kwargs):
        if self.signed().exists():
            raise SignedReportImmutable()
        return super().update(**kwargs)

    def delete(self):
        if self.signed().exists():
            raise SignedReportImmutable()
        return super().delete()


class SignedReportImmutable(Exception):
    """A signed report was asked to change: it never does; a revision replaces it."""


class MonthReport(models.Model):
    """A commune's report of one closed month: prepared by an official (the figures frozen
    as `figures`, reports.signed.month_snapshot), then signed by a leader, which sends it to
    the province. A signed report never changes (save, delete and the queryset's bulk writes
    refuse); a later revision of the same month replaces it in the province's view and both
    stay in the history."""

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="month_reports", verbose_name=_("commune")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month the report is for."))
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Names as they were on the day: the document keeps them whatever becomes of the accounts.
    prepared_by_name = models.CharField(_("prepared by"), max_length=150)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_by_name = models.CharField(_("signed by"), max_length=150, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)

    objects = SignedReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["commune", "month", "revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "month", "revision"], name="month_report_one_revision"
            ),
            # One draft waiting for signature per commune and month at a time.
            models.UniqueConstraint(
                fields=["commune", "month"],
                condition=Q(signed_at__isnull=True),
                name="month_report_one_draft",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="month_report_month_first_day"),
            # Signed means who, as what, when and under which number, all at once.
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, number__isnull=True, signed_by_name="", signer_title="")
                | (
                    Q(signed_at__isnull=False, number__isnull=False)
                    & ~Q(signed_by_name="")
                    & ~Q(signer_title="")
                ),
                name="month_report_signed_in_full",
            ),
        ]

    def __str__(self):
        return f"{self.commune_id} {self.month:%Y-%m} r{self.revision}"

    def save(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).signed().exists():
            raise SignedReportImmutable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk is not None and type(self).objects.filter(pk=self.pk).signed().exists():
            raise SignedReportImmutable()
        return super().delete(*args, **kwargs)

    @property
    def as_of(self) -> datetime.date:
        """The day whose end the frozen adoption figures stand at (the month's last)."""
        return datetime.date.fromisoformat(self.figures["as_of"])

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class SharedNumber(models.Model):
    """A record of `commune` whose ID number also lives in another commune on some of the same
    days (a stay, current or earlier, of each sharing a day's end): a conflict, which the
    province's count-once reads (reports.selectors.province.counted_twice).

    Written by the database triggers of reports.shared_numbers, never by Python code, so
    it cannot drift from the register. No foreign-key constraint, as the ledger's.
    """

    commune = models.ForeignKey(Commune, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    national_id = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["commune", "national_id"], name="shared_number_once_a_commune"),
        ]
        # The triggers write a number's rows again by the number.
        indexes = [models.Index(fields=["national_id"], name="shared_number_by_number")]

    def __str__(self):
        return f"{self.commune_id} {self.national_id}"
