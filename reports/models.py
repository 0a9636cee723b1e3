"""Targets (chỉ tiêu): the value an indicator should reach in an area by a date (DOMAIN.md).

The indicators themselves are not stored: reports.selectors computes them from the
register whenever they are asked for, so they can never drift from it.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from villages.models import Commune, choices_check


class TargetIndicator(models.TextChoices):
    EID_SHARE = "eid_share", _("e-ID share")
    ONLINE_SHARE = "online_share", _("online share")
    LEVEL34_SHARE = "level34_share", _("level 3/4 share")


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
            ),
            models.UniqueConstraint(
                fields=["commune", "indicator", "due_on"],
                condition=Q(village__isnull=True),
                name="target_unique_commune_wide",
            ),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()} {self.value} {self.due_on:%Y-%m-%d}"
