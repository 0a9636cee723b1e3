"""The adoption API's input (query parameters) and output."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reports.forms import MAX_MONTHS
from villages.calendar import MONTH_INVALID, month_count, month_label, parse_month
from villages.models import Commune, Village


class MonthParameter(serializers.CharField):
    """A month as YYYY-MM, validated into the date of its first day."""

    default_error_messages = {"invalid": MONTH_INVALID}

    def to_internal_value(self, data):
        month = parse_month(super().to_internal_value(data))
        if month is None:
            self.fail("invalid")
        return month

    def to_representation(self, value):
        return month_label(value)


class AdoptionQuerySerializer(serializers.Serializer):
    commune = serializers.CharField(help_text=_("The commune's five-digit code, for example 01558."))
    start = MonthParameter(help_text=_("First month, YYYY-MM."))
    end = MonthParameter(help_text=_("Last month, YYYY-MM (inclusive)."))
    village = serializers.CharField(
        required=False, allow_blank=True, help_text=_("A village code; leave out (or empty) for the commune.")
    )

    def validate_commune(self, code):
        commune = Commune.objects.filter(code=code.strip()).first()
        if commune is None:
            raise serializers.ValidationError(_("No commune with code %(code)s.") % {"code": code})
        return commune

    def validate(self, data):
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": _("The end month is before the start month.")})
        if month_count(data["start"], data["end"]) > MAX_MONTHS:
            raise serializers.ValidationError(
                {"start": _("Ask for at most %(count)d months at a time.") % {"count": MAX_MONTHS}}
            )
        code = data.pop("village", "").strip()
        if code:
            village = Village.objects.filter(commune=data["commune"], code=code).first()
            if village is None:
                raise serializers.ValidationError(
                    {
                        "village": _("No village with code %(code)s in commune %(commune)s.")
                        % {"code": code, "commune": data["commune"].code}
                    }
                )
            data["village"] = village
        return data


class MonthFiguresSerializer(serializers.Serializer):
    month = MonthParameter()
    eligible = serializers.IntegerField()
    eid = serializers.IntegerField()
    online = serializers.IntegerField()
    level34 = serializers.IntegerField()
    eid_share = serializers.FloatField(allow_null=True)
    online_share = serializers.FloatField(allow_null=True)
    level34_share = serializers.FloatField(allow_null=True)


class AdoptionSerializer(serializers.Serializer):
    commune = serializers.CharField(source="commune.code")
    village = serializers.CharField(source="village.code", allow_null=True)
    min_age = serializers.IntegerField(source="commune.min_age")
    months = MonthFiguresSerializer(many=True)
