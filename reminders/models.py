"""Reminders: the phones that take Web Push (reminders.push sends to them), who wants reminders
and how, residents' consent to SMS, and every message sent.

A message is recorded (queued) before it leaves, one per recipient, item and day, so that
`send_reminders` may run any number of times and still send each reminder once
(reminders.sending)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PushSubscriptionQuerySet(models.QuerySet):
    def working(self):
        """Phones not refused since their last accepted push (a refusal that came before a
        later success was a passing one). A gone phone (404/410) is deleted, not kept here."""
        return self.filter(
            Q(last_failure_at__isnull=True)
            | Q(last_success_at__isnull=False, last_success_at__gt=F("last_failure_at"))
        )


class PushSubscription(models.Model):
    """One browser on one phone where the user allowed notifications: the push service's
    address for it and the keys the message is encrypted with (RFC 8291). The endpoint is the
    browser's, whoever signs in: a phone passed to another user moves with the endpoint."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("user"),
    )
    # Push services' addresses run to a few hundred characters (FCM's, Mozilla's).
    endpoint = models.URLField(_("push service address"), max_length=2048, unique=True)
    p256dh = models.CharField(_("browser's public key"), max_length=200)
    auth = models.CharField(_("browser's authentication secret"), max_length=100)
    user_agent = models.CharField(_("device"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("allowed on"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("last push accepted"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last push refused"), null=True, blank=True)
    last_failure_reason = models.CharField(_("why refused"), max_length=300, blank=True)

    objects = PushSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")

    def __str__(self):
        return f"{self.user} · {self.user_agent[:60]}"


class Channel(models.TextChoices):
    PUSH = "push", _("notification on the phone")
    SMS = "sms", _("SMS")


class ReminderSettings(models.Model):
    """A worker's choice: morning reminders or none, and by which channel. The SMS goes to the
    phone of their worker record (mobilization.Worker.phone): one number, kept in one place."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_settings",
        verbose_name=_("user"),
    )
    enabled = models.BooleanField(_("morning reminders"), default=True)
    channel = models.CharField(_("channel"), max_length=4, choices=Channel.choices, default=Channel.PUSH)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self):
        return str(self.user)


class CommuneSms(models.Model):
    """How a commune's SMS are written: with diacritics (UCS-2, 70 characters a segment) or
    without (GSM-7, 160), which costs a half or a third as much."""

    commune = models.OneToOneField(
        "villages.Commune", on_delete=models.CASCADE, related_name="sms", verbose_name=_("commune")
    )
    without_diacritics = models.BooleanField(_("SMS without diacritics"), default=False)

    class Meta:
        verbose_name = _("commune SMS settings")
        verbose_name_plural = _("commune SMS settings")

    def __str__(self):
        return str(self.commune)


class WithdrawnHow(models.TextChoices):
    REPLY = "reply", _("replied HUY")
    WORKER = "worker", _("withdrawn by a worker")
    RESIDENT_PAGE = "page", _("withdrawn on the resident's page")


class SmsConsent(models.Model):
    """A resident's consent to receive SMS at a phone number, for one purpose (Decree
    13/2023/NĐ-CP: consent is specific, recorded, and as easy to withdraw as to give).

    A withdrawn consent is kept, with when and how, as the record that it was respected."""

    class Purpose(models.TextChoices):
        TRAINING = "training", _("invitations and reminders to training sessions in their village")

    WithdrawnHow = WithdrawnHow

    resident = models.ForeignKey(
        "villages.Resident", on_delete=models.CASCADE, related_name="sms_consents", verbose_name=_("resident")
    )
    # The number consented for, in its national form (reminders.sms.phone_key): a reply HUY
    # from it withdraws it, whatever the register's number has become since.
    phone = models.CharField(_("phone"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose.choices, default=Purpose.TRAINING)
    given_on = models.DateField(_("consent given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_how = models.CharField(
        _("withdrawn how"), max_length=8, choices=WithdrawnHow.choices, blank=True
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    class Meta:
        verbose_name = _("SMS consent")
        verbose_name_plural = _("SMS consents")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="sms_consent_one_open_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True, withdrawn_how="")
                | Q(withdrawn_at__isnull=False) & ~Q(withdrawn_how=""),
                name="sms_consent_withdrawn_says_how",
            ),
        ]
        indexes = [models.Index(fields=["phone"])]

    def __str__(self):
        return f"{self.resident} {self.given_on:%Y-%m-%d}"


class ItemKind(models.TextChoices):
    FOLLOW_UPS = "follow_ups", _("follow-ups due and overdue")
    FACILITATE = "facilitate", _("a session to facilitate tomorrow")
    INVITATION = "invitation", _("invitation to a training session")
    SESSION_EVE = "session_eve", _("reminder the day before a session")


class Status(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class Message(models.Model):
    """One message to one person (a worker's user, or a resident) about one item on one day.

    Recorded before it is sent: the unique (recipient, item, day) is what makes a second run
    of send_reminders send nothing twice. `item_id` is the session's id, 0 for a worker's
    morning list of follow-ups (one message, not one per follow-up: one SMS a morning)."""

    Kind = ItemKind
    Status = Status

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_messages",
        verbose_name=_("user"),
    )
    resident = models.ForeignKey(
        "villages.Resident",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sms_messages",
        verbose_name=_("resident"),
    )
    commune = models.ForeignKey("villages.Commune", on_delete=models.CASCADE, verbose_name=_("commune"))
    kind = models.CharField(_("about"), max_length=12, choices=ItemKind.choices)
    item_id = models.PositiveIntegerField(default=0)
    day = models.DateField(_("day"))
    channel = models.CharField(_("channel"), max_length=4, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(_("why it failed"), max_length=200, blank=True)
    # A permanent failure is never retried; a temporary one is, up to MAX_ATTEMPTS.
    permanent = models.BooleanField(_("permanent failure"), default=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    text = models.TextField(_("text"))
    segments = models.PositiveSmallIntegerField(_("SMS segments"), default=0)
    kannel_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-day", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=True) ^ Q(resident__isnull=True), name="message_one_recipient"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "item_id", "day"],
                condition=Q(user__isnull=False),
                name="message_once_per_user_item_day",
            ),
            models.UniqueConstraint(
                fields=["resident", "kind", "item_id", "day"],
                condition=Q(resident__isnull=False),
                name="message_once_per_resident_item_day",
            ),
        ]
        indexes = [models.Index(fields=["status", "day"]), models.Index(fields=["commune", "day"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.day:%Y-%m-%d}"
