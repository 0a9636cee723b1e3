"""GET /api/reports/signed/: the communes' signed monthly reports (reports.signed), as JSON.

A province leader reads the signed reports of their province's communes (`province=CODE`);
a commune's officials and leaders read their own commune's (`commune=CODE`, or their province's
code, which gives them their commune's only). Signed reports only, every revision, `current`
true on the one the province reads (the latest signed revision of its commune and month).
`month=YYYY-MM` narrows to one month. A province or commune outside the reader's reach answers
404; someone who reads no commune's report (a village head, a worker) 403; bad parameters 400
naming the parameter. For a reader who may not see the commune's people by name (a province
leader), a small commune's adoption counts and shares are null with `suppressed` true, and a
small village's counts null with its own `suppressed` true, by reports.disclosure's rule
(reports.signed.signed_withheld).
"""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, PermissionDenied

from reports.models import MonthReport
from reports.serializers import MonthParameter
from reports.signed import VILLAGE_COUNTS, month_reports_visible_to, signed_withheld
from villages.access import communes_named_for, communes_reading_month_reports
from villages.models import Commune, Province


class SignedReportQuerySerializer(serializers.Serializer):
    province = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("A province's two-digit code, for example 04."),
    )
    commune = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("A commune's five-digit code, for example 01558."),
    )
    month = MonthParameter(required=False, help_text=gettext_lazy("The month reported on, YYYY-MM."))

    def validate_province(self, code):
        code = code.strip()
        if not code:
            return None
        province = Province.objects.filter(code=code).first()
        if province is None:
            raise serializers.ValidationError(_("No province with code %(code)s.") % {"code": code})
        return province

    def validate_commune(self, code):
        code = code.strip()
        if not code:
            return None
        commune = Commune.objects.filter(code=code).first()
        if commune is None:
            raise serializers.ValidationError(_("No commune with code %(code)s.") % {"code": code})
        return commune


class SignedShareSerializer(serializers.Serializer):
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    share = serializers.FloatField(allow_null=True)


class SignedSharesSerializer(serializers.Serializer):
    level34_share = SignedShareSerializer()
    eid_share = SignedShareSerializer()
    online_share = SignedShareSerializer()


class SignedCountsSerializer(serializers.Serializer):
    eligible = serializers.IntegerField(allow_null=True)
    eid = serializers.IntegerField(allow_null=True)
    online = serializers.IntegerField(allow_null=True)
    level34 = serializers.IntegerField(allow_null=True)
    visits = serializers.IntegerField()
    households = serializers.IntegerField()
    residents_helped = serializers.IntegerField()
    sessions = serializers.IntegerField()
    attendance = serializers.IntegerField()
    dossiers = serializers.IntegerField()
    dossiers_online = serializers.IntegerField()


class SignedVillageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    eligible = serializers.IntegerField(allow_null=True)
    eid = serializers.IntegerField(allow_null=True)
    online = serializers.IntegerField(allow_null=True)
    level34 = serializers.IntegerField(allow_null=True)
    suppressed = serializers.BooleanField()


class SignedMonthReportSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="commune.province.code", allow_null=True, default=None)
    commune = serializers.CharField(source="commune.code")
    commune_name = serializers.CharField(source="commune.name")
    month = MonthParameter()
    current = serializers.BooleanField(
        help_text=gettext_lazy("True for the latest signed revision: the one the province reads.")
    )
    min_age = serializers.IntegerField(source="figures.min_age")
    counts = SignedCountsSerializer(source="figures.counts")
    shares = SignedSharesSerializer(source="figures.shares")
    villages = serializers.SerializerMethodField()
    suppressed = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "True when the commune's adoption figures are about fewer than 5 eligible residents whom you "
            "may not see by name: its adoption counts and shares are then null (reports.disclosure)."
        )
    )

    class Meta:
        model = MonthReport
        fields = [
            "id",
            "province",
            "commune",
            "commune_name",
            "month",
            "revision",
            "current",
            "number",
            "computed_at",
            "signed_at",
            "signed_by_name",
            "signer_title",
            "min_age",
            "counts",
            "shares",
            "villages",
            "suppressed",
        ]
        read_only_fields = fields

    @extend_schema_field(SignedVillageSerializer(many=True))
    def get_villages(self, report) -> list:
        _commune, withheld = self._withheld(report)
        rows = []
        for village in report.figures.get("villages", []):
            hidden = village["code"] in withheld
            counts = dict.fromkeys(VILLAGE_COUNTS) if hidden else {k: village[k] for k in VILLAGE_COUNTS}
            rows.append({"code": village["code"], "name": village["name"], **counts, "suppressed": hidden})
        return SignedVillageSerializer(rows, many=True).data

    @extend_schema_field(serializers.BooleanField())
    def get_suppressed(self, report) -> bool:
        return self._withheld(report)[0]

    def _withheld(self, report) -> tuple[bool, set[str]]:
        memo = self.context.setdefault("withheld", {})
        return signed_withheld(report, named=report.commune_id in self.context["named"], memo=memo)

    def to_representation(self, instance):
        found = super().to_representation(instance)
        if found["suppressed"]:
            found["counts"].update(dict.fromkeys(VILLAGE_COUNTS))
            found["shares"] = {
                key: dict.fromkeys(("numerator", "denominator", "share")) for key in found["shares"]
            }
        return found


class SignedReportList(generics.ListAPIView):
    serializer_class = SignedMonthReportSerializer
    filter_backends = []

    @extend_schema(parameters=[SignedReportQuerySerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "named": communes_named_for(self.request.user)}

    def get_queryset(self):
        query = SignedReportQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        province, commune = query.validated_data.get("province"), query.validated_data.get("commune")
        month = query.validated_data.get("month")
        reading, _drafts = communes_reading_month_reports(self.request.user)
        if not reading.exists():
            raise PermissionDenied(_("The monthly reports are read by the commune's officials and leaders."))
        if province is not None and not reading.filter(province=province).exists():
            raise NotFound(_("No such province in your area."))
        if commune is not None and not reading.filter(pk=commune.pk).exists():
            raise NotFound(_("No such commune in your area."))
        later = MonthReport.objects.filter(
            commune=OuterRef("commune"),
            month=OuterRef("month"),
            revision__gt=OuterRef("revision"),
            signed_at__isnull=False,
        )
        reports = month_reports_visible_to(self.request.user).filter(signed_at__isnull=False)
        if province is not None:
            reports = reports.filter(commune__province=province)
        if commune is not None:
            reports = reports.filter(commune=commune)
        if month is not None:
            reports = reports.filter(month=month)
        return reports.annotate(current=~Exists(later)).order_by("-month", "commune__code", "-revision")
