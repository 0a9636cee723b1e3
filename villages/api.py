"""The register in the REST API: communes, villages, households and residents.

Every queryset starts from villages.selectors; a record outside the user's area answers
404. Officials change everything in their commune, village heads the households and
residents of their villages (villages.access); everyone else reads. Households and
residents carry a version: reads answer with an ETag, and a write sent with a stale
If-Match (412) or version (409) changes nothing. Ladder steps and departures are actions
calling villages.services, as the household page does.
"""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from softbridge.api_endpoints import (
    CreateFromInput,
    Destroy,
    ListRetrieve,
    ScopedViewSet,
    UpdateFromInput,
    VersionedWrites,
    etag_of,
)
from softbridge.calendar import commune_today
from softbridge.request_limits import SEARCH_MAX_LENGTH
from villages.access import (
    NationalIdsShown,
    communes_managed_by,
    may_correct_ladder,
    may_edit_register,
    may_manage_program,
    villages_editable_by,
)
from villages.between_communes import arrival_record, departure_destination_record
from villages.models import Commune, Household, LadderStep, Resident
from villages.selectors import (
    communes_visible_to,
    households_matching,
    households_visible_to,
    residents_matching,
    residents_visible_to,
    villages_visible_to,
    with_list_columns,
)
from villages.serializers import (
    CommuneSerializer,
    CommuneUpdateSerializer,
    DepartureSerializer,
    HeadSerializer,
    HouseholdInputSerializer,
    HouseholdSerializer,
    HouseholdUpdateSerializer,
    LadderSerializer,
    MoveSerializer,
    ResidentInputSerializer,
    ResidentSerializer,
    ResidentUpdateSerializer,
    SplitSerializer,
    VillageInputSerializer,
    VillageSerializer,
    VillageUpdateSerializer,
)
from villages.services import (
    household_delete,
    household_head_change,
    household_split,
    household_update,
    resident_delete,
    resident_departure_record,
    resident_ladder_advance,
    resident_ladder_correct,
    resident_move,
    resident_update,
    village_delete,
)

# Ids are 64-bit in the database; a larger number would reach it as an overflow error.
LARGEST_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """A record id: a whole number the database can hold (a number filter would take 1.5)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -LARGEST_ID)
        kwargs.setdefault("max_value", LARGEST_ID)
        super().__init__(*args, **kwargs)


# --- Communes


class CommuneViewSet(UpdateFromInput, ListRetrieve, ScopedViewSet):
    """Communes where you hold a role. Officials correct their commune's name and the
    indicators' minimum age; communes are added, with their province from the official list,
    by `manage.py add_commune`."""

    serializer_class = CommuneSerializer
    update_serializer_class = CommuneUpdateSerializer
    ordering_fields = ["code", "name"]

    def visible(self, user):
        return communes_visible_to(user)

    def may_change(self, user, commune):
        return may_manage_program(user, commune)


# --- Villages


class VillageFilter(filters.FilterSet):
    commune = IdFilter(field_name="commune")


class VillageViewSet(CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet):
    """Villages whose register you may read. Officials add, rename and delete their
    commune's villages; a village with households cannot be deleted (409)."""

    serializer_class = VillageSerializer
    input_serializer_class = VillageInputSerializer
    update_serializer_class = VillageUpdateSerializer
    filterset_class = VillageFilter
    ordering_fields = ["code", "name"]

    def visible(self, user):
        return villages_visible_to(user)

    def may_create_any(self, user):
        return communes_managed_by(user).exists()

    def may_change(self, user, village):
        return may_manage_program(user, village.commune_id)

    def perform_create(self, serializer):
        return serializer.save(), True

    def perform_destroy(self, village):
        village_delete(village=village)


# --- Households


class HouseholdFilter(filters.FilterSet):
    """The register's filters; the roof adds the program's (frontdoor.households_api)."""

    village = IdFilter(field_name="village")
    commune = IdFilter(field_name="commune")
    search = filters.CharFilter(
        method="search_households",
        max_length=SEARCH_MAX_LENGTH,
        help_text=gettext_lazy(
            "Household code, a present member's name (without diacritics is fine), ID or phone number."
        ),
    )
    without_eid = filters.BooleanFilter(
        method="filter_without_eid",
        help_text=gettext_lazy("A present member of the commune's minimum age has no e-ID."),
    )
    not_level34 = filters.BooleanFilter(
        method="filter_not_level34",
        help_text=gettext_lazy("A present member of the commune's minimum age is not yet a level 3/4 user."),
    )

    def search_households(self, queryset, name, value):
        return households_matching(queryset, value, viewer=self.request.user)

    def _with(self, queryset, condition, value):
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_without_eid(self, queryset, name, value):
        return self._with(queryset, Exists(_members().short_of_eid(commune_today())), value)

    def filter_not_level34(self, queryset, name, value):
        return self._with(queryset, Exists(_members().short_of_level34(commune_today())), value)


def _members():
    return Resident.objects.filter(household=OuterRef("pk"))


class HouseholdViewSet(
    VersionedWrites, CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet
):
    """Households in your area, with their present members' ladder counts.

    Officials and the village's heads add and change households. A read answers with an
    ETag; send it back as If-Match (or the `version` field) to have a write refused when
    someone changed the household since (412, or 409 for `version`). A household with
    members or visits cannot be deleted (409).
    """

    serializer_class = HouseholdSerializer
    input_serializer_class = HouseholdInputSerializer
    update_serializer_class = HouseholdUpdateSerializer
    filterset_class = HouseholdFilter
    ordering_fields = ["code", "village__code", "member_count", "id"]

    def visible(self, user):
        return households_visible_to(user)

    def with_related(self, queryset):
        return with_list_columns(queryset)

    def may_create_any(self, user):
        return villages_editable_by(user).exists()

    def may_change(self, user, household):
        return may_edit_register(user, household.village_id)

    def perform_create(self, serializer):
        return serializer.save(), True

    def perform_update(self, serializer):
        household = serializer.instance
        data = dict(serializer.validated_data)
        sent_version = data.pop("version", None)
        for name, value in data.items():
            setattr(household, name, value)
        self.save_versioned(
            household,
            sent_version,
            update=lambda version: household_update(household=household, version=version, fields=data),
        )

    def perform_destroy(self, household):
        household_delete(household=household)

    @extend_schema(request=SplitSerializer, responses={201: HouseholdSerializer})
    @action(detail=True, methods=["post"])
    def split(self, request, pk=None, format=None):
        """Split the household (tách hộ): a new household in a village of the commune, and the
        present members who move to it on `on`, `head` its head (villages.services.household_split).
        Answers the new household. Their residence before `on` stays in this household's village."""
        household = self.get_object()
        body = SplitSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["village"].commune_id != household.commune_id:
            raise NotFound(_("village: no such record in your area."))
        members = {m.pk: m for m in household.members.filter(pk__in=[*data["members"], data["head"]])}
        missing = [pk for pk in data["members"] if pk not in members]
        if missing:
            raise serializers.ValidationError(
                {
                    "members": _("Not members of household %(code)s: %(ids)s.")
                    % {"code": household.code, "ids": ", ".join(map(str, missing))}
                }
            )
        if data["head"] not in data["members"]:
            raise serializers.ValidationError({"head": _("The new head is one of the members who move.")})
        created = household_split(
            household=household,
            members=[members[pk] for pk in data["members"]],
            head=members[data["head"]],
            on=data["on"],
            new_household=Household(village=data["village"], code=data["code"]),
            by=request.user,
        )
        return self.output(
            with_list_columns(Household.objects.filter(pk=created.pk)).get(), status.HTTP_201_CREATED
        )

    @extend_schema(request=HeadSerializer, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def head(self, request, pk=None, format=None):
        """Make a present member the head of household, in one step that keeps exactly one head:
        the former head becomes `former_head_relation` (villages.services.household_head_change)."""
        household = self.get_object()
        body = HeadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = household.members.filter(pk=body.validated_data["resident"], left_on__isnull=True).first()
        if member is None:
            raise serializers.ValidationError(
                {"resident": _("Choose a present member of household %(code)s.") % {"code": household.code}}
            )
        household_head_change(
            household=household, head=member, former_head_relation=body.validated_data["former_head_relation"]
        )
        return self.output(with_list_columns(Household.objects.filter(pk=household.pk)).get())

    def output(self, instance, status_code=status.HTTP_200_OK, headers=None):
        if status_code != status.HTTP_200_OK or not hasattr(instance, "member_count"):
            return super().output(instance, status_code, headers)
        # An update: the household was read with its list columns (get_object) and saved as
        # it stands, version included; a write to a household changes none of its members,
        # so their counts are as read. Not read again.
        response = Response(self.get_serializer(instance).data, status=status_code, headers=headers)
        response["ETag"] = etag_of(instance)
        return response


# --- Residents


class ResidentFilter(filters.FilterSet):
    household = IdFilter(field_name="household")
    village = IdFilter(field_name="household__village")
    commune = IdFilter(field_name="commune")
    search = filters.CharFilter(
        method="search_residents",
        max_length=SEARCH_MAX_LENGTH,
        help_text=gettext_lazy("Name (without diacritics is fine), household code, ID or phone number."),
    )
    present = filters.BooleanFilter(
        field_name="left_on",
        lookup_expr="isnull",
        help_text=gettext_lazy("Still living here (has not moved away or died)."),
    )
    has_smartphone = filters.BooleanFilter(field_name="smartphone_on", lookup_expr="isnull", exclude=True)
    has_eid = filters.BooleanFilter(field_name="eid_on", lookup_expr="isnull", exclude=True)
    has_online = filters.BooleanFilter(
        field_name="online_on",
        lookup_expr="isnull",
        exclude=True,
        help_text=gettext_lazy("Has used an online public service."),
    )
    has_level34 = filters.BooleanFilter(
        field_name="level34_on",
        lookup_expr="isnull",
        exclude=True,
        help_text=gettext_lazy("Has submitted a level 3/4 application."),
    )
    sex = filters.ChoiceFilter(choices=Resident.Sex.choices)
    relation = filters.ChoiceFilter(choices=Resident.Relation.choices)
    born_from = filters.NumberFilter(field_name="birth_year", lookup_expr="gte")
    born_until = filters.NumberFilter(field_name="birth_year", lookup_expr="lte")

    def search_residents(self, queryset, name, value):
        return residents_matching(queryset, value, viewer=self.request.user)


class ResidentViewSet(
    VersionedWrites, CreateFromInput, UpdateFromInput, ListRetrieve, Destroy, ScopedViewSet
):
    """Residents of the households in your area.

    Personal ID numbers are shown in full to the commune's officials and masked
    (`********1234`) for everyone else, village heads included; for them a search by ID
    number matches those last four digits only. The ladder dates and the
    departure are not fields: use the `ladder` and `departure` actions, which move them
    exactly as the household page does. Writes honour If-Match and `version` as households do.
    A resident entered by mistake may be deleted; one with visits, sessions or applications on
    record cannot (409): record their departure instead.
    """

    serializer_class = ResidentSerializer
    input_serializer_class = ResidentInputSerializer
    update_serializer_class = ResidentUpdateSerializer
    filterset_class = ResidentFilter
    ordering_fields = ["search_name", "birth_year", "household__code", "id", "eid_on", "level34_on"]

    def visible(self, user):
        return residents_visible_to(user)

    def with_related(self, queryset):
        return queryset.select_related("household")

    def may_create_any(self, user):
        return villages_editable_by(user).exists()

    def may_change(self, user, resident):
        return may_edit_register(user, resident.household.village_id)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        # Read once for every row of the page (and the write's answer).
        if not hasattr(self, "_national_ids"):
            self._national_ids = NationalIdsShown(self.request.user)
        context["national_ids"] = self._national_ids
        return context

    def perform_create(self, serializer):
        with transaction.atomic():
            resident = serializer.save()
            # The number of a person living in another commune of the province: their move here.
            if arrival_record(resident=resident):
                resident.refresh_from_db()
        return resident, True

    def perform_update(self, serializer):
        resident = serializer.instance
        data = dict(serializer.validated_data)
        sent_version = data.pop("version", None)
        for name, value in data.items():
            setattr(resident, name, value)
        self.save_versioned(
            resident,
            sent_version,
            update=lambda version: resident_update(resident=resident, version=version, fields=data),
        )

    def perform_destroy(self, resident):
        resident_delete(resident=resident)

    @extend_schema(request=LadderSerializer, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    def ladder(self, request, pk=None, format=None):
        """Tick a ladder step on a date, as the household page does: the step's date becomes
        `on` unless an earlier one is on record (villages.services.resident_ladder_advance),
        so a tick kept on a phone never moves a date later. With `"correct": true` the date
        is set exactly, later or cleared with null (resident_ladder_correct): the commune's
        officials only (403 for anyone else)."""
        resident = self.get_object()
        body = LadderSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        step, on = LadderStep(body.validated_data["step"]), body.validated_data["on"]
        correct = body.validated_data["correct"]
        if correct and not may_correct_ladder(request.user, resident.commune_id):
            raise PermissionDenied(_("Only the commune's officials correct a ladder date."))
        try:
            if correct:
                resident_ladder_correct(resident=resident, step=step, on=on)
            else:
                resident_ladder_advance(resident=resident, step=step, on=on)
        except DjangoValidationError as error:
            raise serializers.ValidationError({"on": error.messages}) from None
        return self.output(resident)

    @extend_schema(request=DepartureSerializer, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    def departure(self, request, pk=None, format=None):
        """Record that the resident moved away or died (resident_departure_record); they
        leave the indicators from that day."""
        resident = self.get_object()
        body = DepartureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        code = body.validated_data.get("to_commune")
        try:
            with transaction.atomic():
                departed = resident_departure_record(
                    resident=resident, on=body.validated_data["on"], reason=body.validated_data["reason"]
                )
                if code:
                    # A commune of the province, or a 400 naming to_commune (never another province's).
                    commune = Commune.objects.filter(code=code).first() or Commune(code=code)
                    departure_destination_record(resident=departed, to_commune=commune)
        except DjangoValidationError as error:
            names = {"left_on": "on", "left_reason": "reason", "to_commune": "to_commune"}
            by_field = error.message_dict if hasattr(error, "error_dict") else {"on": error.messages}
            raise serializers.ValidationError(
                {names.get(field, "on"): messages for field, messages in by_field.items()}
            ) from None
        return self.output(resident)

    @extend_schema(request=MoveSerializer, responses=ResidentSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None, format=None):
        """Record that the resident moved to another household of the commune on `on`, or came
        back to the commune after leaving (villages.services.resident_move). Their months
        before `on` stay counted where they lived; their ID number, ladder and history stay
        theirs. A household outside your area or of another commune answers 404; a date before
        the resident's current stay began (or before they left), in the future or before their
        birth year is a 400 naming `on`."""
        resident = self.get_object()
        body = MoveSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        household = body.validated_data["household"]
        if household.commune_id != resident.commune_id:
            raise NotFound(_("household: no such record in your area."))
        relation = body.validated_data.get("relation") or None  # empty: they keep theirs
        returning = resident.left_on is not None
        with transaction.atomic():
            moved = resident_move(
                resident=resident, household=household, on=body.validated_data["on"], relation=relation
            )
            if returning:  # back from another commune of the province, maybe
                arrival_record(resident=moved)
        return self.output(self.get_queryset().get(pk=resident.pk))
