"""Targets in the admin, scoped like the rest of the admin (villages.scoped_admin)."""

from django.contrib import admin

from reports.models import Target
from reports.selectors.targets import targets_visible_to
from reports.services import target_delete
from villages.scoped_admin import ScopedAdmin, ScopedRelatedFilter


@admin.register(Target)
class TargetAdmin(ScopedAdmin):
    visible_to = staticmethod(targets_visible_to)
    importable = False
    list_display = ("indicator", "value", "due_on", "village", "commune")
    list_filter = ("indicator", ("commune", ScopedRelatedFilter), ("village", ScopedRelatedFilter))
    list_select_related = ("commune", "village")
    fields = ("commune", "village", "indicator", "due_on", "value")
    date_hierarchy = "due_on"

    def delete_model(self, request, obj):
        target_delete(target=obj)
