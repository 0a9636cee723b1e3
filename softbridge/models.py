"""What the site itself keeps: the forms it has answered, by submission key."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A form saved with a submission key, and where its save led.

    A phone resends a form when the answer was lost, after Back, or from its outbox when the
    network returns (softbridge.submissions.answered_once): the second arrival finds this row
    and is answered as the first was, without saving anything again. Keyed per user, so that
    nobody can answer for someone else's key; the index on the key alone finds the row of a key
    another user sent, which is refused.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField(_("submission key"))
    path = models.CharField(_("address"), max_length=200)
    answered = models.CharField(_("answered with"), max_length=500)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="submission_once_per_user")]
        indexes = [models.Index(fields=["key"], name="submission_key")]

    def __str__(self):
        return f"{self.path} {self.key}"
