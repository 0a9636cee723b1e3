"""A roster preview as JSON, to keep between the uploader's visits (villages.roster_views):
plain data that loads back into the same RosterResult, never code (no pickle).

A changed value keeps its type for the page (a date is shown as a date); a change's label
is kept by its field's name, so that it is shown in the language of the page that reads it.
"""

import datetime
from decimal import Decimal

from villages.roster.planning import _LABELS
from villages.roster.results import Counts, RosterResult, RowChange, RowError

_COUNTS = ("villages", "households", "residents")
_CHANGES = ("created", "updated", "moves")
# Kept since the moves between communes; a preview kept before them has none.
_BETWEEN_COMMUNES = ("arrivals", "conflicts")


def _value_to_json(value):
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _value_from_json(value):
    if isinstance(value, dict):
        if "date" in value:
            return datetime.date.fromisoformat(value["date"])
        return Decimal(value["decimal"])
    return value


def _label_to_json(label) -> str:
    for name, known in _LABELS.items():
        if known is label:
            return name
    return str(label)


def _change_to_json(change: RowChange) -> dict:
    return {
        "row": change.row,
        "household_code": change.household_code,
        "full_name": change.full_name,
        "changes": [
            [_label_to_json(label), _value_to_json(before), _value_to_json(after)]
            for label, before, after in change.changes
        ],
    }


def _change_from_json(data: dict) -> RowChange:
    return RowChange(
        data["row"],
        data["household_code"],
        data["full_name"],
        tuple(
            (_LABELS.get(label, label), _value_from_json(before), _value_from_json(after))
            for label, before, after in data["changes"]
        ),
    )


def result_to_json(result: RosterResult) -> dict:
    """`result` as JSON-ready data that result_from_json loads back."""
    return {
        "errors": [[error.row, error.column, error.message] for error in result.errors],
        "rows": result.rows,
        **{name: vars(getattr(result, name)) for name in _COUNTS},
        **{name: [_change_to_json(change) for change in getattr(result, name)] for name in _CHANGES},
        **{name: [_change_to_json(change) for change in getattr(result, name)] for name in _BETWEEN_COMMUNES},
        "arrived": result.arrived,
        "conflicted": result.conflicted,
        "moved": result.moved,
        "ignored_columns": list(result.ignored_columns),
        "saved": result.saved,
    }


def result_from_json(data: dict) -> RosterResult:
    """The RosterResult result_to_json wrote; KeyError or TypeError for other data."""
    return RosterResult(
        errors=[RowError(row, column, message) for row, column, message in data["errors"]],
        rows=data["rows"],
        **{name: Counts(**data[name]) for name in _COUNTS},
        **{name: [_change_from_json(change) for change in data[name]] for name in _CHANGES},
        **{name: [_change_from_json(change) for change in data.get(name, [])] for name in _BETWEEN_COMMUNES},
        arrived=data.get("arrived", 0),
        conflicted=data.get("conflicted", 0),
        moved=data["moved"],
        ignored_columns=list(data["ignored_columns"]),
        saved=data["saved"],
    )
