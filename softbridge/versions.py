"""Records that count their saves, and the one refusal of a write based on an old read.

Pages, the API and the admin all send back the version they read; a write based on an older
one is refused with StaleWrite and its one message (villages' households and residents are
versioned today; any model can be).
"""

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

STALE_WRITE = _(
    "Someone else saved the %(kind)s “%(name)s” since you opened it, so your change was not saved. "
    "Look at what is stored now and make your change again."
)


class StaleWrite(Exception):
    """Someone else saved the record after it was read: the write is refused, nothing of it saved.

    The one answer to a stale write, whoever writes: the pages show `message` above the form,
    the API answers it with 409 (412 for If-Match), the admin shows it on the row (a household's
    member too). It names the record, as it is stored now.
    """

    def __init__(self, record: "Versioned"):
        super().__init__(record._meta.label_lower, record.pk)
        self.record = record

    @property
    def message(self) -> str:
        return STALE_WRITE % {"kind": self.record._meta.verbose_name, "name": self.record}


class Versioned(models.Model):
    """A row that counts its saves, so that a write based on an old read can be refused.

    Forms and the API send back the version they read (a hidden field, or ETag/If-Match);
    save_unless_stale refuses the write when the row has moved on since.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, locked: bool = False, **kwargs):
        """Save and count the save.

        `locked` says that this transaction read the row with select_for_update and holds
        it: nobody else can have moved the version, so the next one is known and is not
        read back. Otherwise the database counts (version + 1), which holds under
        concurrent saves, and the new version is read back.
        """
        if self.pk is not None and not self._state.adding:
            self.version = self.version + 1 if locked else F("version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)
        if not isinstance(self.version, int):
            self.refresh_from_db(fields=["version"])

    def refuse_if_stale(self, read_version: int | None) -> None:
        """Raise StaleWrite if the row, as this instance loaded it, was saved after
        `read_version` was read (None: the writer sent no version, nothing to compare).

        The early answer, before a body is validated or a form saved; save_unless_stale
        asks the same under the row lock, which is what decides."""
        if read_version is not None and read_version != self.version:
            raise StaleWrite(self)

    def save_unless_stale(self, expected_version: int, **kwargs) -> None:
        """Save only if the stored version is still `expected_version`; else raise StaleWrite."""
        with transaction.atomic():
            stored = (
                type(self)
                .objects.select_for_update()
                .filter(pk=self.pk)
                # No ordering: the model's would join (and so lock) the village or household too.
                .order_by()
                .values_list("version", flat=True)
                .first()
            )
            if stored != expected_version:
                # Named as stored now: this instance holds the values the refused write typed.
                raise StaleWrite(type(self)._base_manager.filter(pk=self.pk).first() or self)
            self.version = stored
            self.save(locked=True, **kwargs)
