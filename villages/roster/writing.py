"""Writing a roster import's plan: in bulk, guarded by each row's version, with its audit trail.

simple-history records the saves of the ORM, which the bulk writes here bypass. So every
household, resident and earlier stay the import creates or changes gets its historical row here, in the
same transaction, with one INSERT ... SELECT of the rows just written per table and kind
("+" created, "~" changed), the user who confirmed the import and the reason "roster import".

New rows go in with PostgreSQL's COPY and changed rows with UPDATE ... FROM (VALUES)
(guarded by each row's version, like Versioned.save_unless_stale); other databases use
bulk_create and executemany.
"""

from __future__ import annotations

import csv
import datetime
import io

from django.db import connection
from django.utils import timezone

from villages.models import Household, PastStay, Resident, Village
from villages.roster.columns import RESIDENT_FIELDS
from villages.roster.planning import Plan
from villages.roster.results import Progress

# What the audit trail says of the rows the import writes (not translated: it is stored).
HISTORY_REASON = "roster import"
BATCH = 5000


# A new household's columns that a roster does not carry: they get the model's defaults.
_HOUSEHOLD_NOT_IN_ROSTER = ("address", "phone", "has_smartphone", "has_internet", "version")


def _defaults(model, names: tuple[str, ...]) -> tuple:
    """The values `model` gives the fields `names` of a new row, as Model() would."""
    return tuple(model._meta.get_field(name).get_default() for name in names)


class Stale(Exception):
    """A row changed between the check and the write."""


def write(plan: Plan, progress: Progress | None, user_id: int | None) -> None:
    """Write the plan, and its audit trail in `user_id`'s name; raises Stale if a row moved on."""
    commune = plan.commune
    commune_id = commune.pk
    total = len(plan.resident_new) + len(plan.resident_changed)
    if plan.village_new:
        Village.objects.bulk_create(
            [Village(commune=commune, code=code, name=name) for code, name in plan.village_new.items()]
        )
    for pk, name in plan.village_renamed.items():
        Village.objects.filter(pk=pk).update(name=name)
    village_ids = dict(Village.objects.filter(commune=commune).values_list("code", "pk"))

    blanks = _defaults(Household, _HOUSEHOLD_NOT_IN_ROSTER)
    household_created = _insert(
        Household,
        ["commune_id", "village_id", "code", "distance_km", *_HOUSEHOLD_NOT_IN_ROSTER],
        [
            (commune_id, village_ids[village], code, distance, *blanks)
            for code, (village, distance) in plan.household_new.items()
        ],
    )
    _update(
        Household,
        ["village_id", "distance_km"],
        [
            (pk, version, (village_ids[village], distance))
            for pk, version, village, distance in plan.household_changed
        ],
    )
    household_ids = dict(Household.objects.filter(commune=commune).values_list("code", "pk"))
    # The stays closed by the file's moves and returns, before their residents' rows change
    # (the order does not matter to the ledger: each trigger counts the rows as they are).
    stay_created = _insert(
        PastStay,
        ["resident_id", "household_id", "relation", "started_on", "ended_on", "ended_by"],
        [(pk, household_ids[code], *rest) for pk, code, *rest in plan.stays_new],
    )

    columns = [
        "commune_id",
        "version",
        *(("household_id" if f == "household" else f) for f in RESIDENT_FIELDS),
    ]
    resident_created: list[int] = []
    written = 0
    for start in range(0, len(plan.resident_new), BATCH * 4):
        batch = plan.resident_new[start : start + BATCH * 4]
        resident_created += _insert(
            Resident, columns, [(commune_id, 1, household_ids[v[0]], *v[1:]) for v in batch]
        )
        written += len(batch)
        if progress:
            progress("write", written, total)
    for start in range(0, len(plan.resident_changed), BATCH):
        batch = plan.resident_changed[start : start + BATCH]
        _update(
            Resident,
            columns[2:],
            [(pk, version, (household_ids[v[0]], *v[1:])) for pk, version, v in batch],
        )
        written += len(batch)
        if progress:
            progress("write", written, total)

    when = timezone.now()
    _record_history(Household, "+", household_created, user_id, when)
    _record_history(Household, "~", [pk for pk, *_rest in plan.household_changed], user_id, when)
    _record_history(PastStay, "+", stay_created, user_id, when)
    _record_history(Resident, "+", resident_created, user_id, when)
    _record_history(Resident, "~", [pk for pk, _version, _values in plan.resident_changed], user_id, when)


def _insert(model, columns: list[str], rows: list[tuple]) -> list[int]:
    """Insert rows of plain values and give their ids; COPY on PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        # COPY tells no ids: take them from the table's sequence first, so that the audit
        # trail (and nothing else) can find exactly these rows again.
        with connection.cursor() as cursor:
            # The sequence's name once: pg_get_serial_sequence() on each row is 5 times slower.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [cursor.fetchone()[0], len(rows)]
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        _copy(model, ["id", *columns], [(pk, *values) for pk, values in zip(ids, rows, strict=True)])
        return ids
    objects = []
    for values in rows:
        obj = model(**dict(zip(columns, values, strict=True)))
        objects.append(obj)
    model.objects.bulk_create(objects, batch_size=500)
    ids = [obj.pk for obj in objects]
    if None in ids:  # a database that cannot return the ids of a bulk insert (SQLite < 3.35)
        raise NotImplementedError("the roster import needs the ids of the rows it inserts")
    return ids


def _record_history(model, kind: str, ids: list[int], user_id: int | None, when: datetime.datetime) -> None:
    """The audit trail's rows for the `ids` just written, as simple-history's save would write them.

    One INSERT ... SELECT copies the tracked columns of the written rows, so that the history
    holds exactly what the register holds (the values prepared above, the bumped version
    excluded as simple-history excludes it).
    """
    if not ids:
        return
    historical = model.history.model
    quote = connection.ops.quote_name
    tracked = ", ".join(quote(f.column) for f in historical.tracked_fields)
    sql = (
        "INSERT INTO {history} ({tracked}, history_date, history_change_reason, history_type, "
        "history_user_id) SELECT {tracked}, %s, %s, %s, %s FROM {table} WHERE id {where}"
    )
    date = historical._meta.get_field("history_date").get_db_prep_value(when, connection)
    params = [date, HISTORY_REASON, kind, user_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                sql.format(
                    history=quote(historical._meta.db_table),
                    tracked=tracked,
                    table=quote(model._meta.db_table),
                    where="= ANY(%s::bigint[])",
                ),
                # One array literal: parsed far faster than an ARRAY[...] of 100,000 parameters.
                [*params, "{" + ",".join(map(str, ids)) + "}"],
            )
            return
        # Within the limit of parameters of every SQLite build.
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            cursor.execute(
                sql.format(
                    history=quote(historical._meta.db_table),
                    tracked=tracked,
                    table=quote(model._meta.db_table),
                    where="IN ({})".format(", ".join(["%s"] * len(chunk))),
                ),
                [*params, *chunk],
            )


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    # CSV, so that the csv module (in C) writes the rows. An unquoted empty value is NULL
    # in CSV COPY: the text columns, never NULL in the register, read it as "" instead.
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    buffer.seek(0)
    quote = connection.ops.quote_name
    texts = [c for c in columns if model._meta.get_field(c).get_internal_type() in ("CharField", "TextField")]
    sql = "COPY {} ({}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL ({}))".format(
        quote(model._meta.db_table), ", ".join(quote(c) for c in columns), ", ".join(quote(c) for c in texts)
    )
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(sql, buffer)
        else:  # psycopg 3
            with raw.copy(sql) as copy:
                copy.write(buffer.getvalue())


def _update(model, columns: list[str], rows: list[tuple[int, int, tuple]]) -> None:
    """Set `columns` of each (pk, version, values) row and bump its version.

    A row whose version moved on since it was read is not written and raises Stale, so
    that the whole import is rolled back rather than overwrite someone's change.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        types = [model._meta.get_field(c).db_type(connection) for c in columns]
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            placeholder = "(%s::bigint, %s::integer, {})".format(", ".join(f"%s::{t}" for t in types))
            sql = "UPDATE {table} AS t SET {sets}, version = t.version + 1 FROM (VALUES {values}) AS v (id, version, {names}) WHERE t.id = v.id AND t.version = v.version".format(  # noqa: E501
                table=table,
                sets=", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns),
                values=", ".join([placeholder] * len(batch)),
                names=", ".join(quote(c) for c in columns),
            )
            params = [value for pk, version, values in batch for value in (pk, version, *values)]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                if cursor.rowcount != len(batch):
                    raise Stale
        return
    sql = "UPDATE {table} SET {sets}, version = version + 1 WHERE id = %s AND version = %s".format(
        table=table, sets=", ".join(f"{quote(c)} = %s" for c in columns)
    )
    params = [
        [
            model._meta.get_field(c).get_db_prep_save(v, connection)
            for c, v in zip(columns, values, strict=True)
        ]
        + [pk, version]
        for pk, version, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        if cursor.rowcount != len(rows):
            raise Stale
