"""Training sessions in the REST API.

Reads start from training.selectors. A session in a village is recorded and changed by
whoever may do outreach there (officials, its village heads and workers); a session
outside any village by the commune's officials; leaders read. A session (with its
attendance) is deleted by the commune's officials, or by whoever recorded it within a day
(villages.access.may_delete_outreach). Recording goes
through training.services.session_record and attendance_record, as the pages do.
"""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from mobilization.api import replayed
from mobilization.serializers import HelpSerializer, help_from, helps_of
from softbridge.api_endpoints import CreateFromInput, Destroy, ListRetrieve, ScopedViewSet, UpdateFromInput
from training.models import Attendance, TrainingSession
from training.selectors import sessions_visible_to
from training.serializers import SessionInputSerializer, SessionSerializer, SessionUpdateSerializer
from training.services import attendance_record, session_delete, session_record, session_update
from villages.access import (
    communes_managed_by,
    may_change_outreach,
    may_delete_outreach,
    villages_open_to_outreach,
)
from villages.api import IdFilter


class SessionFilter(filters.FilterSet):
    commune = IdFilter(field_name="commune")
    village = IdFilter(field_name="village")
    topic = IdFilter(field_name="topics", distinct=True)
    facilitator = IdFilter(field_name="facilitators", distinct=True)
    group = IdFilter(field_name="group")
    venue_kind = filters.ChoiceFilter(choices=TrainingSession.VenueKind.choices)
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte")


class SessionViewSet(CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet):
    """Training sessions in your area, with who attended and what each achieved.

    POST records a session (and, optionally, its attendees) through
    training.services.session_record; send a `submission_key` to retry safely. The
    `attendance` action marks one more resident present. A session's date and village
    cannot change once recorded achievements depend on them (400).
    """

    replays_submission_key = True
    serializer_class = SessionSerializer
    input_serializer_class = SessionInputSerializer
    update_serializer_class = SessionUpdateSerializer
    filterset_class = SessionFilter
    ordering_fields = ["held_on", "id"]

    def visible(self, user):
        return sessions_visible_to(user)

    def with_related(self, queryset):
        return queryset.select_related("village").prefetch_related(
            "topics",
            "facilitators",
            Prefetch("attendances", queryset=Attendance.objects.order_by("id")),
        )

    def may_create_any(self, user):
        return villages_open_to_outreach(user).exists() or communes_managed_by(user).exists()

    def may_change(self, user, session):
        return may_change_outreach(user, session)

    def may_delete(self, user, session):
        return may_delete_outreach(user, session)

    def perform_create(self, serializer):
        data = serializer.validated_data
        visible = sessions_visible_to(self.request.user)
        existing = replayed(TrainingSession, data["submission_key"], self.request.user, visible)
        if existing is not None:
            return existing, False
        session = session_record(
            commune=data["commune"],
            **TrainingSession.entered_in(data),
            model=data["model"],
            attendees=helps_of(data["attendees"]),
            recorded_by=self.request.user,
            submission_key=data["submission_key"],
        )
        return session, True

    def perform_update(self, serializer):
        session_update(
            session=serializer.instance,
            **TrainingSession.entered_in(serializer.validated_data),
            model=serializer.validated_data["model"],
        )

    def perform_destroy(self, session):
        session_delete(session=session)

    @extend_schema(request=HelpSerializer, responses=SessionSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None, format=None):
        """Mark a resident present with what they achieved (training.services.attendance_record);
        recording them again adds the new achievements to those already noted."""
        session = self.get_object()
        body = HelpSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        attendance_record(session=session, help=help_from(body.validated_data), recorded_by=request.user)
        return self.output(session)
