"""GET /api/reports/adoption/: the adoption series of a commune, a village or a province, as JSON.

The contract other tools rely on: one entry per month from `start` to `end` inclusive,
counts at the end of each month, shares rounded to 4 decimals (null when no one is
eligible). Scoped like the pages: officials, leaders and superusers may ask for the
commune or any of its villages; village heads and workers only for their own villages
(403 for the commune, 404 for another village); anyone without a role in the commune
gets 404. With `province=CODE` a province leader (or a superuser) gets the province's
series, each month's counts summed over its communes (shares from the sums), with
"province" first and commune and village null; with `commune=CODE` too, that commune's
series as above (a commune of another province: 400). A province they do not lead
answers 404. Bad
parameters answer 400 naming the parameter. A month whose figures are about fewer than 5
eligible residents the reader may not see by name (a province leader's view of a small
village) has every count and share null and `suppressed` true (reports.disclosure).
"""

from types import SimpleNamespace

from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.disclosure import Disclosure
from reports.selectors.adoption import adoption_series
from reports.selectors.province import province_adoption, province_communes
from reports.selectors.reach import reach_of
from reports.serializers import AdoptionQuerySerializer, AdoptionSerializer, ProvinceAdoptionSerializer
from softbridge.calendar import months_between
from villages.access import provinces_led_by
from villages.signin import TokenAuthentication


class AdoptionView(APIView):
    # Token first, so that a request without credentials is told how to authenticate (401).
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[AdoptionQuerySerializer],
        # A commune's or village's series, or (asked with province=) a province's.
        responses=PolymorphicProxySerializer(
            component_name="AdoptionSeries",
            serializers=[AdoptionSerializer, ProvinceAdoptionSerializer],
            resource_type_field_name=None,
        ),
    )
    def get(self, request):
        query = AdoptionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        province, commune = query.validated_data.get("province"), query.validated_data.get("commune")
        start, end = query.validated_data["start"], query.validated_data["end"]
        if province is not None and not provinces_led_by(request.user).filter(pk=province.pk).exists():
            raise NotFound(_("No such province in your area."))
        if province is not None and commune is None:
            communes = list(province_communes(province))
            summed = province_adoption(communes=communes, months=months_between(start, end))
            ages = {c.min_age for c in communes}
            result = SimpleNamespace(
                province=province,
                commune=None,
                village=None,
                min_age=ages.pop() if len(ages) == 1 else None,
                months=summed.total,
            )
            return Response(ProvinceAdoptionSerializer(result).data)
        village = query.validated_data.get("village")
        reach = reach_of(request.user, commune)
        if reach is None:
            raise NotFound(_("No such commune in your area."))
        if village is not None and reach.village(village.code) is None:
            raise NotFound(_("No such village in your area."))
        if village is None and not reach.whole:
            raise PermissionDenied(_("You may read your villages' figures only: add village=CODE."))
        months = Disclosure(reach).area_series(
            adoption_series(commune=commune, start=start, end=end, village=village),
            None if village is None else village.pk,
        )
        result = SimpleNamespace(commune=commune, village=village, months=months)
        return Response(AdoptionSerializer(result).data)
