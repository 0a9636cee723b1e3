"""A phone's report as it sends it, and as officials read it."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from devices.models import DeviceReport

# Above any phone's figures: a count or a size past these is not a report, it is a mistake.
MOST_RECORDS = 100_000
MOST_BYTES = 2**53
MOST_AGE_SECONDS = 10 * 366 * 86400


class DeviceReportInput(serializers.Serializer):
    device = serializers.UUIDField(help_text=_("The id the phone made for itself, kept in its storage."))
    version = serializers.CharField(max_length=40, allow_blank=True)
    waiting = serializers.IntegerField(min_value=0, max_value=MOST_RECORDS)
    oldest_waiting_seconds = serializers.IntegerField(
        min_value=0, max_value=MOST_AGE_SECONDS, allow_null=True, required=False, default=None
    )
    refused = serializers.IntegerField(min_value=0, max_value=MOST_RECORDS)
    pages_kept = serializers.IntegerField(min_value=0, max_value=MOST_RECORDS)
    storage_used = serializers.IntegerField(
        min_value=0, max_value=MOST_BYTES, allow_null=True, required=False, default=None
    )
    storage_quota = serializers.IntegerField(
        min_value=0, max_value=MOST_BYTES, allow_null=True, required=False, default=None
    )
    persisted = serializers.BooleanField(allow_null=True, required=False, default=None)

    def validate(self, data):
        used, quota = data.get("storage_used"), data.get("storage_quota")
        if used is not None and quota is not None and used > quota:
            raise serializers.ValidationError({"storage_used": _("More storage used than the quota.")})
        return data

    def arguments(self) -> dict:
        """The service's keyword arguments (devices.services.device_report_record)."""
        data = dict(self.validated_data)
        seconds = data.pop("oldest_waiting_seconds")
        data["oldest_waiting_age"] = None if seconds is None else datetime.timedelta(seconds=seconds)
        return data


class DeviceReportOutput(serializers.ModelSerializer):
    """A report with what the supervisor should look at; the context gives `version`, the
    app's current version."""

    user = serializers.CharField(source="user.username")
    storage_share = serializers.FloatField(allow_null=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = DeviceReport
        fields = [
            "device",
            "user",
            "version",
            "first_contact",
            "last_contact",
            "waiting",
            "oldest_waiting_since",
            "refused",
            "pages_kept",
            "storage_used",
            "storage_quota",
            "storage_share",
            "persisted",
            "warnings",
        ]

    def get_warnings(self, report) -> list[str]:
        now = self.context.get("now") or timezone.now()
        return [str(w) for w in report.warnings(now=now, version=self.context["version"])]
