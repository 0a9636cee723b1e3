"""Training sessions at village cultural houses, households, the commune office or schools."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mobilization.models import OutreachHelp, TaggedOutreachRecord, tagged_model_field
from softbridge.calendar import commune_today, is_future
from softbridge.text import identifier, refuse_invisible_characters
from villages.models import Commune, Resident, choices_check


class TopicSkill(models.TextChoices):
    """The five skills a community digital technology team teaches (docs/domain.md)."""

    ONLINE_PUBLIC_SERVICES = "online_public_services", _("online public services")
    ONLINE_SHOPPING = "online_shopping", _("online shopping")
    ONLINE_PAYMENT = "online_payment", _("online payment")
    STAYING_SAFE = "staying_safe", _("staying safe online")
    LOCAL_PLATFORMS = "local_platforms", _("local platforms")


class Topic(models.Model):
    Skill = TopicSkill

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="topics", verbose_name=_("commune")
    )
    name = models.CharField(_("name"), max_length=160, validators=[refuse_invisible_characters])
    skill = models.CharField(_("skill"), max_length=24, choices=Skill.choices)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["commune", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "name"], name="topic_name_unique_in_commune"),
            choices_check("skill", TopicSkill, "topic_skill_valid"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = identifier(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        # Before the unique check that follows clean (a model form's, the admin's).
        self.name = identifier(self.name)


class TrainingSessionVenueKind(models.TextChoices):
    CULTURAL_HOUSE = "cultural_house", _("village cultural house")
    HOUSEHOLD = "household", _("a household")
    COMMUNE_OFFICE = "commune_office", _("commune office")
    SCHOOL = "school", _("school")


class TrainingSessionQuerySet(models.QuerySet):
    """A session dated after the commune's today is planned; it is held once its day has come
    (docs/user-guide.md, Planning a session): the one statement of it lists and reports use."""

    def held(self, today=None):
        return self.filter(held_on__lte=today or commune_today())

    def planned(self, today=None):
        return self.filter(held_on__gt=today or commune_today())


class TrainingSession(TaggedOutreachRecord):
    VenueKind = TrainingSessionVenueKind

    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("village"),
    )
    venue_kind = models.CharField(
        _("venue"), max_length=16, choices=VenueKind.choices, default=VenueKind.CULTURAL_HOUSE
    )
    venue = models.CharField(_("place"), max_length=255, blank=True)
    held_on = models.DateField(_("date"))
    topics = models.ManyToManyField(Topic, blank=True, related_name="sessions", verbose_name=_("topics"))
    facilitators = models.ManyToManyField(
        "mobilization.Worker", blank=True, related_name="sessions_facilitated", verbose_name=_("facilitators")
    )
    group = models.ForeignKey(
        "mobilization.WorkerGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("organising group"),
    )
    # Not "training_sessions": the model's reverse name was "sessions" first.
    model = tagged_model_field("sessions")
    notes = models.TextField(_("notes"), blank=True)
    # Empty for sessions recorded before the time was kept.
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True, null=True)

    objects = TrainingSessionQuerySet.as_manager()

    same_commune = ("village", "group")
    entered_fields = ("village", "venue_kind", "venue", "held_on", "topics", "facilitators", "group", "notes")
    after_program_start = True
    may_be_planned = True

    class Meta:
        verbose_name = _("training session")
        default_related_name = "training_sessions"
        verbose_name_plural = _("training sessions")
        ordering = ["-held_on", "-id"]
        constraints = [
            choices_check("venue_kind", TrainingSessionVenueKind, "session_venue_kind_valid"),
            # A session in a village's cultural house belongs to that village.
            models.CheckConstraint(
                condition=~Q(venue_kind="cultural_house") | Q(village__isnull=False),
                name="session_cultural_house_has_village",
            ),
        ]
        indexes = [models.Index(fields=["commune", "held_on"])]

    def __str__(self):
        return f"{self.get_venue_kind_display()} {self.held_on:%Y-%m-%d}"

    @property
    def is_planned(self) -> bool:
        """Dated after the commune's today: nobody can have attended it yet."""
        return is_future(self.held_on)

    def outreach_village_ids(self) -> list[int]:
        """The village the session was held in, if any (villages.access.may_delete_outreach)."""
        return [self.village_id] if self.village_id else []

    @classmethod
    def held_in(cls, village_ids):
        return Q(village__in=village_ids)

    def helped_residents(self):
        return Resident.objects.filter(attendances__session=self)


class Attendance(OutreachHelp):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )

    class Meta:
        verbose_name = _("attendance")
        default_related_name = "attendances"
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "resident"], name="attendance_unique")]

    def __str__(self):
        return f"{self.resident} @ {self.session}"
