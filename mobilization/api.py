"""The program in the REST API: worker groups, workers, home visits, communication
activities and applications.

Reads start from mobilization.selectors. Officials keep groups and workers
(villages.access.may_manage_program); visits and communication activities are logged by
whoever may do outreach in the village (may_log_outreach); leaders read. Visits go through
mobilization.services.visit_log and applications through application_record, so a visit
posted here moves the ladder exactly as the visit form does.
"""

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from rest_framework import status
from rest_framework.response import Response

from mobilization.models import (
    Application,
    CommunicationActivity,
    HomeVisit,
    Membership,
    VisitHelp,
    WorkerGroup,
    membership_active_q,
)
from mobilization.selectors import (
    applications_visible_to,
    communications_visible_to,
    visits_visible_to,
    worker_groups_visible_to,
    workers_visible_to,
)
from mobilization.serializers import (
    ApplicationInputSerializer,
    ApplicationSerializer,
    CommunicationInputSerializer,
    CommunicationSerializer,
    CommunicationUpdateSerializer,
    VisitInputSerializer,
    VisitSerializer,
    VisitUpdateSerializer,
    WorkerGroupInputSerializer,
    WorkerGroupSerializer,
    WorkerGroupUpdateSerializer,
    WorkerInputSerializer,
    WorkerSerializer,
    WorkerUpdateSerializer,
    helps_of,
)
from mobilization.services import (
    application_record,
    communication_delete,
    communication_record,
    communication_update,
    visit_log,
    visit_update,
    worker_delete,
    worker_group_delete,
    worker_group_save,
)
from softbridge.api_endpoints import (
    Conflict,
    CreateFromInput,
    Destroy,
    ListRetrieve,
    ScopedViewSet,
    UpdateFromInput,
)
from softbridge.calendar import commune_today
from softbridge.request_limits import SEARCH_MAX_LENGTH
from softbridge.submissions import refuse_unless_own
from villages.access import (
    communes_managed_by,
    may_change_outreach,
    may_delete_outreach,
    may_log_outreach,
    may_manage_program,
    villages_open_to_outreach,
)
from villages.api import IdFilter
from villages.selectors import names_matching


def replayed(model, key, user, visible):
    """The record an earlier request of `user` saved with this submission key, or None.

    A key another user sent is refused (KeyTaken, answered 409: softbridge.api_errors), and so
    is the user's own record they may no longer see. `visible` is the user's queryset, or a
    function making it: a new key (the usual case) does not need it.
    """
    if key is None:
        return None
    existing = model.objects.filter(submission_key=key).first()
    if existing is None:
        return None
    refuse_unless_own(holder_id=existing.recorded_by_id, user_id=user.pk)
    if callable(visible):
        visible = visible()
    if not visible.filter(pk=existing.pk).exists():
        raise Conflict(_("This submission key was used for another record. Make a new one."))
    return existing


# --- Worker groups


class WorkerGroupFilter(filters.FilterSet):
    commune = IdFilter(field_name="commune")
    village = IdFilter(field_name="village")
    kind = filters.ChoiceFilter(choices=WorkerGroup.Kind.choices)


class WorkerGroupViewSet(CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet):
    """The mass organisations and teams of your communes. Officials keep them; a group with
    members, sessions or activities on record cannot be deleted (409)."""

    serializer_class = WorkerGroupSerializer
    input_serializer_class = WorkerGroupInputSerializer
    update_serializer_class = WorkerGroupUpdateSerializer
    filterset_class = WorkerGroupFilter
    ordering_fields = ["name", "kind", "id"]

    def visible(self, user):
        return worker_groups_visible_to(user)

    def with_related(self, queryset):
        return queryset.annotate(
            member_count=Count("memberships", filter=membership_active_q(commune_today(), "memberships__"))
        ).order_by("commune__code", "kind", "name", "id")

    def may_create_any(self, user):
        return communes_managed_by(user).exists()

    def may_change(self, user, group):
        return may_manage_program(user, group.commune_id)

    def perform_create(self, serializer):
        return worker_group_save(group=WorkerGroup(**serializer.validated_data)), True

    def perform_update(self, serializer):
        group = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(group, name, value)
        worker_group_save(group=group)

    def perform_destroy(self, group):
        worker_group_delete(group=group)


# --- Workers


class WorkerFilter(filters.FilterSet):
    commune = IdFilter(field_name="commune")
    group = IdFilter(field_name="memberships__group", distinct=True)
    search = filters.CharFilter(
        method="search_workers",
        max_length=SEARCH_MAX_LENGTH,
        help_text=gettext_lazy("Part of the name, with or without diacritics."),
    )

    def search_workers(self, queryset, name, value):
        names = names_matching(value, "full_name__fold")
        return queryset if names is None else queryset.filter(names)


class WorkerViewSet(CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet):
    """The people doing outreach in your communes, with their group memberships. Officials
    keep them; a worker with visits, sessions or applications on record cannot be deleted (409)."""

    serializer_class = WorkerSerializer
    input_serializer_class = WorkerInputSerializer
    update_serializer_class = WorkerUpdateSerializer
    filterset_class = WorkerFilter
    ordering_fields = ["full_name", "id"]

    def visible(self, user):
        return workers_visible_to(user)

    def with_related(self, queryset):
        return queryset.prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("group").order_by("id"))
        ).order_by("full_name", "id")

    def may_create_any(self, user):
        return communes_managed_by(user).exists()

    def may_change(self, user, worker):
        return may_manage_program(user, worker.commune_id)

    def perform_create(self, serializer):
        return serializer.save(), True

    def perform_destroy(self, worker):
        worker_delete(worker=worker)


# --- Home visits


class VisitFilter(filters.FilterSet):
    household = IdFilter(field_name="household")
    village = IdFilter(field_name="household__village")
    commune = IdFilter(field_name="commune")
    worker = IdFilter(field_name="workers", distinct=True)
    visited_after = filters.DateFilter(
        field_name="visited_on", lookup_expr="gte", help_text=gettext_lazy("On or after this day.")
    )
    visited_before = filters.DateFilter(
        field_name="visited_on", lookup_expr="lte", help_text=gettext_lazy("On or before this day.")
    )
    outcome = filters.ChoiceFilter(choices=HomeVisit.Outcome.choices)
    follow_up_before = filters.DateFilter(field_name="follow_up_on", lookup_expr="lte")


class VisitViewSet(CreateFromInput, UpdateFromInput, ListRetrieve, ScopedViewSet):
    """Home visits to households in your area.

    POST logs a visit through mobilization.services.visit_log, the same service as the
    visit form: each helped member's achievements move their ladder on the visit's date and
    an application submitted is recorded. Send a `submission_key` to retry safely. A logged
    visit's outcome, notes and follow-up date may be corrected, through visit_update and so
    under visit_log's rules (a visit whose residents achieved something cannot become
    declined, one partly done keeps its day to come back); visits are not deleted here.
    """

    replays_submission_key = True
    serializer_class = VisitSerializer
    input_serializer_class = VisitInputSerializer
    update_serializer_class = VisitUpdateSerializer
    filterset_class = VisitFilter
    ordering_fields = ["visited_on", "follow_up_on", "id"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def visible(self, user):
        return visits_visible_to(user)

    def with_related(self, queryset):
        return queryset.select_related("household").prefetch_related(*self.visit_prefetches())

    def may_create_any(self, user):
        # Read once: the visited household's village is then checked against them
        # (VisitInputSerializer.validate_household) without asking again.
        self.outreach_village_ids = set(villages_open_to_outreach(user).values_list("pk", flat=True))
        return bool(self.outreach_village_ids)

    def may_change(self, user, visit):
        return may_log_outreach(user, visit.household.village_id)

    def output(self, instance, status_code=status.HTTP_200_OK, headers=None):
        if status_code != status.HTTP_201_CREATED:
            return super().output(instance, status_code, headers)
        # A visit this request logged is what the database holds, in a household the user
        # may log visits in (so may see): only its workers and helped members are read back,
        # in the order the scoped read would give them.
        prefetch_related_objects([instance], *self.visit_prefetches())
        return Response(self.get_serializer(instance).data, status=status_code, headers=headers)

    def visit_prefetches(self):
        return ["workers", Prefetch("helped", queryset=VisitHelp.objects.order_by("id"))]

    def perform_create(self, serializer):
        data = serializer.validated_data
        existing = replayed(
            HomeVisit, data["submission_key"], self.request.user, lambda: visits_visible_to(self.request.user)
        )
        if existing is not None:
            return existing, False
        visit = visit_log(
            **HomeVisit.entered_in(data),
            helped=helps_of(data["helped"]),
            recorded_by=self.request.user,
            submission_key=data["submission_key"],
            model=data["model"],
        )
        return visit, True

    def perform_update(self, serializer):
        visit = serializer.instance
        # A PATCH keeps what it does not name, as stored.
        kept = {name: getattr(visit, name) for name in serializer.fields}
        visit_update(visit=visit, **HomeVisit.entered_in({**kept, **serializer.validated_data}))


# --- Communication activities


class CommunicationFilter(filters.FilterSet):
    commune = IdFilter(field_name="commune")
    village = IdFilter(field_name="villages", distinct=True)
    group = IdFilter(field_name="group")
    channel = filters.ChoiceFilter(choices=CommunicationActivity.Channel.choices)
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte")
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte")


class CommunicationViewSet(CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet):
    """Loudspeaker announcements, bulletin board posts, meetings, leaflets and Zalo messages.

    Logged by officials, and by village heads and workers for their own villages; changed by
    officials or by whoever may log in every village the activity names; deleted by officials
    or by whoever recorded it, within a day (villages.access.may_delete_outreach).
    """

    replays_submission_key = True
    serializer_class = CommunicationSerializer
    input_serializer_class = CommunicationInputSerializer
    update_serializer_class = CommunicationUpdateSerializer
    filterset_class = CommunicationFilter
    ordering_fields = ["held_on", "reach", "id"]

    def visible(self, user):
        return communications_visible_to(user)

    def with_related(self, queryset):
        return queryset.prefetch_related("villages")

    def may_create_any(self, user):
        return villages_open_to_outreach(user).exists()

    def may_change(self, user, activity):
        return may_change_outreach(user, activity)

    def may_delete(self, user, activity):
        return may_delete_outreach(user, activity)

    def perform_create(self, serializer):
        data = serializer.validated_data
        visible = communications_visible_to(self.request.user)
        existing = replayed(CommunicationActivity, data["submission_key"], self.request.user, visible)
        if existing is not None:
            return existing, False
        activity = communication_record(
            commune_id=data["commune_id"],
            **CommunicationActivity.entered_in(data),
            recorded_by=self.request.user,
            submission_key=data["submission_key"],
            model=data.get("model"),
        )
        return activity, True

    def perform_update(self, serializer):
        activity, data = serializer.instance, serializer.validated_data
        communication_update(
            activity=activity,
            channel=data.get("channel", activity.channel),
            held_on=data.get("held_on", activity.held_on),
            villages=data["villages"] if "villages" in data else activity.villages.all(),
            topic=data.get("topic", activity.topic),
            reach=data.get("reach", activity.reach),
            group=data.get("group", activity.group),
            model=data.get("model", activity.model),
        )

    def perform_destroy(self, activity):
        communication_delete(activity=activity)


# --- Applications


class ApplicationFilter(filters.FilterSet):
    commune = IdFilter(field_name="commune")
    village = IdFilter(field_name="village")
    resident = IdFilter(field_name="resident")
    field = filters.ChoiceFilter(choices=Application.Field.choices)
    channel = filters.ChoiceFilter(choices=Application.Channel.choices)
    submitted_after = filters.DateFilter(field_name="submitted_on", lookup_expr="gte")
    submitted_before = filters.DateFilter(field_name="submitted_on", lookup_expr="lte")


class ApplicationViewSet(CreateFromInput, ListRetrieve, ScopedViewSet):
    """Administrative dossiers received, online or in person.

    Recorded through mobilization.services.application_record: an online (level 3 or 4)
    dossier of a known resident moves their ladder. Recorded by whoever may do outreach in
    the resident's (or the dossier's) village; dossiers without a village by officials.
    A recorded dossier is not changed or deleted here.
    """

    serializer_class = ApplicationSerializer
    input_serializer_class = ApplicationInputSerializer
    filterset_class = ApplicationFilter
    ordering_fields = ["submitted_on", "id"]

    def visible(self, user):
        return applications_visible_to(user)

    def may_create_any(self, user):
        return villages_open_to_outreach(user).exists()

    def perform_create(self, serializer):
        data = serializer.validated_data
        application = application_record(
            commune=data["commune"],
            resident=data.get("resident"),
            village=data.get("village"),
            field=data["field"],
            procedure=data["procedure"],
            submitted_on=data["submitted_on"],
            channel=data["channel"],
            result_delivery=data["result_delivery"],
            helped_by=data.get("helped_by"),
            visit=data.get("visit"),
            session=data.get("session"),
            recorded_by=self.request.user,
        )
        return application, True
