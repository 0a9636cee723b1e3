"""The households API with the program's filters: visited at least once, a follow-up overdue.

The register's endpoint (villages.api.HouseholdViewSet) filters by what the register holds;
these two filters read the program's visits, so the roof adds them and routes this endpoint.
"""

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters

from mobilization.selectors import follow_up_overdue_exists, visited_exists
from softbridge.calendar import commune_today
from villages import api as register_api


class HouseholdFilter(register_api.HouseholdFilter):
    visited = filters.BooleanFilter(
        method="filter_visited", help_text=gettext_lazy("Has been visited at least once.")
    )
    overdue = filters.BooleanFilter(
        method="filter_overdue", help_text=gettext_lazy("A follow-up date has passed unvisited.")
    )

    def filter_visited(self, queryset, name, value):
        return self._with(queryset, visited_exists(), value)

    def filter_overdue(self, queryset, name, value):
        return self._with(queryset, follow_up_overdue_exists(commune_today()), value)


class HouseholdViewSet(register_api.HouseholdViewSet):
    __doc__ = register_api.HouseholdViewSet.__doc__
    filterset_class = HouseholdFilter
