"""The reminders' records: the phones that take Web Push (reminders.push sends to them)."""

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
