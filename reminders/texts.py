"""The texts of the reminders, in the commune's language whoever sends them.

They name no one but the reader, no ID number, no health or ethnicity: only counts, dates,
the kind of venue and the village. A session's free-text place is never sent (it may say
"at Mr. X's house")."""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from reminders.models import CommuneSms
from training.models import TrainingSession

# Messages are written in the commune's language, whoever runs the command.
SMS_LANGUAGE = "vi"


def _place(session: TrainingSession) -> str:
    """Where, as a resident says it: "the cultural house of Nà Khau", not the kind's generic
    label with "village/hamlet" in it followed by the name."""
    village = session.village.name if session.village_id else ""
    if village and session.venue_kind == TrainingSession.VenueKind.CULTURAL_HOUSE:
        return _("the cultural house of %(village)s") % {"village": village}
    kind = session.get_venue_kind_display()
    return f"{kind} {village}".strip()


def _day(day: datetime.date) -> str:
    return formats.date_format(day, "d/m")


def follow_ups_text(*, due: int, overdue: int) -> str:
    return _("Softbridge: %(due)s follow-ups due today, %(overdue)s overdue. Open Today to see them.") % {
        "due": due,
        "overdue": overdue,
    }


def facilitate_text(session: TrainingSession) -> str:
    return _("Softbridge: tomorrow %(day)s you facilitate a training session at %(place)s.") % {
        "day": _day(session.held_on),
        "place": _place(session),
    }


def invitation_text(session: TrainingSession) -> str:
    return _(
        "You are invited to a session on online public services on %(day)s at %(place)s. "
        "Reply HUY to stop these messages."
    ) % {"day": _day(session.held_on), "place": _place(session)}


def eve_text(session: TrainingSession) -> str:
    return _(
        "Reminder: the session on online public services is tomorrow %(day)s at %(place)s. "
        "Reply HUY to stop these messages."
    ) % {"day": _day(session.held_on), "place": _place(session)}


def plain_communes() -> set[int]:
    return set(CommuneSms.objects.filter(without_diacritics=True).values_list("commune_id", flat=True))
