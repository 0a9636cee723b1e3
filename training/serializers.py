"""Training sessions in the REST API: a session as read (with its attendance) and as written.

A session is recorded through training.services.session_record and each attendee through
attendance_record, the same services as the session and attendance pages, so what an
attendee achieved moves their ladder on the session's date.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from mobilization.models import MobilizationModel, Worker, WorkerGroup
from mobilization.selectors import (
    mobilization_models_visible_to,
    worker_groups_visible_to,
    workers_visible_to,
)
from mobilization.serializers import (
    SUBMISSION_KEY_HELP,
    HelpSerializer,
    OutreachHelpSerializer,
    model_tag_api_field,
)
from softbridge.api_endpoints import ScopedPrimaryKeyField, refuse_unless
from softbridge.calendar import within_planning
from softbridge.request_limits import ATTENDEES_MAX, TOPICS_MAX, WORKERS_MAX
from softbridge.text import clean_name
from training.models import Attendance, Topic, TrainingSession
from training.selectors import topics_visible_to
from villages.access import may_log_outreach, may_manage_program
from villages.models import Commune, Village
from villages.selectors import communes_visible_to, villages_visible_to


class AttendanceSerializer(OutreachHelpSerializer):
    class Meta(OutreachHelpSerializer.Meta):
        model = Attendance


class SessionSerializer(serializers.ModelSerializer):
    attendances = AttendanceSerializer(many=True, read_only=True)

    class Meta:
        model = TrainingSession
        fields = ["id", "commune", *TrainingSession.entered_fields, "model", "attendances", "recorded_by"]
        read_only_fields = fields


class SessionInputSerializer(serializers.Serializer):
    commune = ScopedPrimaryKeyField(
        scope=communes_visible_to,
        queryset=Commune.objects.all(),
        outside_is_404=True,
        required=False,
        help_text=gettext_lazy("Needed only for a session held outside any village (officials)."),
    )
    village = ScopedPrimaryKeyField(
        scope=villages_visible_to,
        may_write=may_log_outreach,
        queryset=Village.objects.all(),
        outside_is_404=True,
        required=False,
        allow_null=True,
    )
    venue_kind = serializers.ChoiceField(
        choices=TrainingSession.VenueKind.choices, default=TrainingSession.VenueKind.CULTURAL_HOUSE
    )
    venue = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    held_on = serializers.DateField(validators=[within_planning])
    topics = ScopedPrimaryKeyField(
        scope=topics_visible_to,
        queryset=Topic.objects.all(),
        many=True,
        max_length=TOPICS_MAX,
        required=False,
        default=list,
    )
    facilitators = ScopedPrimaryKeyField(
        scope=workers_visible_to,
        queryset=Worker.objects.all(),
        many=True,
        max_length=WORKERS_MAX,
        required=False,
        default=list,
    )
    group = ScopedPrimaryKeyField(
        scope=worker_groups_visible_to, queryset=WorkerGroup.objects.all(), required=False, allow_null=True
    )
    model = model_tag_api_field()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    attendees = HelpSerializer(many=True, max_length=ATTENDEES_MAX, required=False, default=list)
    submission_key = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text=SUBMISSION_KEY_HELP
    )

    def validate_venue(self, value):
        return clean_name(value)

    def validate(self, attrs):
        # The village decides the commune; a session outside any village is the commune's,
        # recorded by its officials. The session's rules are training.services.session_record's.
        village = attrs.get("village")
        if village is not None:
            commune = village.commune
            if attrs.get("commune") is not None and attrs["commune"] != commune:
                raise serializers.ValidationError({"commune": Village.other_commune_refusal})
        elif attrs.get("commune") is not None:
            commune = attrs["commune"]
            refuse_unless(may_manage_program(self.context["request"].user, commune))
        else:
            raise serializers.ValidationError(
                {"village": _("Choose the village where the session was held.")}
            )
        attrs["commune"] = commune
        return attrs


class SessionUpdateSerializer(serializers.Serializer):
    """A session's facts. Its commune is fixed; attendees are added with the attendance action."""

    village = ScopedPrimaryKeyField(
        scope=villages_visible_to,
        may_write=may_log_outreach,
        queryset=Village.objects.all(),
        outside_is_404=True,
        allow_null=True,
    )
    venue_kind = serializers.ChoiceField(choices=TrainingSession.VenueKind.choices)
    venue = serializers.CharField(allow_blank=True, max_length=255)
    held_on = serializers.DateField(validators=[within_planning])
    topics = ScopedPrimaryKeyField(
        scope=topics_visible_to, queryset=Topic.objects.all(), many=True, max_length=TOPICS_MAX
    )
    facilitators = ScopedPrimaryKeyField(
        scope=workers_visible_to, queryset=Worker.objects.all(), many=True, max_length=WORKERS_MAX
    )
    group = ScopedPrimaryKeyField(
        scope=worker_groups_visible_to, queryset=WorkerGroup.objects.all(), allow_null=True
    )
    model = ScopedPrimaryKeyField(
        scope=mobilization_models_visible_to,
        queryset=MobilizationModel.objects.all(),
        allow_null=True,
        required=False,
        help_text=gettext_lazy("The mobilization model this session belongs to."),
    )
    notes = serializers.CharField(allow_blank=True, max_length=4000)

    def validate_venue(self, value):
        return clean_name(value)

    def validate(self, attrs):
        session = self.instance
        merged = {
            "village": session.village,
            "venue_kind": session.venue_kind,
            "venue": session.venue,
            "held_on": session.held_on,
            "group": session.group,
            "model": session.model,
            "notes": session.notes,
            "topics": list(session.topics.all()),
            "facilitators": list(session.facilitators.all()),
            **attrs,
        }
        if merged["village"] is None:
            # Who may: a session outside any village is the commune officials'. The rules of
            # the session itself are training.services.session_update's.
            refuse_unless(may_manage_program(self.context["request"].user, session.commune_id))
        return merged
