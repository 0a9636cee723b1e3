"""The ID numbers living in two communes on some of the same days: what the province's count-once reads.

A province counts each person once (reports.selectors.province.counted_twice): an ID number
whose records in two of its communes both live there at a month's end is counted by both
communes, and the province takes back all but one. Finding those numbers by reading every
numbered resident of the province cost 2.1 s at 3 million residents (docs/scaling.md). So
reports.models.SharedNumber holds, for each record whose ID number has a record in another
commune with a stay (current or earlier) sharing a day's end with one of its own
(villages.between_communes.stays_overlap), one row (commune, number): the conflicts, a few
rows a commune, since a move between communes ends the stay left the day the new one
begins. The province reads those rows, then only those numbers' records.

Kept in step by database triggers, as the adoption ledger is (reports.ledger) and for the
same reason: every way a record changes goes through the database. A change to a resident's
number, commune or stay dates, or to an earlier stay, recomputes its numbers (old and new):
their rows are deleted, then written again from every record of those numbers, through the
index resident_national_id_lookup. A number's rows are whole or absent, never summed, so a
recomputation is exact whatever came before it. On PostgreSQL two transactions that
recompute the same number take turns (an advisory lock on one of 64 buckets of numbers,
held to the commit, taken in order so two never deadlock): each statement of a trigger
function reads the rows committed when it starts, so the second sees the first's records.
SQLite has one writer at a time.

A migration that rebuilds villages_resident or villages_paststay on SQLite drops these
triggers with the ledger's: reports.ledger.suspend and resume take these along.
"""

from django.db import connection, transaction

TABLE = "reports_sharednumber"
# The key of the advisory locks (the issue that asked for them), and their number of buckets.
LOCK_CLASS = 31
BUCKETS = 64


def _stays(numbers: str) -> str:
    """A FROM item of every stay (a record's own row and its earlier stays) of the records
    whose number satisfies `numbers` (a condition on x.national_id): (commune_id, national_id,
    s, e), a stay covering the end of each day from s until the day before e (None: always,
    still)."""
    where = f"x.national_id <> '' AND {numbers}"  # the index is partial: numbered residents
    return (
        "(SELECT x.commune_id, x.national_id, x.moved_in_on AS s, x.left_on AS e"
        f" FROM villages_resident x WHERE {where}"
        " UNION ALL SELECT x.commune_id, x.national_id, p.started_on AS s, p.ended_on AS e"
        f" FROM villages_paststay p JOIN villages_resident x ON x.id = p.resident_id WHERE {where})"
    )


def _recount(numbers: str) -> list[str]:
    """The statements that write the rows of the numbers satisfying `numbers` again."""
    # A day's end both stays cover: villages.between_communes.stays_overlap, in SQL.
    overlap = "(a.e IS NULL OR b.s IS NULL OR a.e > b.s) AND (b.e IS NULL OR a.s IS NULL OR b.e > a.s)"
    return [
        f"DELETE FROM {TABLE} WHERE {numbers.replace('x.national_id', 'national_id')}",
        f"INSERT INTO {TABLE} (commune_id, national_id)"
        f" SELECT DISTINCT a.commune_id, a.national_id FROM {_stays(numbers)} a JOIN {_stays(numbers)} b"
        f" ON b.national_id = a.national_id AND b.commune_id <> a.commune_id AND {overlap}",
    ]


def _postgresql() -> list[str]:
    def function(name: str, numbers: str) -> str:
        recount = "; ".join(_recount("x.national_id = ANY(numbers)"))
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            " DECLARE numbers text[]; BEGIN"
            f" SELECT array_agg(DISTINCT n) INTO numbers FROM ({numbers}) changed(n) WHERE n <> '';"
            " IF numbers IS NULL THEN RETURN NULL; END IF;"
            f" PERFORM pg_advisory_xact_lock({LOCK_CLASS}, b) FROM"
            f" (SELECT DISTINCT hashtext(n) & {BUCKETS - 1} AS b FROM unnest(numbers) n ORDER BY 1) buckets;"
            f" {recount}; RETURN NULL; END $$"
        )

    # The numbers whose stays an UPDATE may have changed: a row's number, commune or dates.
    changed = (
        "SELECT {side}.national_id FROM old_rows o JOIN new_rows n ON n.id = o.id"
        " WHERE (o.national_id, o.commune_id, o.moved_in_on, o.left_on)"
        " IS DISTINCT FROM (n.national_id, n.commune_id, n.moved_in_on, n.left_on)"
    )
    of_stays = "SELECT x.national_id FROM villages_resident x WHERE x.id IN (SELECT resident_id FROM {rows})"
    functions = {
        "reports_numbers_resident_insert": "SELECT national_id FROM new_rows",
        "reports_numbers_resident_delete": "SELECT national_id FROM old_rows",
        "reports_numbers_resident_update": f"{changed.format(side='o')} UNION ALL {changed.format(side='n')}",
        "reports_numbers_paststay_insert": of_stays.format(rows="new_rows"),
        "reports_numbers_paststay_delete": of_stays.format(rows="old_rows"),
        "reports_numbers_paststay_update": (
            f"{of_stays.format(rows='old_rows')} UNION ALL {of_stays.format(rows='new_rows')}"
        ),
    }
    statements = [function(name, numbers) for name, numbers in functions.items()]
    for name in functions:
        table, event = _table_and_event(name)
        transition = {
            "insert": "NEW TABLE AS new_rows",
            "delete": "OLD TABLE AS old_rows",
            "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        }[event]
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {table} REFERENCING {transition}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite() -> list[str]:
    def recount(numbers: str) -> str:
        return "; ".join(_recount(f"x.national_id IN ({numbers})"))

    def of_stay(row: str) -> str:
        return f"SELECT national_id FROM villages_resident WHERE id = {row}.resident_id"

    triggers = {
        "reports_numbers_resident_insert": (
            "AFTER INSERT ON villages_resident WHEN NEW.national_id <> ''",
            recount("SELECT NEW.national_id"),
        ),
        "reports_numbers_resident_delete": (
            "AFTER DELETE ON villages_resident WHEN OLD.national_id <> ''",
            recount("SELECT OLD.national_id"),
        ),
        "reports_numbers_resident_update": (
            "AFTER UPDATE OF national_id, commune_id, moved_in_on, left_on ON villages_resident"
            " WHEN OLD.national_id IS NOT NEW.national_id OR OLD.commune_id IS NOT NEW.commune_id"
            " OR OLD.moved_in_on IS NOT NEW.moved_in_on OR OLD.left_on IS NOT NEW.left_on",
            recount("SELECT OLD.national_id UNION ALL SELECT NEW.national_id"),
        ),
        "reports_numbers_paststay_insert": ("AFTER INSERT ON villages_paststay", recount(of_stay("NEW"))),
        "reports_numbers_paststay_delete": ("AFTER DELETE ON villages_paststay", recount(of_stay("OLD"))),
        "reports_numbers_paststay_update": (
            "AFTER UPDATE ON villages_paststay",
            recount(f"{of_stay('OLD')} UNION ALL {of_stay('NEW')}"),
        ),
    }
    statements = []
    for name, (when, body) in triggers.items():
        statements += [f"DROP TRIGGER IF EXISTS {name}", f"CREATE TRIGGER {name} {when} BEGIN {body}; END"]
    return statements


def _table_and_event(name: str) -> tuple[str, str]:
    _reports, _numbers, table, event = name.split("_")
    return f"villages_{table}", event


NAMES = [
    f"reports_numbers_{table}_{event}"
    for table in ("resident", "paststay")
    for event in ("insert", "delete", "update")
]


def install(schema_editor) -> None:
    """Create or replace the triggers, then write the table again from the register (migrations)."""
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the shared numbers have no triggers for {vendor}")
    for statement in _postgresql() if vendor == "postgresql" else _sqlite():
        schema_editor.execute(statement, params=None)
    rebuild(using=schema_editor.connection)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for name in NAMES:
        table, _event = _table_and_event(name)
        on = f" ON {table}" if vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}", params=None)
        if vendor == "postgresql":
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()", params=None)


def rebuild(commune_id: int | None = None, using=connection) -> None:
    """Write the rows of every number again (or of the numbers a commune's records hold), in
    one transaction, from the register: for a database loaded with the triggers off."""
    if commune_id is None:
        statements = [f"DELETE FROM {TABLE}", *_recount("TRUE")]
    else:
        held = f"SELECT national_id FROM villages_resident WHERE commune_id = {int(commune_id)}"
        statements = [
            f"DELETE FROM {TABLE} WHERE commune_id = {int(commune_id)}",
            *_recount(f"x.national_id IN ({held})"),
        ]
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
