"""The program in the REST API: worker groups, workers, home visits, communication activities
and applications, as read (output) and as written (input).

Inputs name other records by id, each looked up among those the user may see. The record
a write is about (the visited household, the villages of an announcement, the commune of a
group) answers 404 when outside the user's area and 403 when the user may only read it
there; the writes themselves go through the same services as the web pages.
"""

import copy

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers

from mobilization.models import (
    ONLINE_CHANNEL_CHOICES,
    Application,
    CommunicationActivity,
    HomeVisit,
    Membership,
    MobilizationModel,
    VisitHelp,
    Worker,
    WorkerGroup,
)
from mobilization.selectors import (
    application_session_choices,
    mobilization_models_visible_to,
    visits_visible_to,
    worker_groups_visible_to,
    workers_visible_to,
)
from mobilization.services import Help, worker_group_refusals
from softbridge.api_endpoints import ScopedPrimaryKeyField, ScopedWrites, ShortListField, ShortListSerializer
from softbridge.calendar import not_in_future
from softbridge.request_limits import HOUSEHOLD_MEMBERS_MAX, VILLAGES_MAX, WORKERS_MAX
from softbridge.text import clean_name, identifier
from softbridge.typed_ids import row_id
from villages.access import may_log_outreach, may_manage_program
from villages.forms import PHONE
from villages.merges import kept_instead
from villages.models import Achievement, Commune, Household, Resident, Village
from villages.selectors import (
    commune_villages_visible_to,
    communes_visible_to,
    households_visible_to,
    residents_known_to,
    residents_visible_to,
    villages_visible_to,
)
from villages.serializers import model_checked

SUBMISSION_KEY_HELP = gettext_lazy(
    "A UUID the client makes once per record. Sending the same key again (a retry on a poor "
    "connection) answers 200 with the record the first request saved, and changes nothing."
)


def model_tag_api_field():
    """The mobilization model a visit, session or communication activity belongs to: one the
    user may see (another is a 400 naming the field), active in the activity's village on its
    date (checked by the services)."""
    return ScopedPrimaryKeyField(
        scope=mobilization_models_visible_to,
        queryset=MobilizationModel.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy(
            "The mobilization model this work belongs to: one running in the village on the date."
        ),
    )


def commune_program_field():
    """The commune a program record belongs to: 404 outside the user's communes, 403 unless official."""
    return ScopedPrimaryKeyField(
        scope=communes_visible_to,
        may_write=may_manage_program,
        queryset=Commune.objects.all(),
        outside_is_404=True,
    )


# --- Worker groups


class WorkerGroupSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Current members."))

    class Meta:
        model = WorkerGroup
        fields = ["id", "commune", "kind", "name", "village", "member_count"]
        read_only_fields = fields


class WorkerGroupInputSerializer(serializers.ModelSerializer):
    commune = commune_program_field()
    village = ScopedPrimaryKeyField(
        scope=commune_villages_visible_to, queryset=Village.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = WorkerGroup
        fields = ["commune", "kind", "name", "village"]
        # Uniqueness is checked in validate(), so that the error names the field.
        validators = []

    def validate_name(self, value):
        value = identifier(value)
        if not value:
            raise serializers.ValidationError(_("Give the group's name."))
        return value

    def validate(self, attrs):
        # The rules of a group are worker_group_save's (worker_group_refusals): asked here too
        # so that a refusal names its field before the model's constraints are tested.
        candidate = copy.copy(self.instance) if self.instance else WorkerGroup()
        for name, value in attrs.items():
            setattr(candidate, name, value)
        refusals = worker_group_refusals(group=candidate)
        if refusals:
            raise serializers.ValidationError(refusals)
        model_checked(self.instance or WorkerGroup(), attrs)
        return attrs


class WorkerGroupUpdateSerializer(WorkerGroupInputSerializer):
    class Meta(WorkerGroupInputSerializer.Meta):
        fields = ["kind", "name", "village"]


# --- Workers


class MembershipSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["group", "group_name", "position", "joined_on", "left_on"]
        read_only_fields = fields


class WorkerSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = Worker
        fields = ["id", "commune", "full_name", "phone", "title", "user", "memberships"]
        read_only_fields = fields


class WorkerInputSerializer(serializers.ModelSerializer):
    commune = commune_program_field()

    class Meta:
        model = Worker
        fields = ["commune", "full_name", "phone", "title"]
        extra_kwargs = {"phone": {"validators": [PHONE]}}

    def validate_full_name(self, value):
        value = clean_name(value)
        if not value:
            raise serializers.ValidationError(_("Give the worker's name."))
        return value

    def validate(self, attrs):
        model_checked(self.instance or Worker(), attrs)
        return attrs


class WorkerUpdateSerializer(WorkerInputSerializer):
    class Meta(WorkerInputSerializer.Meta):
        fields = ["full_name", "phone", "title"]


# --- Help given at a visit or a session


class HelpedResidentField(ScopedPrimaryKeyField):
    """A resident helped, by id; a record merged away since (a visit or a session kept on a
    phone and sent after the merge) names the record kept (villages.merges)."""

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            kept = kept_instead([row_id(data)]).get(row_id(data))
            if kept is None or error.get_codes() != ["does_not_exist"]:
                raise
            return super().to_internal_value(kept)


class HelpSerializer(serializers.Serializer):
    """A resident helped and what they achieved: each achievement moves their ladder on the
    visit's (or session's) date, and `application_submitted` records their application."""

    # Who lived in a household the user sees counts too: a visit kept on a phone may have
    # helped them before they moved (visit_log checks the membership on the date).
    resident = HelpedResidentField(scope=residents_known_to, queryset=Resident.objects.all())
    achievements = ShortListField(
        child=serializers.ChoiceField(choices=Achievement.choices),
        required=False,
        default=list,
        # Each achievement once: a longer list repeats one.
        max_length=len(Achievement.choices),
    )
    application_field = serializers.ChoiceField(
        choices=Application.Field.choices, default=Application.Field.OTHER
    )
    application_channel = serializers.ChoiceField(
        choices=ONLINE_CHANNEL_CHOICES, default=Application.Channel.ONLINE_LEVEL3
    )
    application_procedure = serializers.CharField(
        max_length=255, required=False, default="", allow_blank=True
    )

    class Meta:
        # `HelpSerializer(many=True, max_length=...)`: a list of helped residents is counted before
        # any of them is looked up, and its maximum is in the schema.
        list_serializer_class = ShortListSerializer

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        # Named by a record merged away: folded into the kept record's help (helps_of).
        value["merged_away"] = value["resident"].pk != row_id(data.get("resident"))
        return value


def help_from(data: dict) -> Help:
    """A HelpSerializer's validated data as mobilization.services.Help."""
    return Help(
        resident=data["resident"],
        achievements=list(data["achievements"]),
        application_field=data["application_field"],
        application_channel=data["application_channel"],
        application_procedure=data["application_procedure"],
    )


def helps_of(data: list[dict]) -> list[Help]:
    """The helps of a list, a record merged away and the record kept being one help (the
    achievements of both, once each), so that a late record never doubles the person; any
    other resident named twice stays twice, for the service to refuse."""
    helps, kept = [], {}
    for item in data:
        help = help_from(item)
        pk = help.resident.pk
        folded = pk in kept and (item.get("merged_away") or kept[pk][1])
        if folded:
            first = kept[pk][0]
            first.achievements = list(dict.fromkeys([*first.achievements, *help.achievements]))
            continue
        kept.setdefault(pk, (help, item.get("merged_away", False)))
        helps.append(help)
    return helps


# --- Home visits


class OutreachHelpSerializer(serializers.ModelSerializer):
    """A resident helped at a visit or a session (mobilization.models.OutreachHelp), as read."""

    achievements = serializers.ListField(child=serializers.ChoiceField(choices=Achievement.choices))

    class Meta:
        fields = ["resident", "achievements"]
        read_only_fields = fields


class VisitHelpSerializer(OutreachHelpSerializer):
    class Meta(OutreachHelpSerializer.Meta):
        model = VisitHelp


class VisitSerializer(serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    village = serializers.IntegerField(source="household.village_id", read_only=True)
    helped = VisitHelpSerializer(many=True, read_only=True)

    class Meta:
        model = HomeVisit
        fields = [
            "id",
            "commune",
            *HomeVisit.entered_fields,
            "household_code",
            "village",
            "helped",
            "model",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class VisitInputSerializer(serializers.Serializer):
    # May the user log visits there: validate_household (403 when not).
    household = ScopedPrimaryKeyField(
        # With its commune: visit_log asks when its program started.
        scope=lambda user: households_visible_to(user).select_related("commune"),
        queryset=Household.objects.all(),
        outside_is_404=True,
    )
    visited_on = serializers.DateField(validators=[not_in_future])
    workers = ScopedPrimaryKeyField(
        scope=workers_visible_to,
        queryset=Worker.objects.all(),
        many=True,
        max_length=WORKERS_MAX,
        required=False,
        help_text=gettext_lazy(
            "Who visited. Leave out to name yourself (your worker record in the commune)."
        ),
    )
    # Members of the visited household.
    helped = HelpSerializer(many=True, max_length=HOUSEHOLD_MEMBERS_MAX, required=False, default=list)
    outcome = serializers.ChoiceField(choices=HomeVisit.Outcome.choices, default=HomeVisit.Outcome.DONE)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)
    model = model_tag_api_field()
    submission_key = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text=SUBMISSION_KEY_HELP
    )

    def validate_household(self, household):
        # The villages open to the user's outreach, when the view has read them already
        # (VisitViewSet.may_create_any); else asked here.
        open_villages = getattr(self.context.get("view"), "outreach_village_ids", None)
        if open_villages is not None:
            allowed = household.village_id in open_villages
        else:
            allowed = may_log_outreach(self.context["request"].user, household.village_id)
        if not allowed:
            raise exceptions.PermissionDenied(ScopedWrites.message)
        return household

    def validate(self, attrs):
        visited_on, follow_up_on = attrs["visited_on"], attrs.get("follow_up_on")
        if follow_up_on and follow_up_on < visited_on:
            raise serializers.ValidationError({"follow_up_on": _("The follow-up date is before the visit.")})
        if "workers" not in attrs:
            user = self.context["request"].user
            attrs["workers"] = list(
                Worker.objects.filter(user=user, commune_id=attrs["household"].commune_id)
            )
        return attrs


class VisitUpdateSerializer(serializers.ModelSerializer):
    """What may change once a visit is logged: its outcome, notes and follow-up date. Who
    was helped with what moved ladders on the visit's date and stays as logged. The rules
    are visit_update's (those of visit_log)."""

    class Meta:
        model = HomeVisit
        fields = ["outcome", "notes", "follow_up_on"]


# --- Communication activities


class CommunicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommunicationActivity
        fields = ["id", "commune", *CommunicationActivity.entered_fields, "model", "recorded_by"]
        read_only_fields = fields


class CommunicationInputSerializer(serializers.ModelSerializer):
    villages = ScopedPrimaryKeyField(
        scope=villages_visible_to,
        may_write=may_log_outreach,
        queryset=Village.objects.all(),
        many=True,
        max_length=VILLAGES_MAX,
        outside_is_404=True,
    )
    group = ScopedPrimaryKeyField(
        scope=worker_groups_visible_to, queryset=WorkerGroup.objects.all(), allow_null=True, required=False
    )
    model = ScopedPrimaryKeyField(
        scope=mobilization_models_visible_to,
        queryset=MobilizationModel.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "The mobilization model this work belongs to: one running in one of the villages on the date."
        ),
    )
    submission_key = serializers.UUIDField(
        required=False, allow_null=True, default=None, help_text=SUBMISSION_KEY_HELP
    )

    class Meta:
        model = CommunicationActivity
        fields = ["channel", "held_on", "villages", "topic", "reach", "group", "model", "submission_key"]
        extra_kwargs = {"held_on": {"validators": [not_in_future]}}

    def validate_topic(self, value):
        value = clean_name(value)
        if not value:
            raise serializers.ValidationError(_("Give the topic."))
        return value

    def validate(self, attrs):
        # The villages decide the commune, as on the communication form; the activity's own
        # rules are mobilization.services.communication_refusals'.
        villages = attrs.get("villages")
        commune_id = self.instance.commune_id if self.instance else None
        if villages is not None:
            communes = {v.commune_id for v in villages}
            if not villages:
                raise serializers.ValidationError({"villages": _("Choose at least one village.")})
            if len(communes) > 1:
                raise serializers.ValidationError({"villages": _("Choose villages of one commune.")})
            if commune_id is not None and communes != {commune_id}:
                raise serializers.ValidationError(
                    {"villages": _("This activity belongs to another commune.")}
                )
            commune_id = communes.pop()
        attrs["commune_id"] = commune_id
        return attrs


class CommunicationUpdateSerializer(CommunicationInputSerializer):
    class Meta(CommunicationInputSerializer.Meta):
        fields = [*CommunicationActivity.entered_fields, "model"]

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("submission_key", None)
        return fields


# --- Applications


class ApplicationSerializer(serializers.ModelSerializer):
    # Declared so that the schema allows the blank value (DRF drops allow_blank from read-only fields).
    result_delivery = serializers.ChoiceField(
        choices=Application.Delivery.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Application
        fields = ["id", "commune", *Application.entered_fields, "recorded_by"]
        read_only_fields = fields


class ApplicationInputSerializer(serializers.Serializer):
    """A dossier the commune received. An online (level 3 or 4) one by a known resident
    moves their ladder (mobilization.services.application_record)."""

    commune = ScopedPrimaryKeyField(
        scope=communes_visible_to,
        queryset=Commune.objects.all(),
        outside_is_404=True,
        required=False,
        help_text=gettext_lazy("Needed only when neither the resident nor the village is given."),
    )
    resident = ScopedPrimaryKeyField(
        scope=residents_visible_to,
        may_write=lambda user, resident: may_log_outreach(user, resident.household.village_id),
        queryset=Resident.objects.all(),
        outside_is_404=True,
        required=False,
        allow_null=True,
    )
    village = ScopedPrimaryKeyField(
        scope=villages_visible_to,
        may_write=may_log_outreach,
        queryset=Village.objects.all(),
        outside_is_404=True,
        required=False,
        allow_null=True,
    )
    field = serializers.ChoiceField(choices=Application.Field.choices)
    procedure = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    submitted_on = serializers.DateField(validators=[not_in_future])
    channel = serializers.ChoiceField(choices=Application.Channel.choices)
    result_delivery = serializers.ChoiceField(
        choices=Application.Delivery.choices, required=False, allow_blank=True, default=""
    )
    helped_by = ScopedPrimaryKeyField(
        scope=workers_visible_to, queryset=Worker.objects.all(), required=False, allow_null=True
    )
    visit = ScopedPrimaryKeyField(
        scope=visits_visible_to, queryset=HomeVisit.objects.all(), required=False, allow_null=True
    )
    session = ScopedPrimaryKeyField(
        scope=application_session_choices,
        # For the schema's type: training's sessions, reached through the foreign key.
        queryset=Application._meta.get_field("session").related_model.objects.all(),
        required=False,
        allow_null=True,
    )

    def validate(self, attrs):
        resident, village = attrs.get("resident"), attrs.get("village")
        if resident is not None:
            commune = resident.commune
        elif village is not None:
            commune = village.commune
        elif attrs.get("commune") is not None:
            commune = attrs["commune"]
            if not may_manage_program(self.context["request"].user, commune):
                # Without a village, the dossier is the commune's: officials record those.
                raise exceptions.PermissionDenied(
                    _("Name the resident or the village the application is from.")
                )
        else:
            raise serializers.ValidationError(
                {"commune": _("Give the resident, the village or the commune.")}
            )
        if attrs.get("commune") is not None and attrs["commune"] != commune:
            raise serializers.ValidationError(
                {"commune": _("The resident or village is in another commune.")}
            )
        attrs["commune"] = commune
        return attrs
