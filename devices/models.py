"""What each field phone last said of itself (docs/offline.md, "Device reports").

A room of its own: a phone's report is neither the register (villages) nor the program's work
(mobilization), and the roof that holds the device's code (frontdoor) keeps no records. It
holds no personal data: no names, no notes, nothing a record waiting on the phone says; only
counts, sizes, times and the app's version.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# When the supervisor is told about a phone (DeviceReport.warnings).
UNSEEN_AFTER = datetime.timedelta(days=3)  # ... not seen this long with records waiting
WAITING_TOO_LONG = datetime.timedelta(hours=24)  # ... a record waiting this long
STORAGE_FULL_SHARE = 0.8  # ... storage used over this share of the quota


class Warning(models.TextChoices):
    UNSEEN = "unseen", _("not seen for 3 days with records waiting")
    OLD_WAITING = "old_waiting", _("a record has waited over 24 hours")
    STORAGE = "storage", _("storage over 80 per cent full")
    OLD_VERSION = "old_version", _("an old version of the app")


class DeviceReport(models.Model):
    """One phone of one user, as it reported itself at its last contact.

    Keyed by the id the phone made for itself (kept in its storage) and the user signed in on
    it: a phone shared by two users is two reports."""

    device = models.UUIDField(_("device id"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="device_reports",
        verbose_name=_("user"),
    )
    version = models.CharField(_("app version"), max_length=40, blank=True)
    first_contact = models.DateTimeField(_("first contact"))
    last_contact = models.DateTimeField(_("last contact"))
    waiting = models.PositiveIntegerField(_("records waiting"))
    # When the oldest record waiting was made, by the server's clock: the phone says how old it
    # is, which its own clock, however wrong, measures right.
    oldest_waiting_since = models.DateTimeField(_("oldest record waiting since"), null=True, blank=True)
    refused = models.PositiveIntegerField(_("records refused"))
    pages_kept = models.PositiveIntegerField(_("pages kept"))
    storage_used = models.PositiveBigIntegerField(_("storage used (bytes)"), null=True, blank=True)
    storage_quota = models.PositiveBigIntegerField(_("storage quota (bytes)"), null=True, blank=True)
    persisted = models.BooleanField(_("persistent storage granted"), null=True)

    class Meta:
        verbose_name = _("device report")
        verbose_name_plural = _("device reports")
        constraints = [
            models.UniqueConstraint(fields=["device", "user"], name="device_report_one_per_device_and_user"),
            models.CheckConstraint(
                condition=Q(oldest_waiting_since__isnull=True) | Q(waiting__gt=0),
                name="device_report_oldest_only_when_waiting",
            ),
            models.CheckConstraint(
                condition=Q(storage_used__isnull=True)
                | Q(storage_quota__isnull=True)
                | Q(storage_used__lte=F("storage_quota")),
                name="device_report_storage_within_quota",
            ),
        ]

    def __str__(self):
        return f"{self.device} ({self.user})"

    @property
    def storage_share(self) -> float | None:
        """Storage used over the quota (0 to 1), when the phone said both."""
        if self.storage_used is None or not self.storage_quota:
            return None
        return self.storage_used / self.storage_quota

    def warnings(self, *, now: datetime.datetime, version: str) -> list[str]:
        """What the supervisor should look at (Warning), at `now`, the app's current version
        being `version`."""
        found = []
        if self.waiting and self.last_contact < now - UNSEEN_AFTER:
            found.append(Warning.UNSEEN)
        if self.oldest_waiting_since is not None and self.oldest_waiting_since < now - WAITING_TOO_LONG:
            found.append(Warning.OLD_WAITING)
        share = self.storage_share
        if share is not None and share > STORAGE_FULL_SHARE:
            found.append(Warning.STORAGE)
        if self.version != version:
            found.append(Warning.OLD_VERSION)
        return found
