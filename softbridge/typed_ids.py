"""Ids typed into forms and URLs: only what can be a row id reaches the database.

A browser sends text. `str.isdigit()` also takes "³" or "٣" (which int() then refuses or
reads as another number), and SQLite raises OverflowError for an integer of 2**63 or more
in an `IN (...)` list. Every id that comes from a request goes through `row_id`; every
multiple-choice field of rows uses `IdMultipleChoiceField`, which refuses such values as
an invalid choice, beside the field, instead of a server error.
"""

from django import forms
from django.core.exceptions import ValidationError

from softbridge.request_limits import too_many

# The largest value of a 64-bit signed column: PostgreSQL bigint, SQLite INTEGER.
LARGEST_ID = 2**63 - 1


def row_id(value) -> int | None:
    """`value` as a row id when it is one (ASCII digits, 1 to LARGEST_ID), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 0 < number <= LARGEST_ID else None


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField of rows by id that refuses what cannot be an id as an invalid
    choice, and more than `max_choices` of them (softbridge.request_limits) before it reads any."""

    def __init__(self, queryset, *, max_choices: int, **kwargs):
        self.max_choices = max_choices
        super().__init__(queryset, **kwargs)

    def clean(self, value):
        # Counted first: the rows are then read in one query of at most max_choices ids.
        if isinstance(value, list | tuple) and len(value) > self.max_choices:
            raise too_many(len(value), self.max_choices)
        return super().clean(value)

    def _check_values(self, value):
        if self.to_field_name is None:
            for item in value:
                if row_id(item) is None and not isinstance(item, self.queryset.model):
                    raise ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item},
                    )
        return super()._check_values(value)


class KnownChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField of a row by id that refuses what cannot be an id, and takes `known`,
    a row of its queryset the form has already read, without reading it again."""

    known = None

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return super().to_python(value)
        pk = row_id(value)
        if pk is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        if self.known is not None and self.known.pk == pk:
            return self.known
        return super().to_python(pk)
