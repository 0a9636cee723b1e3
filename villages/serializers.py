"""The register in the REST API: what is read (output) and what may be written (input).

Output serializers show a record as the user may see it (ID numbers in full to the
commune's officials only, villages.access.NationalIdsShown; masked for village heads
too). Input serializers accept only what a client may change: ladder dates and
departures are not fields here but actions that call the same services as the web
pages, and the version (or If-Match) guards against lost updates.
Every input runs the model's own validation, so the API refuses what the forms refuse.
"""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from softbridge.api_endpoints import ScopedPrimaryKeyField, ShortListField, read_version_field
from softbridge.api_errors import api_error_from_django
from softbridge.calendar import not_in_future
from softbridge.request_limits import HOUSEHOLD_MEMBERS_MAX
from softbridge.security_log import security_event
from softbridge.text import clean_name, national_id_typed
from villages.access import (
    NationalIdsShown,
    household_code_refusal,
    may_edit_register,
    may_manage_program,
    national_id_taken_message,
)
from villages.forms import PHONE
from villages.models import Commune, Household, LadderStep, Resident, Village
from villages.selectors import (
    communes_visible_to,
    households_visible_to,
    villages_visible_to,
    workers_in_charge_choices,
)
from villages.services import head_refusal


def model_checked(instance, attrs: dict, *, exclude=(), validate_constraints: bool = True):
    """A copy of `instance` with `attrs` set, validated by the model (fields, clean(), and
    the database constraints), so the API refuses exactly what the forms and admin do.

    A serializer that checks the constraints itself may pass `validate_constraints=False`;
    Django tests each with a query."""
    candidate = copy.copy(instance)
    candidate._state = copy.copy(instance._state)
    for name, value in attrs.items():
        setattr(candidate, name, value)
    try:
        candidate.full_clean(exclude=list(exclude), validate_constraints=validate_constraints)
    except DjangoValidationError as error:
        raise api_error_from_django(error) from None
    return candidate


def national_ids_shown(context) -> NationalIdsShown:
    """How the request's user is shown ID numbers; the viewset reads it once per request."""
    if "national_ids" not in context:
        context["national_ids"] = NationalIdsShown(context["request"].user)
    return context["national_ids"]


# --- Communes


class CommuneSerializer(serializers.ModelSerializer):
    # The province comes from the official list (villages.official_list), not from the commune.
    province = serializers.CharField(source="province.name", read_only=True, allow_null=True)
    province_code = serializers.CharField(source="province.code", read_only=True, allow_null=True)

    class Meta:
        model = Commune
        fields = [
            "id",
            "code",
            "name",
            "province",
            "province_code",
            "min_age",
            "program_started_on",
            "reach_factor",
        ]
        read_only_fields = fields


class CommuneUpdateSerializer(serializers.ModelSerializer):
    """Officials correct their commune's name and the indicators' minimum age, and set when its
    program started and the largest reach (times the residents) an activity may claim
    (softbridge.calendar.date_refusal, mobilization.services.reach_refusal); the code and the
    province are the official list's (manage.py add_commune)."""

    class Meta:
        model = Commune
        fields = ["name", "min_age", "program_started_on", "reach_factor"]

    def validate_name(self, value):
        return clean_name(value)

    def validate(self, attrs):
        model_checked(self.instance, attrs)
        return attrs


# --- Villages


class VillageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "commune", "code", "name", "kind"]
        read_only_fields = fields


class VillageInputSerializer(serializers.ModelSerializer):
    commune = ScopedPrimaryKeyField(
        scope=communes_visible_to,
        may_write=may_manage_program,
        queryset=Commune.objects.all(),
        outside_is_404=True,
    )

    class Meta:
        model = Village
        fields = ["commune", "code", "name", "kind"]
        # Uniqueness is checked in validate(), so that the error names the field.
        validators = []

    def validate_code(self, value):
        return value.strip()

    def validate(self, attrs):
        commune = attrs.get("commune") or self.instance.commune
        code = attrs.get("code", self.instance.code if self.instance else None)
        taken = Village.objects.filter(commune=commune, code=code)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if code and taken.exists():
            raise serializers.ValidationError(
                {"code": _("The commune already has a village with this code.")}
            )
        model_checked(self.instance or Village(), attrs, exclude=["commune"] if self.instance else ())
        return attrs


class VillageUpdateSerializer(VillageInputSerializer):
    """A village stays in its commune."""

    class Meta(VillageInputSerializer.Meta):
        fields = ["code", "name", "kind"]


# --- Households

DISTANCE_HELP = gettext_lazy(
    "One-way distance by road to the commune's one-stop office, in km with at most one decimal, "
    "0 to 300, written as a string such as 7.5; null when not known (the village's usual distance applies)."
)
# The model's field gives the limits (4 digits, 1 decimal, 0 to 300), as the form has them.
DISTANCE_KWARGS = {"help_text": DISTANCE_HELP, "required": False, "allow_null": True}


class HouseholdSerializer(serializers.ModelSerializer):
    village_code = serializers.CharField(source="village.code", read_only=True)
    head_name = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The present head of household's name, if recorded."),
    )
    member_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Members living here."))
    smartphone_count = serializers.IntegerField(read_only=True)
    eid_count = serializers.IntegerField(read_only=True)
    online_count = serializers.IntegerField(read_only=True)
    level34_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "commune",
            "village",
            "village_code",
            "code",
            *Household.DETAIL_FIELDS,
            "version",
            "head_name",
            "member_count",
            "smartphone_count",
            "eid_count",
            "online_count",
            "level34_count",
        ]
        read_only_fields = fields
        extra_kwargs = {"distance_km": {"help_text": DISTANCE_HELP}}


class HouseholdInputSerializer(serializers.ModelSerializer):
    village = ScopedPrimaryKeyField(
        scope=villages_visible_to,
        may_write=may_edit_register,
        queryset=Village.objects.all(),
        outside_is_404=True,
    )
    worker_in_charge = ScopedPrimaryKeyField(scope=workers_in_charge_choices, allow_null=True, required=False)

    class Meta:
        model = Household
        fields = Household.ENTRY_FIELDS
        extra_kwargs = {"phone": {"validators": [PHONE]}, "distance_km": DISTANCE_KWARGS}

    def validate_code(self, value):
        return value.strip()

    def validate(self, attrs):
        village = attrs.get("village") or self.instance.village
        code = attrs.get("code", self.instance.code if self.instance else None)
        worker = attrs.get("worker_in_charge")
        if worker is not None and worker.commune_id != village.commune_id:
            raise serializers.ValidationError(
                {"worker_in_charge": _("This worker belongs to another commune.")}
            )
        refusal = code and household_code_refusal(
            self.context["request"].user,
            commune_id=village.commune_id,
            code=code,
            exclude_pk=self.instance.pk if self.instance is not None else None,
        )
        if refusal:
            raise serializers.ValidationError({"code": refusal})
        fields = {name: value for name, value in attrs.items() if name != "version"}
        # The village and the worker are records this request read (the scoped fields) or the
        # row's own, and the commune is the village's: checking that each exists would cost a
        # query apiece. The code's uniqueness is checked above with its own message, and the
        # CHECK constraints restate the fields' validation (a code, a distance of 0 to 300),
        # which full_clean runs.
        model_checked(
            self.instance or Household(),
            fields,
            exclude=["commune", "village", "worker_in_charge"],
            validate_constraints=False,
        )
        return attrs


class HouseholdUpdateSerializer(HouseholdInputSerializer):
    """A household stays in its village; `version` (or If-Match) guards against lost updates."""

    version = read_version_field()

    class Meta(HouseholdInputSerializer.Meta):
        fields = ["code", *Household.DETAIL_FIELDS, "version"]


# --- Residents


class ResidentSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    # Declared so that the schema allows their blank value (DRF drops allow_blank from read-only fields).
    sex = serializers.ChoiceField(choices=Resident.Sex.choices, allow_blank=True, read_only=True)
    relation = serializers.ChoiceField(choices=Resident.Relation.choices, allow_blank=True, read_only=True)
    left_reason = serializers.ChoiceField(
        choices=Resident.LeftReason.choices, allow_blank=True, read_only=True
    )
    national_id = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "In full to the commune's officials; otherwise masked, for example ********1234."
        )
    )

    class Meta:
        model = Resident
        fields = [
            "id",
            "commune",
            "village",
            "household",
            "household_code",
            *Resident.RECORDED_FIELDS,
            "version",
        ]
        read_only_fields = fields

    def get_national_id(self, resident) -> str:
        return national_ids_shown(self.context).number(resident.national_id, resident.commune_id)


class ResidentInputSerializer(serializers.ModelSerializer):
    household = ScopedPrimaryKeyField(
        scope=households_visible_to,
        may_write=lambda user, household: may_edit_register(user, household.village_id),
        queryset=Household.objects.all(),
        outside_is_404=True,
    )
    # People type "0041 8500 1234"; the spaces are dropped before the 12-digit check.
    national_id = serializers.CharField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Resident
        fields = [
            "household",
            "full_name",
            "sex",
            "birth_year",
            "national_id",
            "phone",
            "relation",
            "moved_in_on",
        ]
        extra_kwargs = {"phone": {"validators": [PHONE]}, "moved_in_on": {"validators": [not_in_future]}}

    def validate_national_id(self, value):
        if self.instance is None:
            return national_id_typed(value, stored="", shown_masked=False)
        shown_masked = not national_ids_shown(self.context).in_full(self.instance.commune_id)
        return national_id_typed(value, stored=self.instance.national_id, shown_masked=shown_masked)

    def validate_full_name(self, value):
        value = clean_name(value)
        if not value:
            raise serializers.ValidationError(_("Give the resident's name."))
        return value

    def validate(self, attrs):
        household = attrs.get("household") or self.instance.household
        national_id = attrs.get("national_id", "")
        taken = Resident.objects.filter(commune_id=household.commune_id, national_id=national_id)
        if self.instance is not None:
            taken = taken.exclude(pk=self.instance.pk)
        if national_id and taken.exists():
            request = self.context["request"]
            record = self.instance.pk if self.instance is not None else "-"
            security_event(request, "national_id_refused", household=household.pk, resident=record)
            raise serializers.ValidationError(
                {"national_id": national_id_taken_message(request.user, household.commune_id)}
            )
        if attrs.get("relation") == Resident.Relation.HEAD:
            refusal = head_refusal(household=household, resident=self.instance)
            if refusal:
                raise serializers.ValidationError({"relation": refusal})
        moved_in_on = attrs.get("moved_in_on")
        if (
            moved_in_on
            and self.instance is not None
            and self.instance.left_on
            and moved_in_on > self.instance.left_on
        ):
            raise serializers.ValidationError(
                {"moved_in_on": _("The moving-in date is after the day the resident left.")}
            )
        fields = {name: value for name, value in attrs.items() if name != "version"}
        # The dates this serializer does not write (the ladder, the departure) are not checked
        # as fields: a problem with them is one the birth year or moving-in date made, and is
        # named there (Resident.clean), as on the member page.
        not_written = [name for name in Resident.RECORDED_FIELDS if name not in self.fields]
        model_checked(self.instance or Resident(), fields, exclude=not_written)
        return attrs


class ResidentUpdateSerializer(ResidentInputSerializer):
    """A member stays in their household; `version` (or If-Match) guards against lost updates."""

    version = read_version_field()

    class Meta(ResidentInputSerializer.Meta):
        fields = [
            "full_name",
            "sex",
            "birth_year",
            "national_id",
            "phone",
            "relation",
            "moved_in_on",
            "version",
        ]


class LadderSerializer(serializers.Serializer):
    """One step of the ladder on a date. A tick (the default) moves the step's date only ever
    earlier, as the household page's does; `correct` sets it exactly, later or cleared with
    null (an official's correction, villages.services.resident_ladder_correct)."""

    step = serializers.ChoiceField(choices=LadderStep.choices)
    on = serializers.DateField(allow_null=True, validators=[not_in_future])
    correct = serializers.BooleanField(default=False)

    def validate(self, attrs):
        if attrs["on"] is None and not attrs["correct"]:
            raise serializers.ValidationError(
                {"on": _("Give the day the step was true; clearing a date is a correction (correct: true).")}
            )
        return attrs


class DepartureSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Resident.LeftReason.choices)
    on = serializers.DateField(validators=[not_in_future])
    to_commune = serializers.RegexField(
        r"^[0-9]{5}$",
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "The code of the commune of the province they moved to, when known (villages.between_communes)."
        ),
    )


class MoveSerializer(serializers.Serializer):
    """A move to another household of the commune, or a return to the commune, on a date
    (villages.services.resident_move)."""

    household = ScopedPrimaryKeyField(
        scope=households_visible_to,
        queryset=Household.objects.all(),
        outside_is_404=True,
        help_text=gettext_lazy("The household the resident lives in from `on`: one in your area."),
    )
    on = serializers.DateField(help_text=gettext_lazy("The day of the move (or of the return)."))
    relation = serializers.ChoiceField(
        choices=Resident.Relation.choices,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "Their relation to the head of the new household; by default they keep theirs "
            "(a head becomes other)."
        ),
    )


class SplitSerializer(serializers.Serializer):
    """A household split (tách hộ): a new household, the members who move to it, its head."""

    village = ScopedPrimaryKeyField(
        scope=villages_visible_to,
        may_write=may_edit_register,
        queryset=Village.objects.all(),
        outside_is_404=True,
        help_text=gettext_lazy("The new household's village, in the same commune."),
    )
    code = serializers.CharField(max_length=30, help_text=gettext_lazy("The new household's code."))
    members = ShortListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=HOUSEHOLD_MEMBERS_MAX,
        help_text=gettext_lazy("Ids of the present members who move to the new household."),
    )
    head = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=gettext_lazy("Which of them heads it.")
    )
    on = serializers.DateField(help_text=gettext_lazy("The day of the split."))

    def validate_code(self, value):
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Give the new household's code."))
        return value


# What a former head may become (named in the schema by ENUM_NAME_OVERRIDES).
FORMER_HEAD_RELATIONS = [c for c in Resident.Relation.choices if c[0] != Resident.Relation.HEAD]


class HeadSerializer(serializers.Serializer):
    """A new head of household (villages.services.household_head_change)."""

    resident = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=gettext_lazy("The present member who becomes the head.")
    )
    former_head_relation = serializers.ChoiceField(
        choices=FORMER_HEAD_RELATIONS,
        default=Resident.Relation.OTHER,
        help_text=gettext_lazy("What the former head is to the new head."),
    )
