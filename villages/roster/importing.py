"""The roster import: a commune's spreadsheet of residents, read, checked, matched and written
all or nothing (see the package's docstring, villages/roster/__init__.py)."""

from __future__ import annotations

import gc
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from villages.between_communes import arrivals_settle
from villages.models import Commune
from villages.roster import reading
from villages.roster.checking import checked_rows
from villages.roster.columns import AT
from villages.roster.planning import plan_import
from villages.roster.results import Progress, RosterResult, RowError
from villages.roster.writing import Stale, write


def roster_import(
    *,
    commune: Commune,
    source,
    dry_run: bool = False,
    progress: Progress | None = None,
    user=None,
) -> RosterResult:
    """Check a roster file and, unless it has errors or this is a dry run, write it.

    All or nothing: with any error, `result.errors` lists every one (sorted by row) and
    nothing is saved. The counts say what was (or, in a dry run or a refusal, would be)
    created, updated and left unchanged. `progress(phase, done, total)` is called as
    rows are checked ("check"), compared with the register ("match") and written ("write").
    Every household and resident written gets its row in the audit trail, in `user`'s
    name (None: no one, as from the command line).
    """
    user_id = user.pk if user is not None and user.is_authenticated else None
    with _without_cycle_collection():
        return _roster_import(commune, source, dry_run, progress, user_id)


@contextmanager
def _without_cycle_collection():
    """Pause Python's cycle collector: an import allocates millions of small tuples and no
    reference cycles, and the collector would scan them again and again (a third of the time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _roster_import(commune, source, dry_run, progress, user_id) -> RosterResult:
    result = RosterResult()
    # Read and checked before the commune is locked below: the file alone decides this part.
    try:
        checker, rows = checked_rows(reading.roster_table(source), result, progress)
    except reading.RosterUnreadable as error:
        # The file was not read to its end: what was found before the cap is not the story.
        return RosterResult(errors=[RowError(error.row, error.column, str(error))])
    if dry_run:
        plan_import(commune, checker, rows, result, progress)
        return result
    try:
        with transaction.atomic():
            # One import per commune at a time: the second waits, then sees the first's rows.
            Commune.objects.select_for_update().filter(pk=commune.pk).first()
            plan = plan_import(commune, checker, rows, result, progress)
            if result.errors:
                return result
            write(plan, progress, user_id)
            arrivals_settle(
                commune=commune, national_ids=[values[AT["national_id"]] for _row, values in plan.arriving]
            )
    except Stale:
        result.errors.append(
            RowError(
                1,
                "-",
                _("The register changed while the file was being imported: nothing was saved. Try again."),
            )
        )
        return result
    except IntegrityError as error:
        # The database's constraints are the backstop of the checks above.
        result.errors.append(
            RowError(
                1, "-", _("The database refused the file, nothing was saved: %(error)s") % {"error": error}
            )
        )
        return result
    result.saved = True
    return result
