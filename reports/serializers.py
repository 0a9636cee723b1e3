"""The adoption API's input (query parameters) and output."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.forms import MAX_MONTHS
from softbridge.calendar import MONTH_INVALID, month_count, month_label, parse_month
from villages.models import Commune, Province, Village


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
    province = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "A province's two-digit code, for example 04: the sums over its communes, or with "
            "commune= one of them."
        ),
    )
    commune = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("The commune's five-digit code, for example 01558 (required without province)."),
    )
    start = MonthParameter(help_text=_("First month, YYYY-MM."))
    end = MonthParameter(help_text=_("Last month, YYYY-MM (inclusive)."))
    village = serializers.CharField(
        required=False, allow_blank=True, help_text=_("A village code; leave out (or empty) for the commune.")
    )

    def validate_province(self, code):
        if not code.strip():
            return None
        province = Province.objects.filter(code=code.strip()).first()
        if province is None:
            raise serializers.ValidationError(_("No province with code %(code)s.") % {"code": code})
        return province

    def validate_commune(self, code):
        if not code.strip():
            return None
        commune = Commune.objects.filter(code=code.strip()).first()
        if commune is None:
            raise serializers.ValidationError(_("No commune with code %(code)s.") % {"code": code})
        return commune

    def validate(self, data):
        province, commune = data.get("province"), data.get("commune")
        if province is None and commune is None:
            raise serializers.ValidationError({"commune": _("Give commune=CODE, or province=CODE.")})
        if province is not None and commune is not None and commune.province_id != province.pk:
            raise serializers.ValidationError(
                {
                    "commune": _("No commune with code %(code)s in province %(province)s.")
                    % {"code": commune.code, "province": province.code}
                }
            )
        if data["end"] < data["start"]:
            raise serializers.ValidationError({"end": _("The end month is before the start month.")})
        if month_count(data["start"], data["end"]) > MAX_MONTHS:
            raise serializers.ValidationError(
                {"start": _("Ask for at most %(count)d months at a time.") % {"count": MAX_MONTHS}}
            )
        code = data.pop("village", "").strip()
        if code and commune is None:
            raise serializers.ValidationError({"village": _("Give the village's commune=CODE too.")})
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
    eligible = serializers.IntegerField(allow_null=True)
    eid = serializers.IntegerField(allow_null=True)
    online = serializers.IntegerField(allow_null=True)
    level34 = serializers.IntegerField(allow_null=True)
    eid_share = serializers.FloatField(allow_null=True)
    online_share = serializers.FloatField(allow_null=True)
    level34_share = serializers.FloatField(allow_null=True)
    suppressed = serializers.SerializerMethodField(
        help_text=_(
            "True when the month's figures are about fewer than 5 eligible residents whom you may not "
            "see by name: every count and share is then null (reports.disclosure)."
        )
    )

    @extend_schema_field(serializers.BooleanField())
    def get_suppressed(self, figures) -> bool:
        return getattr(figures, "suppressed", False)

    def to_representation(self, instance):
        if not getattr(instance, "suppressed", False):
            return super().to_representation(instance)
        nothing = dict.fromkeys(
            ("eligible", "eid", "online", "level34", "eid_share", "online_share", "level34_share")
        )
        return {"month": month_label(instance.month), **nothing, "suppressed": True}


class AdoptionSerializer(serializers.Serializer):
    commune = serializers.CharField(source="commune.code")
    village = serializers.CharField(source="village.code", allow_null=True)
    min_age = serializers.IntegerField(source="commune.min_age")
    months = MonthFiguresSerializer(many=True)


class ProvinceAdoptionSerializer(AdoptionSerializer):
    """The commune series' shape for a province (asked with province=): each month's counts
    summed over its communes, shares from the sums; commune and village null, min_age the
    communes' when they all share one, else null."""

    province = serializers.CharField(source="province.code")
    commune = serializers.CharField(source="commune.code", allow_null=True)
    min_age = serializers.IntegerField(allow_null=True)

    class Meta:
        fields = ["province", "commune", "village", "min_age", "months"]

    def to_representation(self, instance):
        found = super().to_representation(instance)
        return {key: found[key] for key in self.Meta.fields}
