"""The audit trail of a household: who changed what, and when.

django-simple-history keeps a copy of every saved version of households, residents (their
ladder dates included), visits, what each visit helped with, sessions, attendance and
applications, with the user of the request that saved it. This module reads those copies
for one household and says, version by version, what changed. Only the commune's
officials read it (villages.access.may_read_history): it holds people's names, ID numbers
and phone numbers as they were.
"""

import datetime
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mobilization.models import Application, HomeVisit, VisitHelp
from villages.models import Household, PastStay, Resident

KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass(frozen=True)
class Change:
    field: str  # the field's verbose name
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    user: str  # username, or "" when no one was signed in (a command, the importer)
    kind: str  # "+", "~" or "-"
    subject: str  # what changed: "household NK-001", "resident Nông Thị Hoa", ...
    object_type: str  # household, resident, visit, visit_help, application
    object_id: int
    changes: list[Change] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def _shown(model: type[models.Model], name: str, value) -> str:
    """A stored value as a person reads it: choices by their label, dates as ISO, None as empty."""
    if value is None or value == "":
        return ""
    model_field = model._meta.get_field(name)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _day(value: datetime.date) -> str:
    """A day as the page's language writes it short (05-11-2026, 05/11/2026), not ISO."""
    return date_format(value, "SHORT_DATE_FORMAT")


@dataclass(frozen=True)
class _Read:
    """What the trail read that an entry names: households by code, residents by name."""

    codes: dict[int, str]
    names: dict[int, str]


def _change(model: type[models.Model], attname: str, old, new, codes: dict[int, str]) -> Change:
    """A field's change; a household shows as its code (`codes`), another row as its number (#12)."""
    model_field = next(f for f in model._meta.concrete_fields if f.attname == attname)
    if attname == "household_id":
        return Change(
            str(model_field.verbose_name),
            codes.get(old, "") if old else "",
            codes.get(new, "") if new else "",
        )
    if model_field.is_relation:
        return Change(str(model_field.verbose_name), f"#{old}" if old else "", f"#{new}" if new else "")
    return Change(str(model_field.verbose_name), _shown(model, attname, old), _shown(model, attname, new))


# (model, how an entry names its object from its record and what the trail read: household
# codes and residents' names)
SUBJECTS = {
    "household": (Household, lambda r, read: _("household %(code)s") % {"code": r.code}),
    "resident": (Resident, lambda r, read: _("resident %(name)s") % {"name": r.full_name}),
    "visit": (HomeVisit, lambda r, read: _("visit of %(day)s") % {"day": _day(r.visited_on)}),
    "visit_help": (VisitHelp, lambda r, read: _("help at visit #%(visit)s") % {"visit": r.visit_id}),
    "application": (
        Application,
        lambda r, read: _("application of %(day)s") % {"day": _day(r.submitted_on)},
    ),
    # A move closes the resident's stay into an earlier one (villages.services.resident_move).
    "stay": (
        PastStay,
        lambda r, read: (
            _("stay of %(name)s in household %(code)s")
            % {
                "name": read.names.get(r.resident_id, f"#{r.resident_id}"),
                "code": read.codes.get(r.household_id, f"#{r.household_id}"),
            }
        ),
    ),
}
# Bookkeeping columns that say nothing to a person reading the trail.
HIDDEN = {"id", "search_name", "submission_key", "recorded_at"}


def _entries(object_type: str, records, read: "_Read") -> list[HistoryEntry]:
    """Entries for the historical records of one model, each compared with the version before it."""
    model, subject = SUBJECTS[object_type]
    shown = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in HIDDEN and f.name != "version" and not f.name.startswith("history")
    ]
    entries, previous = [], {}
    for record in records:  # oldest first
        before = previous.get(record.id)
        changes = []
        if record.history_type == "~" and before is not None:
            for name in shown:
                old, new = getattr(before, name), getattr(record, name)
                if old != new:
                    changes.append(_change(model, name, old, new, read.codes))
            if not changes:
                previous[record.id] = record
                continue  # a save that changed nothing a person reads
        elif record.history_type in ("+", "~"):
            # Created, or the first version recorded of a row older than the trail: its values.
            for name in shown:
                value = getattr(record, name)
                if value not in (None, "", False):
                    changes.append(_change(model, name, None, value, read.codes))
        previous[record.id] = record
        user = record.history_user.get_username() if record.history_user_id else ""
        entries.append(
            HistoryEntry(
                at=record.history_date,
                user=user,
                kind=record.history_type,
                subject=str(subject(record, read)),
                object_type=object_type,
                object_id=record.id,
                changes=changes,
            )
        )
    return entries


def household_history(household: Household) -> list[HistoryEntry]:
    """Every recorded change to the household, its residents (those who moved in or out
    included: each move shows as the resident's new household and moving-in date, and the
    earlier stay it closed), its visits and their help, and its residents' applications,
    newest first. Seven queries, whatever the length of the trail."""
    residents = Resident.history.filter(household_id=household.pk).values("id")
    visits = HomeVisit.history.filter(household_id=household.pk).values("id")
    sources = {
        "household": Household.history.filter(id=household.pk),
        "resident": Resident.history.filter(id__in=residents),
        "visit": HomeVisit.history.filter(household_id=household.pk),
        "visit_help": VisitHelp.history.filter(visit_id__in=visits),
        "application": Application.history.filter(resident_id__in=residents),
        "stay": PastStay.history.filter(resident_id__in=residents),
    }
    records = {
        object_type: list(found.select_related("history_user").order_by("history_date", "history_id"))
        for object_type, found in sources.items()
    }
    # The households the residents' records name, by code: where they moved from and to (one
    # query, this household's code at least).
    named = {r.household_id for kind in ("resident", "stay") for r in records[kind]}
    codes = dict(Household.objects.filter(Q(pk__in=named) | Q(pk=household.pk)).values_list("pk", "code"))
    read = _Read(codes, {r.id: r.full_name for r in records["resident"]})
    entries = []
    for object_type, found in records.items():
        entries += _entries(object_type, found, read)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries
