"""The mobilization program: who does the outreach, and what they did.

Worker groups are the mass organisations and teams of docs/domain.md; workers belong to
them; grassroots communicators are trusted local people chosen for a reason. Home
visits, communication activities and the applications (dossiers) they lead to are the
program's record of work.
"""

import datetime

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from softbridge.calendar import date_refusal
from softbridge.text import clean_name, identifier, refuse_invisible_characters
from villages.models import Commune, Resident, Village, choices_check, present_q


def tagged_model_field(related_name: str | None = None):
    """The `model` a visit, session or communication activity belongs to.

    PROTECT: a model's tagged activities are its record for the year-end recognition, so a
    model with activities cannot be deleted (untag or end it instead); SET_NULL would
    silently erase its results. Without `related_name` the reverse name is the record's
    Meta.default_related_name.
    """
    return models.ForeignKey(
        "mobilization.MobilizationModel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=_("mobilization model"),
    )


class OutreachRecord(models.Model):
    """What every record of the program's work keeps: a home visit, a communication activity,
    a training session (training.models) and an application.

    The reverse name of `commune` is each record's Meta.default_related_name
    (`commune.visits`, `commune.applications`, ...). `clean` refuses a relation named in
    `same_commune` that belongs to another commune: the rule is the record's, whoever
    writes it (a form, the API, the admin, the importer).
    """

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, verbose_name=_("commune"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # Sent by the form (or API client) that creates the row: a second submit of the same
    # form finds the first row instead of saving it twice (services.save_once).
    submission_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    # The audit trail: who changed what, when (deletions included).
    history = HistoricalRecords(inherit=True)

    # The foreign keys that must point into the record's own commune.
    same_commune: tuple[str, ...] = ()
    # What a person enters for the record, besides its commune: the fields of the admin's form
    # and of the API, and the keywords of the service that records it (entered_in).
    entered_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def clean(self):
        errors = {}
        for name in self.same_commune:
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            # A form that sets the commune after validating (CommunicationForm) has none yet.
            if related is not None and self.commune_id is not None and related.commune_id != self.commune_id:
                errors[name] = OTHER_COMMUNE_REFUSALS[related._meta.label]
        for name, message in self.date_problems().items():
            errors.setdefault(name, message)
        if errors:
            raise ValidationError(errors)

    def date_problems(self) -> dict[str, str]:
        """The record's dates that make no sense (softbridge.calendar.date_refusal), {field: why}."""
        return {}

    @classmethod
    def entered_in(cls, data) -> dict:
        """The entered fields present in `data` (a form's or a serializer's cleaned data), as the
        keywords of the service that records the record; an absent one keeps the service's default."""
        return {name: data[name] for name in cls.entered_fields if name in data}


class TaggedOutreachRecord(OutreachRecord):
    """An outreach record that may be tagged with the mobilization model it belongs to and that
    was held in villages (villages.access.may_delete_outreach asks which)."""

    model = tagged_model_field()

    # The field holding the day the outreach happened.
    day_field: str = "held_on"
    # Whether the day may not be before the commune's program started (visits and sessions).
    after_program_start: bool = False
    # Whether the day may lie ahead (softbridge.calendar.date_refusal's `planned`): sessions.
    may_be_planned: bool = False

    class Meta:
        abstract = True

    def outreach_village_ids(self) -> list[int]:
        """The villages this record was outreach in."""
        raise NotImplementedError

    def date_problems(self) -> dict[str, str]:
        """Not before the commune's program started (visits and sessions), nor before the
        birth year of a resident it helped (once it has any)."""
        day = getattr(self, self.day_field)
        if not isinstance(day, datetime.date) or self.commune_id is None:
            return {}
        start = self.commune.program_started_on if self.after_program_start else None
        refusal = date_refusal(day, program_start=start, planned=self.may_be_planned)
        if refusal is None and self.pk is not None and hasattr(self, "helped_residents"):
            youngest = self.helped_residents().filter(birth_year__gt=day.year).order_by("-birth_year").first()
            if youngest is not None:
                refusal = date_refusal(day, birth_year=youngest.birth_year, who=youngest.full_name)
        return {self.day_field: refusal} if refusal else {}

    @classmethod
    def held_in(cls, village_ids):
        """For a queryset of this kind: the record was held in one of `village_ids`."""
        raise NotImplementedError

    @classmethod
    def kinds(cls) -> list[type["TaggedOutreachRecord"]]:
        """Every kind of tagged record, whichever app defines it (training's sessions too): the
        program states what a tagged record is, and asks no app above it by name."""
        return [model for model in apps.get_models() if issubclass(model, cls)]


class OutreachHelp(models.Model):
    """A resident helped by an outreach record (a visit's VisitHelp, a session's Attendance), and
    what they achieved (villages.models.Achievement values, in the order first noted).

    The reverse name of `resident` is the row's Meta.default_related_name.
    """

    resident = models.ForeignKey("villages.Resident", on_delete=models.CASCADE, verbose_name=_("resident"))
    achievements = models.JSONField(_("achieved"), default=list, blank=True)

    # The audit trail: who changed what, when.
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class WorkerGroupKind(models.TextChoices):
    FATHERLAND_FRONT = "fatherland_front", _("Fatherland Front")
    WOMENS_UNION = "womens_union", _("Women's Union")
    YOUTH_UNION = "youth_union", _("Youth Union")
    FARMERS_ASSOCIATION = "farmers_association", _("Farmers' Association")
    VETERANS_ASSOCIATION = "veterans_association", _("Veterans' Association")
    TRADE_UNION = "trade_union", _("Trade union")
    VILLAGE_REPRESENTATIVES = "village_representatives", _("Village representatives")
    DIGITAL_TECH_TEAM = "digital_tech_team", _("Community digital technology team")
    PEOPLES_COMMITTEE = "peoples_committee", _("People's Committee staff")


class WorkerGroup(models.Model):
    Kind = WorkerGroupKind
    # What every form, API field, service and model says of a group of another commune.
    other_commune_refusal = _("This group belongs to another commune.")

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="worker_groups", verbose_name=_("commune")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # An identifier (softbridge.text): NFKC, unique in the commune whatever its case.
    name = models.CharField(_("name"), max_length=160, validators=[refuse_invisible_characters])
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="worker_groups",
        verbose_name=_("village"),
        help_text=_("Required for a village's community digital technology team."),
    )

    class Meta:
        verbose_name = _("worker group")
        verbose_name_plural = _("worker groups")
        ordering = ["commune", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                F("commune"),
                Upper("name"),
                name="worker_group_name_unique_in_commune_any_case",
                violation_error_message=_("The commune already has a group with this name."),
            ),
            # One community digital technology team per village (docs/domain.md).
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(kind="digital_tech_team"),
                name="one_digital_tech_team_per_village",
            ),
            models.CheckConstraint(
                condition=~Q(kind="digital_tech_team") | Q(village__isnull=False),
                name="digital_tech_team_has_village",
            ),
            choices_check("kind", WorkerGroupKind, "worker_group_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = identifier(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        # Before the unique check that follows clean (a model form's, the admin's).
        self.name = identifier(self.name)


# What an outreach record says of a relation that belongs to another commune, by its model.
OTHER_COMMUNE_REFUSALS = {
    "villages.Village": Village.other_commune_refusal,
    "villages.Household": _("This household is in another commune."),
    "villages.Resident": _("This resident is registered in another commune."),
    "mobilization.Worker": _("This worker belongs to another commune."),
    "mobilization.WorkerGroup": WorkerGroup.other_commune_refusal,
    "mobilization.HomeVisit": _("This visit belongs to another commune."),
    "training.TrainingSession": _("This session belongs to another commune."),
}


class Worker(models.Model):
    """A person doing outreach: a union member, a village head, a commune staff member."""

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="workers", verbose_name=_("commune")
    )
    full_name = models.CharField(_("full name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="workers",
        verbose_name=_("user account"),
    )
    groups = models.ManyToManyField(
        WorkerGroup, through="Membership", related_name="workers", verbose_name=_("groups")
    )

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["commune", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "user"],
                condition=Q(user__isnull=False),
                name="worker_one_per_user_and_commune",
            ),
            models.CheckConstraint(condition=~Q(full_name=""), name="worker_full_name_not_blank"),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        self.full_name = clean_name(self.full_name)
        super().save(*args, **kwargs)


def membership_active_q(day, prefix: str = "") -> Q:
    """MembershipQuerySet.active_on as a Q, for a membership reached through `prefix`
    ("memberships__" from a group or a worker): a count of members on a day asks the same rule."""
    return present_q(day, f"{prefix}joined_on", f"{prefix}left_on")


class MembershipQuerySet(models.QuerySet):
    def active_on(self, day):
        """Memberships that count on `day` (a date, or an expression such as
        OuterRef("visited_on")): the one rule for the group page, the reports and the API.

        From `joined_on` (always, when unknown) to the day before `left_on`: `left_on` is the
        first day away, as a resident's is (villages.models.present_q), so that a visit on the
        day a worker left counts for the group they went to, not for both.
        """
        return self.filter(membership_active_q(day))


def membership_active_sql(alias: str, day: str) -> str:
    """MembershipQuerySet.active_on in SQL, for the reports' raw queries: the membership
    aliased `alias` counts on the date expression `day`."""
    return (
        f"({alias}.joined_on IS NULL OR {alias}.joined_on <= {day})"
        f" AND ({alias}.left_on IS NULL OR {alias}.left_on > {day})"
    )


class Membership(models.Model):
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("worker")
    )
    group = models.ForeignKey(
        WorkerGroup, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("group")
    )
    position = models.CharField(_("position"), max_length=120, blank=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["worker", "group"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True)
                | Q(joined_on__isnull=True)
                | Q(left_on__gte=F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self):
        return f"{self.worker} – {self.group}"


class CommunicatorReason(models.TextChoices):
    VILLAGE_HEAD = "village_head", _("village head")
    PARTY_CELL_SECRETARY = "party_cell_secretary", _("party cell secretary")
    FRONT_COMMITTEE_HEAD = "front_committee_head", _("Front work committee head")
    YOUTH_UNION_MEMBER = "youth_union_member", _("Youth Union member")
    WOMENS_UNION_MEMBER = "womens_union_member", _("Women's Union member")
    TEACHER = "teacher", _("teacher")
    POLICE_OFFICER = "police_officer", _("police officer")
    RESPECTED_ELDER = "respected_elder", _("respected elder")
    OTHER = "other", _("other")


class Communicator(models.Model):
    """A grassroots communicator (tuyên truyền viên cơ sở) and why the commune chose them."""

    Reason = CommunicatorReason

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="communicators", verbose_name=_("commune")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="communicator_roles", verbose_name=_("worker")
    )
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        related_name="communicators",
        verbose_name=_("village"),
    )
    reason = models.CharField(_("why chosen"), max_length=24, choices=Reason.choices)
    note = models.TextField(_("note"), blank=True)
    chosen_on = models.DateField(_("chosen on"), null=True, blank=True)

    class Meta:
        verbose_name = _("grassroots communicator")
        verbose_name_plural = _("grassroots communicators")
        constraints = [
            models.UniqueConstraint(fields=["worker", "village"], name="communicator_unique_in_village"),
            choices_check("reason", CommunicatorReason, "communicator_reason_valid"),
        ]

    def __str__(self):
        return f"{self.worker} ({self.village})"


class HomeVisitOutcome(models.TextChoices):
    DONE = "done", _("everything done")
    PARTLY_DONE = "partly_done", _("partly done, follow-up needed")
    NOT_HOME = "not_home", _("nobody at home")
    DECLINED = "declined", _("declined help")


class HomeVisit(TaggedOutreachRecord):
    """One or more workers at one household on a date ("every lane, every door")."""

    Outcome = HomeVisitOutcome

    household = models.ForeignKey(
        "villages.Household", on_delete=models.PROTECT, related_name="visits", verbose_name=_("household")
    )
    visited_on = models.DateField(_("visited on"))
    workers = models.ManyToManyField(Worker, related_name="visits", verbose_name=_("workers"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.DONE)
    notes = models.TextField(_("notes"), blank=True)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    same_commune = ("household",)
    entered_fields = ("household", "visited_on", "workers", "outcome", "follow_up_on", "notes")
    day_field = "visited_on"
    after_program_start = True

    class Meta:
        verbose_name = _("home visit")
        default_related_name = "visits"
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(follow_up_on__isnull=True) | Q(follow_up_on__gte=F("visited_on")),
                name="visit_follow_up_not_before_visit",
            ),
            choices_check("outcome", HomeVisitOutcome, "visit_outcome_valid"),
        ]
        indexes = [
            models.Index(fields=["commune", "visited_on"]),
            # A household's latest visit in one index read (selectors.latest_visit): the Today
            # list reads it for every household, and must not slow as visits accumulate.
            models.Index(fields=["household", "visited_on", "id"]),
        ]

    def __str__(self):
        return f"{self.household} {self.visited_on:%Y-%m-%d}"

    def outreach_village_ids(self) -> list[int]:
        """The villages this visit was outreach in (villages.access.may_delete_outreach)."""
        return [self.household.village_id]

    @classmethod
    def held_in(cls, village_ids):
        return Q(household__village__in=village_ids)

    def helped_residents(self):
        return Resident.objects.filter(visit_helps__visit=self)


class VisitHelp(OutreachHelp):
    """A member of the visited household who was helped, and what they achieved."""

    visit = models.ForeignKey(
        HomeVisit, on_delete=models.CASCADE, related_name="helped", verbose_name=_("visit")
    )

    class Meta:
        verbose_name = _("resident helped")
        default_related_name = "visit_helps"
        verbose_name_plural = _("residents helped")
        constraints = [models.UniqueConstraint(fields=["visit", "resident"], name="visit_help_unique")]

    def __str__(self):
        return f"{self.resident} @ {self.visit}"


class CommunicationActivityChannel(models.TextChoices):
    LOUDSPEAKER = "loudspeaker", _("loudspeaker announcement")
    BULLETIN_BOARD = "bulletin_board", _("electronic bulletin board post")
    VILLAGE_MEETING = "village_meeting", _("village meeting")
    LEAFLET = "leaflet", _("leaflet")
    ZALO_GROUP = "zalo_group", _("Zalo group message")


class CommunicationActivity(TaggedOutreachRecord):
    Channel = CommunicationActivityChannel

    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    held_on = models.DateField(_("date"))
    villages = models.ManyToManyField(
        "villages.Village", related_name="communications", verbose_name=_("villages")
    )
    topic = models.CharField(_("topic"), max_length=255)
    reach = models.PositiveIntegerField(_("estimated reach"), default=0)
    group = models.ForeignKey(
        WorkerGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
        verbose_name=_("worker group"),
    )
    # Empty for activities recorded before the time was kept.
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True, null=True)

    # The villages are many: communication_record checks them.
    same_commune = ("group",)
    entered_fields = ("channel", "held_on", "villages", "topic", "reach", "group")

    class Meta:
        verbose_name = _("communication activity")
        default_related_name = "communications"
        verbose_name_plural = _("communication activities")
        ordering = ["-held_on", "-id"]
        constraints = [choices_check("channel", CommunicationActivityChannel, "communication_channel_valid")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.held_on:%Y-%m-%d}"

    def outreach_village_ids(self) -> list[int]:
        """The villages this activity reached (villages.access.may_delete_outreach)."""
        return [village.pk for village in self.villages.all()]

    @classmethod
    def held_in(cls, village_ids):
        """One of its villages is among them (an activity may reach several)."""
        reached = cls.villages.through.objects.filter(communicationactivity=OuterRef("pk"))
        return Exists(reached.filter(village__in=village_ids))


class ApplicationField(models.TextChoices):
    JUSTICE_CIVIL_STATUS = "justice_civil_status", _("justice and civil status")
    LABOUR_SOCIAL = "labour_social", _("labour, invalids and social affairs")
    LAND = "land", _("land")
    HEALTH_INSURANCE = "health_insurance", _("health insurance")
    BUSINESS = "business", _("business")
    OTHER = "other", _("other")


class ApplicationChannel(models.TextChoices):
    IN_PERSON = "in_person", _("in person")
    ONLINE_LEVEL3 = "online_level3", _("online, level 3 (partial)")
    ONLINE_LEVEL4 = "online_level4", _("online, level 4 (full process)")


class ApplicationDelivery(models.TextChoices):
    AT_OFFICE = "at_office", _("collected at the one-stop unit")
    BY_POST = "by_post", _("by post")
    ONLINE = "online", _("online, on the phone")


class Application(OutreachRecord):
    """An administrative dossier the commune received, online or in person."""

    Field = ApplicationField
    Channel = ApplicationChannel
    Delivery = ApplicationDelivery

    resident = models.ForeignKey(
        "villages.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("resident"),
    )
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("village"),
    )
    field = models.CharField(_("field of work"), max_length=24, choices=Field.choices)
    procedure = models.CharField(_("procedure"), max_length=255, blank=True)
    submitted_on = models.DateField(_("submitted on"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    result_delivery = models.CharField(
        _("result delivered"), max_length=12, choices=Delivery.choices, blank=True
    )
    helped_by = models.ForeignKey(
        Worker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications_helped",
        verbose_name=_("helped by"),
    )
    visit = models.ForeignKey(
        HomeVisit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("home visit"),
    )
    # The program's one key up to training (tests/test_import_direction.py): a lazy string, and
    # the program's code reaches sessions only through it (selectors.application_session_choices).
    session = models.ForeignKey(
        "training.TrainingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("training session"),
    )

    # A dossier, its resident, its village and its helpers belong to one commune.
    same_commune = ("village", "resident", "helped_by", "visit", "session")
    entered_fields = (
        "resident",
        "village",
        "field",
        "procedure",
        "submitted_on",
        "channel",
        "result_delivery",
        "helped_by",
        "visit",
        "session",
    )

    class Meta:
        verbose_name = _("application")
        default_related_name = "applications"
        verbose_name_plural = _("applications")
        ordering = ["-submitted_on", "-id"]
        constraints = [
            choices_check("field", ApplicationField, "application_field_valid"),
            choices_check("channel", ApplicationChannel, "application_channel_valid"),
            choices_check("result_delivery", ApplicationDelivery, "application_delivery_valid", blank=True),
        ]
        indexes = [models.Index(fields=["commune", "submitted_on"])]

    def __str__(self):
        return f"{self.get_field_display()} {self.submitted_on:%Y-%m-%d}"

    @property
    def is_online(self) -> bool:
        return self.channel in ONLINE_CHANNELS

    def date_problems(self) -> dict[str, str]:
        """Not submitted before the year its resident was born."""
        if self.resident_id is None or not isinstance(self.submitted_on, datetime.date):
            return {}
        resident = self.resident
        refusal = date_refusal(self.submitted_on, birth_year=resident.birth_year, who=resident.full_name)
        return {"submitted_on": refusal} if refusal else {}


# The channels of an online application: the one list that the ladder (a level 3/4 use), the
# forms, the API, the savings and the dossier counts all read.
ONLINE_CHANNELS = (Application.Channel.ONLINE_LEVEL3, Application.Channel.ONLINE_LEVEL4)
# The same, as the choices of a form field or a serializer field.
ONLINE_CHANNEL_CHOICES = [(channel.value, channel.label) for channel in ONLINE_CHANNELS]


# --- "Dân vận khéo" mobilization models


class MobilizationModelField(models.TextChoices):
    """What a mobilization model is about: the three kinds the commune runs (docs/domain.md), or another."""

    ONLINE_PUBLIC_SERVICES = "online_public_services", _("guiding people to online public services")
    COMMUNITY_TECH_TEAM = "community_tech_team", _("community technology team")
    GRASSROOTS_COMMUNICATION = "grassroots_communication", _("grassroots communication")
    OTHER = "other", _("other")


class MobilizationModel(models.Model):
    """A named "dân vận khéo" (skilful mass mobilisation) model: registered by the commune,
    owned by a worker group, run in some villages from a start date, planned with goals,
    reported month by month and reviewed at year end.

    Visits, sessions and communication activities are tagged with the model they belong
    to; a model is active in a village on a date when the village is one of its villages
    and the date is within started_on..ended_on (see `active_in`).
    """

    Field = MobilizationModelField

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="mobilization_models", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=200, validators=[refuse_invisible_characters])
    field = models.CharField(_("field"), max_length=32, choices=Field.choices)
    owner = models.ForeignKey(
        WorkerGroup,
        on_delete=models.PROTECT,
        related_name="mobilization_models",
        verbose_name=_("owning group"),
        help_text=_("The worker group that runs the model and answers for it."),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    villages = models.ManyToManyField(
        "villages.Village", related_name="mobilization_models", verbose_name=_("villages")
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("mobilization model")
        verbose_name_plural = _("mobilization models")
        ordering = ["commune", "-started_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name"], name="mobilization_model_name_unique_in_commune"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="mobilization_model_ends_after_start",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="mobilization_model_name_not_blank"),
            choices_check("field", MobilizationModelField, "mobilization_model_field_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = identifier(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("program:model", args=[self.pk])

    def clean(self):
        # Before the unique check that follows clean (a model form's, the admin's).
        self.name = identifier(self.name)
        if self.owner_id and self.commune_id and self.owner.commune_id != self.commune_id:
            raise ValidationError({"owner": WorkerGroup.other_commune_refusal})

    def runs_on(self, day) -> bool:
        """Whether `day` is within the model's start and end dates."""
        return self.started_on <= day and (self.ended_on is None or day <= self.ended_on)


class ModelGoalKind(models.TextChoices):
    HOUSEHOLDS_VISITED = "households_visited", _("households visited")
    RESIDENTS_HELPED = "residents_helped", _("residents helped (visits and sessions)")
    SESSIONS_HELD = "sessions_held", _("training sessions held")
    ATTENDANCE = "attendance", _("session attendance")
    COMMUNICATIONS = "communications", _("communication activities")
    LEVEL34_SHARE = "level34_share", _("level 3/4 share in its villages (%)")


class ModelGoal(models.Model):
    """One quantified goal of a model's plan: a value of a measure by a date.

    Counts (households visited, ...) are what the model's tagged activities add up to from
    its start date to `due_on`; the level 3/4 share is a percentage (0–100) of the eligible
    residents of the model's villages at the end of `due_on`'s month.
    """

    Kind = ModelGoalKind

    model = models.ForeignKey(
        MobilizationModel,
        on_delete=models.CASCADE,
        related_name="goals",
        verbose_name=_("mobilization model"),
    )
    kind = models.CharField(_("goal"), max_length=24, choices=Kind.choices)
    value = models.DecimalField(_("value"), max_digits=9, decimal_places=1)
    due_on = models.DateField(_("by"))

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["due_on", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["model", "kind", "due_on"], name="model_goal_unique"),
            models.CheckConstraint(condition=Q(value__gt=0), name="model_goal_value_positive"),
            models.CheckConstraint(
                condition=~Q(kind="level34_share") | Q(value__lte=100), name="model_goal_share_at_most_100"
            ),
            choices_check("kind", ModelGoalKind, "model_goal_kind_valid"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.value} {self.due_on:%Y-%m-%d}"

    @property
    def is_share(self) -> bool:
        return self.kind == ModelGoalKind.LEVEL34_SHARE
