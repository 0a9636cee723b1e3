"""Targets (chỉ tiêu) in the REST API: everyone with a role reads their communes' targets
(reports.selectors.targets.targets_visible_to, as the targets page); officials add, change and
delete them. Input is validated by the targets page's own form (reports.forms.TargetForm),
so a share outside 0..1, a village of another commune or a duplicate is refused the same way.
"""

from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import serializers

from mobilization.models import WorkerGroup
from mobilization.selectors import worker_groups_visible_to
from reports.forms import TargetForm
from reports.models import Target
from reports.selectors.targets import targets_visible_to
from reports.services import target_delete
from softbridge.api_endpoints import (
    CreateFromInput,
    Destroy,
    ListRetrieve,
    ScopedPrimaryKeyField,
    ScopedViewSet,
    UpdateFromInput,
)
from villages.access import communes_managed_by, may_manage_program
from villages.api import IdFilter
from villages.models import Commune, Village
from villages.selectors import commune_villages_visible_to, communes_visible_to


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = [
            "id",
            "commune",
            "village",
            "group",
            "indicator",
            "due_on",
            "value",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class TargetInputSerializer(serializers.ModelSerializer):
    commune = ScopedPrimaryKeyField(
        scope=communes_visible_to,
        may_write=may_manage_program,
        queryset=Commune.objects.all(),
        outside_is_404=True,
    )
    village = ScopedPrimaryKeyField(
        scope=commune_villages_visible_to,
        queryset=Village.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("Leave out (or null) for a commune-wide target."),
    )
    group = ScopedPrimaryKeyField(
        scope=worker_groups_visible_to,
        queryset=WorkerGroup.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy(
            "An organisation (worker group) of the commune, for its target: the level 3/4 share of the "
            "residents it helped. Leave out (or null) for an area's target."
        ),
    )

    class Meta:
        model = Target
        fields = ["commune", "village", "group", "indicator", "due_on", "value"]
        # Uniqueness is checked in validate(), so that the error names the field.
        validators = []
        extra_kwargs = {"value": {"min_value": 0, "max_value": 1}}

    def validate(self, attrs):
        target = self.instance
        commune = attrs.get("commune") or target.commune
        merged = {
            "village": target.village if target else None,
            "group": target.group if target else None,
            "indicator": target.indicator if target else None,
            "due_on": target.due_on if target else None,
            "value": target.value if target else None,
            **{name: value for name, value in attrs.items() if name != "commune"},
        }
        form = TargetForm(
            {
                "village": merged["village"].pk if merged["village"] else "",
                "group": merged["group"].pk if merged["group"] else "",
                "indicator": merged["indicator"],
                "due_on": merged["due_on"],
                "value": merged["value"],
            },
            commune=commune,
            instance=target,
        )
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    "non_field_errors" if field == "__all__" else field: messages
                    for field, messages in form.errors.items()
                }
            )
        return {**merged, "commune": commune}


class TargetUpdateSerializer(TargetInputSerializer):
    class Meta(TargetInputSerializer.Meta):
        fields = ["village", "group", "indicator", "due_on", "value"]


class TargetFilter(filters.FilterSet):
    commune = IdFilter(field_name="commune")
    village = IdFilter(field_name="village")
    group = IdFilter(field_name="group")
    commune_wide = filters.BooleanFilter(field_name="village", lookup_expr="isnull")
    indicator = filters.ChoiceFilter(choices=Target.Indicator.choices)
    due_after = filters.DateFilter(field_name="due_on", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_on", lookup_expr="lte")


class TargetViewSet(CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet):
    """The value an indicator should reach in an area by a date; the plan runs linearly
    between targets. Values are shares between 0 and 1."""

    serializer_class = TargetSerializer
    input_serializer_class = TargetInputSerializer
    update_serializer_class = TargetUpdateSerializer
    filterset_class = TargetFilter
    ordering_fields = ["due_on", "indicator", "id"]

    def visible(self, user):
        return targets_visible_to(user)

    def may_create_any(self, user):
        return communes_managed_by(user).exists()

    def may_change(self, user, target):
        return may_manage_program(user, target.commune_id)

    def perform_create(self, serializer):
        return serializer.save(recorded_by=self.request.user), True

    def perform_destroy(self, target):
        target_delete(target=target)
