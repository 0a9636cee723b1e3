"""GET /api/households/{id}/history/: the audit trail of a household, read-only, for officials."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, generics, serializers

from mobilization import history
from villages.access import may_read_history
from villages.selectors import households_visible_to

# Named in the schema by SPECTACULAR_SETTINGS's ENUM_NAME_OVERRIDES.
ENTRY_KINDS = [("+", "created"), ("~", "changed"), ("-", "deleted")]
OBJECT_TYPES = sorted(history.SUBJECTS)


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=_("The field's name, in the language of the request."))
    old = serializers.CharField(help_text=_("The value before; empty for a record just created."))
    new = serializers.CharField(help_text=_("The value after; empty when cleared."))


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(help_text=_("Who saved it; empty for a command or the importer's file."))
    kind = serializers.ChoiceField(choices=ENTRY_KINDS)
    object_type = serializers.ChoiceField(choices=OBJECT_TYPES)
    object_id = serializers.IntegerField()
    subject = serializers.CharField()
    changes = ChangeSerializer(many=True)


class HouseholdHistory(generics.ListAPIView):
    """Every recorded change to a household, its members, its visits and its members'
    applications, newest first: who, when, what. The commune's officials only (it keeps
    names, ID numbers and phones as they were); a household outside your area answers 404."""

    serializer_class = HistoryEntrySerializer
    filter_backends = []

    def get_queryset(self):
        household = get_object_or_404(households_visible_to(self.request.user), pk=self.kwargs["pk"])
        if not may_read_history(self.request.user, household.commune_id):
            raise exceptions.PermissionDenied(_("Only the commune's officials read the history of changes."))
        return history.household_history(household)
