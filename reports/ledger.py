"""The adoption ledger: when residents start and stop counting, summed per village and month.

The adoption indicators at the end of month M are running sums: a resident counts as
eligible from the month they moved in or came of age until the month they left, and for
each ladder step from the later of that and the step's month. So every resident adds +1
to a measure in one month and -1 in another, and the count in M is the sum of all changes
up to M. A resident who moved within the commune counts the same way for each of their
stays: their own row (the current stay) and each earlier stay (villages.PastStay), each
in its household's village, with the person's birth year and ladder. Stays do not
overlap, so the commune counts each person once. reports.models.AdoptionChange holds
those changes summed per village and month: a few hundred rows a village instead of one
row a resident, which is what keeps the dashboard fast at a million residents.

Kept in step by database triggers, not by Python: every way a resident changes (the
services, the admin, the API, the importer's COPY and bulk UPDATE, queryset.update(),
raw SQL) goes through the database, and the triggers see all of them. On every change to
a resident (their stays recounted with them), an earlier stay, a household's village, or a
commune's minimum age, the triggers append the difference as new, uncompacted rows.
Writers only ever append, so they never wait on one another or deadlock over shared
counters; `compact` folds the appended rows into one row per village and month, and
readers sum both kinds, so compaction only ever saves time.

Month numbers are reports.selectors.adoption.month_index (year * 12 + month - 1); month 0 stands
for "always" (no move-in date and no birth year). A step never reached, or a resident
who never left, adds no row for it.

Changing the SQL below needs a new migration that calls `install` again. On SQLite, a
migration that alters villages_commune, villages_household, villages_resident or
villages_paststay rebuilds the table, which drops its triggers and breaks the others: such
a migration starts with `suspend` and ends with `resume` (villages/migrations/0003 and
0006 do).
"""

from django.db import connection, transaction

from reports import shared_numbers

TABLE = "reports_adoptionchange"
# What the ledger counts per village and month, and what reports.selectors.adoption reads
# back in this order: eligible residents, and of them with an e-ID, online users, level 3/4.
MEASURES = ("eligible", "eid", "online", "level34")
COLUMNS = f"commune_id, village_id, month, {', '.join(MEASURES)}, compacted"
# reports.models.AdoptionYearChange: the compacted changes summed per village and year
# and per village and decade, kept by `compact` alone. Its migration came after the
# triggers' first one (0003), so the functions below leave it out while it does not
# exist yet (`years=False`).
YEARS = "reports_adoptionyearchange"


def _month(column: str, vendor: str) -> str:
    """The month number of a date column, NULL when the date is."""
    if vendor == "postgresql":
        return f"(EXTRACT(YEAR FROM {column})::int * 12 + EXTRACT(MONTH FROM {column})::int - 1)"
    return f"(CAST(strftime('%Y', {column}) AS INTEGER) * 12 + CAST(strftime('%m', {column}) AS INTEGER) - 1)"


def _changes(source: str, sign: int, vendor: str) -> str:
    """The ledger rows of the residents `source` yields, times `sign` (+1 add, -1 take back).

    `source` is a FROM item aliased r with the columns commune_id, village_id, min_age,
    birth_year, moved_in_on, left_on, eid_on, online_on, level34_on. The rules are
    docs/domain.md's eligibility and the ladder, as in reports.selectors.
    """

    def m(column):
        return _month(f"r.{column}", vendor)

    of_age = "COALESCE((r.birth_year + r.min_age) * 12, 0)"
    moved_in = f"COALESCE({m('moved_in_on')}, 0)"
    online = (
        f"CASE WHEN r.online_on IS NULL THEN {m('level34_on')}"
        f" WHEN r.level34_on IS NULL OR r.online_on <= r.level34_on THEN {m('online_on')}"
        f" ELSE {m('level34_on')} END"
    )
    dates = (
        f"SELECT r.commune_id, r.village_id,"
        f" CASE WHEN {moved_in} > {of_age} THEN {moved_in} ELSE {of_age} END AS starts,"
        f" {m('left_on')} AS ends, {m('eid_on')} AS eid, {online} AS online, {m('level34_on')} AS level34"
        f" FROM {source}"
    )

    def step(name):
        later = f"WHEN d.{name} > d.starts THEN d.{name} ELSE d.starts END"
        return f"CASE WHEN d.{name} IS NULL THEN NULL {later}"

    steps = (
        f"SELECT d.*, {step('eid')} AS eid_from, {step('online')} AS online_from,"
        f" {step('level34')} AS l34_from"
    )
    counted = f"SELECT * FROM ({steps} FROM ({dates}) d) s WHERE s.ends IS NULL OR s.starts < s.ends"

    def counts(name):
        return f"CASE WHEN k.{name} IS NOT NULL AND (k.ends IS NULL OR k.{name} < k.ends) THEN 1 ELSE 0 END"

    def change(n, name):
        ends = f"WHEN n.n = 4 THEN -{counts(name)}"
        return f"{sign} * CASE WHEN n.n = {n} THEN {counts(name)} {ends} ELSE 0 END"

    kinds = "SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4"
    return (
        "SELECT k.commune_id, k.village_id,"
        " CASE n.n WHEN 0 THEN k.starts WHEN 1 THEN k.eid_from WHEN 2 THEN k.online_from"
        " WHEN 3 THEN k.l34_from ELSE k.ends END AS month,"
        f" {sign} * CASE n.n WHEN 0 THEN 1 WHEN 4 THEN -1 ELSE 0 END AS eligible,"
        f" {change(1, 'eid_from')} AS eid, {change(2, 'online_from')} AS online,"
        f" {change(3, 'l34_from')} AS level34"
        f" FROM ({counted}) k CROSS JOIN ({kinds}) n"
        " WHERE n.n = 0 OR (n.n = 4 AND k.ends IS NOT NULL)"
        f" OR (n.n = 1 AND {counts('eid_from')} = 1) OR (n.n = 2 AND {counts('online_from')} = 1)"
        f" OR (n.n = 3 AND {counts('l34_from')} = 1)"
    )


def _append(*parts: tuple[str, int], vendor: str) -> str:
    """INSERT the net changes of (source, sign) parts as uncompacted rows; nothing when they cancel."""
    union = " UNION ALL ".join(_changes(source, sign, vendor) for source, sign in parts)
    return (
        f"INSERT INTO {TABLE} ({COLUMNS})"
        " SELECT commune_id, village_id, month, SUM(eligible), SUM(eid), SUM(online), SUM(level34), FALSE"
        f" FROM ({union}) x WHERE month IS NOT NULL GROUP BY commune_id, village_id, month"
        " HAVING SUM(eligible) <> 0 OR SUM(eid) <> 0 OR SUM(online) <> 0 OR SUM(level34) <> 0"
    )


RESIDENT_COLUMNS = ("birth_year", "moved_in_on", "left_on", "eid_on", "online_on", "level34_on")


def _residents(rows: str, households: str = "villages_household", where: str = "") -> str:
    """A FROM item of residents `rows` with their household's village and commune's minimum age."""
    columns = ", ".join(f"x.{c}" for c in RESIDENT_COLUMNS)
    return (
        f"(SELECT x.commune_id, h.village_id, c.min_age, {columns} FROM {rows} x"
        f" JOIN {households} h ON h.id = x.household_id JOIN villages_commune c ON c.id = x.commune_id"
        f"{where}) r"
    )


def _one_resident(row: str) -> str:
    """A FROM item of the trigger row OLD or NEW (SQLite's row triggers)."""
    return _residents(_one_row(row, ("commune_id", "household_id", *RESIDENT_COLUMNS)))


def _one_row(row: str, columns) -> str:
    """The trigger row OLD or NEW as a one-row subquery of `columns` (SQLite's row triggers)."""
    return "(SELECT {})".format(", ".join(f"{row}.{c} AS {c}" for c in columns))


STAYS = "villages_paststay"
STAY_COLUMNS = ("resident_id", "household_id", "started_on", "ended_on")


def _stays(
    stays: str, residents: str = "villages_resident", village: str = "h.village_id", where: str = ""
) -> str:
    """A FROM item of earlier stays `stays` (rows with STAY_COLUMNS), each counted as its
    resident of `residents` was then: in the stay's household's village (or `village`),
    moved in and out on the stay's dates, with the resident's birth year and ladder.

    A resident's earlier stays (villages.PastStay) and their own row, the current stay, do
    not overlap, so the commune counts each person once and each village the months they
    lived there.
    """
    household = " JOIN villages_household h ON h.id = s.household_id" if village.startswith("h.") else ""
    return (
        f"(SELECT x.commune_id, {village} AS village_id, c.min_age, x.birth_year,"
        " s.started_on AS moved_in_on, s.ended_on AS left_on, x.eid_on, x.online_on, x.level34_on"
        f" FROM {stays} s JOIN {residents} x ON x.id = s.resident_id{household}"
        f" JOIN villages_commune c ON c.id = x.commune_id{where}) r"
    )


def _everyone(where: str = "", stays: bool = True) -> list[tuple[str, int]]:
    """The (source, +1) parts of every resident's current stay and earlier stays, for a rebuild."""
    parts = [(_residents("villages_resident", where=where), 1)]
    return parts + [(_stays(STAYS, where=where), 1)] if stays else parts


def _forget(commune: str, years: bool) -> str:
    """The statements that empty a commune's ledger (and year rows)."""
    tables = [TABLE, YEARS] if years else [TABLE]
    return "; ".join(f"DELETE FROM {table} WHERE commune_id = {commune}" for table in tables)


def _postgresql(years: bool, stays: bool) -> list[str]:
    def function(name, body):
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
            f" BEGIN {body}; RETURN NULL; END $$"
        )

    pg = "postgresql"
    moved = (
        "(SELECT r.*, {side}.village_id AS moved_village FROM villages_resident r"
        " JOIN old_rows o ON o.id = r.household_id JOIN new_rows n ON n.id = o.id"
        " WHERE o.village_id <> n.village_id)"
    )
    household_moved = [
        (_residents_moved(moved.format(side="o")), -1),
        (_residents_moved(moved.format(side="n")), 1),
    ]
    resident_changed = [(_residents("old_rows"), -1), (_residents("new_rows"), 1)]
    if stays:
        # A stay is counted with its resident's birth year and ladder, and in its household's
        # village: a change to either recounts the stays too.
        stays_moved = (
            f"(SELECT p.*, {{side}}.village_id AS moved_village FROM {STAYS} p"
            " JOIN old_rows o ON o.id = p.household_id JOIN new_rows n ON n.id = o.id"
            " WHERE o.village_id <> n.village_id)"
        )
        household_moved += [
            (_stays(stays_moved.format(side="o"), village="s.moved_village"), -1),
            (_stays(stays_moved.format(side="n"), village="s.moved_village"), 1),
        ]
        resident_changed += [(_stays(STAYS, "old_rows"), -1), (_stays(STAYS, "new_rows"), 1)]
    everyone = _everyone(" WHERE x.commune_id = commune", stays)
    statements = [
        function("reports_ledger_resident_insert", _append((_residents("new_rows"), 1), vendor=pg)),
        function("reports_ledger_resident_delete", _append((_residents("old_rows"), -1), vendor=pg)),
        function("reports_ledger_resident_update", _append(*resident_changed, vendor=pg)),
        function("reports_ledger_household_update", _append(*household_moved, vendor=pg)),
        function("reports_ledger_commune_update", "PERFORM reports_ledger_rebuild(NEW.id)"),
        function("reports_ledger_commune_delete", _forget("OLD.id", years)),
        "CREATE OR REPLACE FUNCTION reports_ledger_rebuild(commune bigint) RETURNS void"
        " LANGUAGE plpgsql AS $$"
        f" BEGIN {_forget('commune', years)};"
        f" {_append(*everyone, vendor=pg)};"
        " END $$",
    ]
    triggers = [
        ("INSERT", "villages_resident", "NEW TABLE AS new_rows"),
        ("DELETE", "villages_resident", "OLD TABLE AS old_rows"),
        ("UPDATE", "villages_resident", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ("UPDATE", "villages_household", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ]
    if stays:
        statements += [
            function("reports_ledger_paststay_insert", _append((_stays("new_rows"), 1), vendor=pg)),
            function("reports_ledger_paststay_delete", _append((_stays("old_rows"), -1), vendor=pg)),
            function(
                "reports_ledger_paststay_update",
                _append((_stays("old_rows"), -1), (_stays("new_rows"), 1), vendor=pg),
            ),
        ]
        triggers += [
            ("INSERT", STAYS, "NEW TABLE AS new_rows"),
            ("DELETE", STAYS, "OLD TABLE AS old_rows"),
            ("UPDATE", STAYS, "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ]
    for event, table, transition in triggers:
        name = f"reports_ledger_{table.split('_')[1]}_{event.lower()}"
        statements += [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition}"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    statements += [
        "DROP TRIGGER IF EXISTS reports_ledger_commune_update ON villages_commune",
        "CREATE TRIGGER reports_ledger_commune_update AFTER UPDATE OF min_age ON villages_commune"
        " FOR EACH ROW WHEN (OLD.min_age IS DISTINCT FROM NEW.min_age)"
        " EXECUTE FUNCTION reports_ledger_commune_update()",
        "DROP TRIGGER IF EXISTS reports_ledger_commune_delete ON villages_commune",
        "CREATE TRIGGER reports_ledger_commune_delete AFTER DELETE ON villages_commune"
        " FOR EACH ROW EXECUTE FUNCTION reports_ledger_commune_delete()",
    ]
    return statements


def _sqlite(years: bool, stays: bool) -> list[str]:
    sq = "sqlite"
    resident = ("id", "commune_id", "household_id", *RESIDENT_COLUMNS)
    watched = ", ".join(resident[1:])
    moved_source = (
        "(SELECT r.*, {side}.village_id AS moved_village FROM villages_resident r"
        " WHERE r.household_id = NEW.id)"
    )
    resident_changed = [(_one_resident("OLD"), -1), (_one_resident("NEW"), 1)]
    household_moved = [
        (_residents_moved(moved_source.format(side="OLD")), -1),
        (_residents_moved(moved_source.format(side="NEW")), 1),
    ]
    if stays:
        of_resident = f"(SELECT * FROM {STAYS} WHERE resident_id = OLD.id)"
        resident_changed += [
            (_stays(of_resident, _one_row("OLD", resident)), -1),
            (_stays(of_resident, _one_row("NEW", resident)), 1),
        ]
        stays_moved = (
            f"(SELECT p.*, {{side}}.village_id AS moved_village FROM {STAYS} p WHERE p.household_id = NEW.id)"
        )
        household_moved += [
            (_stays(stays_moved.format(side="OLD"), village="s.moved_village"), -1),
            (_stays(stays_moved.format(side="NEW"), village="s.moved_village"), 1),
        ]
    triggers = {
        "reports_ledger_resident_insert": (
            "AFTER INSERT ON villages_resident",
            _append((_one_resident("NEW"), 1), vendor=sq),
        ),
        "reports_ledger_resident_delete": (
            "AFTER DELETE ON villages_resident",
            _append((_one_resident("OLD"), -1), vendor=sq),
        ),
        "reports_ledger_resident_update": (
            f"AFTER UPDATE OF {watched} ON villages_resident",
            _append(*resident_changed, vendor=sq),
        ),
        "reports_ledger_household_update": (
            "AFTER UPDATE OF village_id ON villages_household WHEN OLD.village_id <> NEW.village_id",
            _append(*household_moved, vendor=sq),
        ),
        "reports_ledger_commune_update": (
            "AFTER UPDATE OF min_age ON villages_commune WHEN OLD.min_age IS NOT NEW.min_age",
            f"{_forget('NEW.id', years)}; "
            + _append(*_everyone(" WHERE x.commune_id = NEW.id", stays), vendor=sq),
        ),
        "reports_ledger_commune_delete": (
            "AFTER DELETE ON villages_commune",
            _forget("OLD.id", years),
        ),
    }
    if stays:
        triggers |= {
            "reports_ledger_paststay_insert": (
                f"AFTER INSERT ON {STAYS}",
                _append((_stays(_one_row("NEW", STAY_COLUMNS)), 1), vendor=sq),
            ),
            "reports_ledger_paststay_delete": (
                f"AFTER DELETE ON {STAYS}",
                _append((_stays(_one_row("OLD", STAY_COLUMNS)), -1), vendor=sq),
            ),
            "reports_ledger_paststay_update": (
                f"AFTER UPDATE ON {STAYS}",
                _append(
                    (_stays(_one_row("OLD", STAY_COLUMNS)), -1),
                    (_stays(_one_row("NEW", STAY_COLUMNS)), 1),
                    vendor=sq,
                ),
            ),
        }
    statements = []
    for name, (when, body) in triggers.items():
        statements += [f"DROP TRIGGER IF EXISTS {name}", f"CREATE TRIGGER {name} {when} BEGIN {body}; END"]
    return statements


def _residents_moved(rows: str) -> str:
    """Residents of a household that changed village, counted in `moved_village`."""
    columns = ", ".join(f"x.{c}" for c in RESIDENT_COLUMNS)
    return (
        f"(SELECT x.commune_id, x.moved_village AS village_id, c.min_age, {columns} FROM {rows} x"
        " JOIN villages_commune c ON c.id = x.commune_id) r"
    )


def install(schema_editor, years: bool | None = None, stays: bool | None = None) -> None:
    """Create or replace the triggers, then rebuild the ledger from the register (migrations).

    `years`: whether the year rows are kept; by default, whether their table exists yet.
    `stays`: whether residents' earlier stays (villages.PastStay) are counted; by default,
    whether their table exists yet (a migration that ran before it installs triggers
    without them, and reports/migrations/0006 installs them again).
    """
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"the adoption ledger has no triggers for {vendor}")
    tables = schema_editor.connection.introspection.table_names()
    if years is None:
        years = YEARS in tables
    if stays is None:
        stays = STAYS in tables
    if not stays:
        _drop(schema_editor, _STAY_TRIGGERS)
    for statement in _postgresql(years, stays) if vendor == "postgresql" else _sqlite(years, stays):
        schema_editor.execute(statement, params=None)
    rebuild(using=schema_editor.connection, years=years, stays=stays)


_STAY_TRIGGERS = [("paststay_insert", STAYS), ("paststay_delete", STAYS), ("paststay_update", STAYS)]


def _drop(schema_editor, triggers) -> None:
    vendor = schema_editor.connection.vendor
    for name, table in triggers:
        if vendor == "postgresql" and table not in schema_editor.connection.introspection.table_names():
            continue  # DROP TRIGGER ... ON a missing table fails even with IF EXISTS
        on = f" ON {table}" if vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_ledger_{name}{on}", params=None)
    if vendor == "postgresql":
        for name, _table in triggers:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS reports_ledger_{name}()", params=None)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    _drop(schema_editor, _STAY_TRIGGERS)
    names = ["resident_insert", "resident_delete", "resident_update", "household_update"]
    tables = ["villages_resident"] * 3 + ["villages_household"]
    names += ["commune_update", "commune_delete"]
    tables += ["villages_commune"] * 2
    for name, table in zip(names, tables, strict=True):
        on = f" ON {table}" if vendor == "postgresql" else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_ledger_{name}{on}", params=None)
    if vendor == "postgresql":
        for name in names:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS reports_ledger_{name}()", params=None)
        schema_editor.execute("DROP FUNCTION IF EXISTS reports_ledger_rebuild(bigint)", params=None)


def suspend(schema_editor) -> None:
    """Before a migration that alters a register table: SQLite drops the triggers first."""
    if schema_editor.connection.vendor == "sqlite" and _installed(schema_editor):
        uninstall(schema_editor)
        # The count-once's triggers read the same tables (reports.shared_numbers).
        shared_numbers.uninstall(schema_editor)


def resume(schema_editor) -> None:
    """After such a migration: reinstall the triggers and rebuild the ledger (SQLite).

    Nothing to do before the ledger's own migration has run: it installs them.
    """
    tables = schema_editor.connection.introspection.table_names()
    if schema_editor.connection.vendor == "sqlite" and TABLE in tables:
        install(schema_editor)
        if shared_numbers.TABLE in tables:
            shared_numbers.install(schema_editor)


def _installed(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'reports_ledger_%'")
        return cursor.fetchone() is not None


def rebuild(commune_id: int | None = None, using=connection, years: bool = True, stays: bool = True) -> None:
    """Recompute the ledger of one commune (or all) from the register, in one transaction.

    The triggers keep it in step; this is for a restore that loaded rows with triggers
    off, or a database whose ledger must be checked against the register.
    """
    where = "" if commune_id is None else f" WHERE x.commune_id = {int(commune_id)}"
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        for table in [TABLE, YEARS] if years else [TABLE]:
            if commune_id is None:
                cursor.execute(f"DELETE FROM {table}")
            else:
                cursor.execute(f"DELETE FROM {table} WHERE commune_id = %s", [commune_id])
        cursor.execute(_append(*_everyone(where, stays), vendor=using.vendor))
        compact(commune_id, using=using, years=years)


def compact(commune_id: int | list[int] | None = None, using=connection, years: bool = True) -> None:
    """Fold the appended rows of a commune (or of a list of communes, or all) into one row
    per village and month, and add them to the rows per village and year and per village
    and decade (AdoptionYearChange). One statement on PostgreSQL however many communes.

    On PostgreSQL one statement deletes exactly the rows it adds up (DELETE ... RETURNING),
    so a row appended meanwhile by another transaction is left for the next time, never
    lost or counted twice, and both tables get the same rows; rows are upserted in key
    order, so two compactions never deadlock. SQLite allows one writer at a time, so
    statements in a transaction do.
    """
    commune = "" if commune_id is None else f" AND {_communes(commune_id)}"

    def upsert(table: str, key: str, where: str = "") -> str:
        sums = ", ".join(f"{m} = {table}.{m} + excluded.{m}" for m in MEASURES)
        return f" ON CONFLICT (commune_id, village_id, {key}){where} DO UPDATE SET {sums}"

    sums = ", ".join(f"SUM({m})" for m in MEASURES)
    into_months = (
        f"INSERT INTO {TABLE} ({COLUMNS}) SELECT commune_id, village_id, month, {sums}, TRUE"
        " FROM {rows} r WHERE TRUE GROUP BY commune_id, village_id, month"
        " ORDER BY commune_id, village_id, month" + upsert(TABLE, "month", " WHERE compacted")
    )
    # Each row's year, and its decade, in one insert (the rows of both spans).
    spans = "(SELECT 1 AS years UNION ALL SELECT 10) s"
    into_years = (
        f"INSERT INTO {YEARS} (commune_id, village_id, years, year, {', '.join(MEASURES)})"
        f" SELECT commune_id, village_id, s.years, month / (12 * s.years) * s.years AS first, {sums}"
        f" FROM {{rows}} r CROSS JOIN {spans} WHERE TRUE"
        " GROUP BY commune_id, s.years, first, village_id ORDER BY commune_id, s.years, first, village_id"
        + upsert(YEARS, "years, year")
    )
    with transaction.atomic(using=using.alias), using.cursor() as cursor:
        if using.vendor == "postgresql":
            gone = (
                f"WITH gone AS (DELETE FROM {TABLE} WHERE NOT compacted{commune}"
                f" RETURNING commune_id, village_id, month, {', '.join(MEASURES)})"
            )
            if years:
                # Both inserts read the same deleted rows: the months one runs to completion
                # as a data-modifying WITH, the years one is the statement itself.
                cursor.execute(
                    f"{gone}, months AS ({into_months.format(rows='gone')}) {into_years.format(rows='gone')}"
                )
            else:
                cursor.execute(f"{gone} {into_months.format(rows='gone')}")
        else:
            appended = f"(SELECT * FROM {TABLE} WHERE NOT compacted{commune})"
            cursor.execute(into_months.format(rows=appended))
            if years:
                cursor.execute(into_years.format(rows=appended))
            cursor.execute(f"DELETE FROM {TABLE} WHERE NOT compacted{commune}")


def _rows_until(low: int, high: int, where: str, by: str | None) -> tuple[str, dict]:
    """The ledger's changes in months up to `high` as rows ([`by`,] month, *MEASURES), `by`
    being None, "village_id" or "commune_id",
    every change before `low` in rows of month `low`; several rows may share a month.

    Before `low`, whole decades and then whole years come from the year rows, and only
    the months of `low`'s own year from the month rows: a few dozen rows a village
    instead of every month since the 1940s, when the oldest residents came of age. The
    appended rows not yet compacted, which the year rows do not hold, are read whatever
    their month. Each part is summed on its own (per village or commune with `by`), which
    keeps what the outer query adds up small. Read in one statement, so in one snapshot
    of both tables: a compaction running meanwhile is seen entirely or not at all.
    """
    last_year = (low - 11) // 12  # the last year that ends on or before `low`
    first_year = (last_year + 1) // 10 * 10  # the first year not in a whole decade before
    greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    village = f"{by}, " if by else ""
    sums = ", ".join(f"SUM({m}) AS {m}" for m in MEASURES)
    months = (
        f"SELECT {village}{greatest}(month, %(low)s) AS month, {sums} FROM {TABLE} WHERE {where} AND {{rows}}"
        f" GROUP BY {village}{greatest}(month, %(low)s)"
    )
    before = (
        f"SELECT {village}%(low)s AS month, {sums} FROM {YEARS} WHERE {where} AND {{rows}}"
        f" GROUP BY {by or 'commune_id'}"
    )
    sql = " UNION ALL ".join(
        [
            months.format(rows="compacted AND month >= %(first_month)s AND month <= %(high)s"),
            months.format(rows="NOT compacted AND month <= %(high)s"),
            before.format(rows="years = 10 AND year < %(first_year)s"),
            before.format(rows="years = 1 AND year >= %(first_year)s AND year <= %(last_year)s"),
        ]
    )
    params = {
        "low": low,
        "high": high,
        "first_month": (last_year + 1) * 12,
        "first_year": first_year,
        "last_year": last_year,
    }
    return sql, params


def _communes(commune_id: int | list[int]) -> str:
    """The condition on the commune: one, or any of a list (none: no rows)."""
    if isinstance(commune_id, int):
        return f"commune_id = {int(commune_id)}"
    return "commune_id IN (" + (", ".join(str(int(pk)) for pk in commune_id) or "NULL") + ")"


def _where(commune_id: int | list[int], village_ids: list[int] | None) -> str:
    where = _communes(commune_id)
    if village_ids is not None:
        # No villages: no rows (SQL has no empty IN list).
        where += " AND village_id IN (" + (", ".join(str(int(pk)) for pk in village_ids) or "NULL") + ")"
    return where


def _fetch(sql: str, params: dict) -> list[tuple]:
    if connection.vendor == "postgresql":
        # A few thousand rows read through indexes: PostgreSQL plans the union in parallel,
        # and starting the workers took longer than the whole read (20 ms against 7 ms at a
        # million residents, on two busy cores). SET LOCAL lasts until the statement's
        # transaction ends; sent with it, it is one round trip and one query.
        sql = "SET LOCAL max_parallel_workers_per_gather = 0; " + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def changes_until(commune_id: int, low: int, high: int, village_ids: list[int] | None = None) -> list[tuple]:
    """The ledger's changes in months up to `high`, summed per month from `low` on, with
    every change before `low` added into `low`: rows of (month, *MEASURES).

    Of the commune, or of `village_ids` together. One query. (Each village on its own:
    counts_at.)
    """
    rows, params = _rows_until(low, high, _where(commune_id, village_ids), by=None)
    sums = ", ".join(f"CAST(SUM({m}) AS BIGINT)" for m in MEASURES)  # PostgreSQL: a sum of sums is numeric
    return _fetch(f"SELECT month, {sums} FROM ({rows}) x GROUP BY month", params)


def changes_until_each(commune_ids: list[int], low: int, high: int) -> list[tuple]:
    """changes_until for each of several communes at once: rows of (commune, month,
    *MEASURES). One query, however many communes."""
    rows, params = _rows_until(low, high, _where(commune_ids, None), by="commune_id")
    sums = ", ".join(f"CAST(SUM({m}) AS BIGINT)" for m in MEASURES)
    return _fetch(f"SELECT commune_id, month, {sums} FROM ({rows}) x GROUP BY commune_id, month", params)


def counts_at(commune_id: int, months: list[int], village_ids: list[int] | None = None) -> list[tuple]:
    """Each village's counts at the end of each of `months`: rows of (village, then
    MEASURES at the first month, MEASURES at the second, ...). One query, one row a village.
    """
    rows, params = _rows_until(min(months), max(months), _where(commune_id, village_ids), by="village_id")
    sums = ", ".join(
        f"CAST(COALESCE(SUM({measure}) FILTER (WHERE month <= {int(month)}), 0) AS BIGINT)"
        for month in months
        for measure in MEASURES
    )
    return _fetch(f"SELECT village_id, {sums} FROM ({rows}) x GROUP BY village_id", params)
