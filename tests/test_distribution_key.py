"""Every query on a resident-level table names its commune: the data can be split by commune.

docs/scaling.md: a province runs on one PostgreSQL primary, the nation on
Citus with the commune as the distribution column. That holds only if no request of a
commune's people (an official, a leader, a village head, a worker) or of a province leader
scans a resident-level table across every commune: each statement that reads one of
them must say which commune (or which communes) it is about, so that it runs on the
shard(s) holding them.

The authorization matrix (tests/test_authorization_matrix.py) walks every page and API endpoint
of the site, reading village A's records with GET as each of those roles; while it does, this
module's `CommuneReads` watches every SQL statement, and the matrix's line fails on any that
reads a resident-level table with neither a condition on a commune column nor a lookup of
particular records by their key or their parent's ("id" = 5, "visit_id" IN (...)): a statement
that would read the people of every commune. (Its own walk here sent the same 2,000 GETs again,
a fifth of `make check`'s CPU.) Key lookups pass because in the distributed schema the keys
include the commune (docs/scaling.md: primary and foreign keys of (commune, id)), which turns
each of them into a lookup in one commune; until then they are single-row index reads.

Superusers are left out: theirs is the nation's view, which reads across communes on
purpose. The tables below are those that carry the commune today; the child tables that
do not yet (what a visit helped with, attendance) are reached through their visit or
session, and get the column in that schema change. Writes by primary key (UPDATE ...
WHERE id = ...) become writes in one commune by the same change.
"""

import re

import pytest
from django.db import connection

from mobilization.models import HomeVisit, VisitHelp
from tests import factories
from tests.matrix_data import PROVINCE_LEADER
from villages.models import Household, Resident

# The tables of people and of what was done with them that carry a commune column.
RESIDENT_LEVEL = (
    "villages_household",
    "villages_resident",
    "villages_historicalhousehold",
    "villages_historicalresident",
    "mobilization_homevisit",
    "mobilization_application",
    "training_trainingsession",
    "reports_adoptionchange",
    "reports_adoptionyearchange",
    "reports_sharednumber",
    "villages_residentmerge",
    "reports_officialfigures",
)
TOUCHES = re.compile(r'\b"?({})"?\b'.format("|".join(RESIDENT_LEVEL)))
# A condition on a commune column: = a commune, or IN a list or subquery of communes.
NAMES_A_COMMUNE = re.compile(r'commune_id"?\s*(=|IN\s*\()', re.IGNORECASE)
# A condition on the key of particular records, theirs or a parent's ("id" = 5, "visit_id" IN
# (...)): with keys that include the commune (docs/scaling.md), such a lookup
# names the commune of the record it starts from.
PICKS_RECORDS = re.compile(r'(?:"id"|_id")\s*(=\s*\d|IN\s*\()', re.IGNORECASE)

ROLES = ("official", "leader", "head_a", "worker_a", "outsider", PROVINCE_LEADER)


def unnamed_commune(sql: str) -> bool:
    """Whether the statement reads a resident-level table and neither names a commune nor picks
    particular records: it would read the people of every commune."""
    return bool(TOUCHES.search(sql)) and not (NAMES_A_COMMUNE.search(sql) or PICKS_RECORDS.search(sql))


@pytest.mark.parametrize(
    ("sql", "found"),
    [
        ('SELECT * FROM "villages_resident" WHERE "villages_resident"."commune_id" = 1', False),
        ('SELECT * FROM "villages_resident" WHERE "villages_resident"."commune_id" IN (1, 2)', False),
        ('SELECT * FROM "villages_resident" WHERE "villages_resident"."id" IN (3, 4)', False),
        ('SELECT * FROM "mobilization_visithelp" WHERE "mobilization_visithelp"."visit_id" = 7', False),
        ('SELECT COUNT(*) AS "__count" FROM "villages_resident"', True),
        (
            'SELECT * FROM "mobilization_homevisit" WHERE "mobilization_homevisit"."visited_on" > %s',
            True,
        ),
        ("SELECT SUM(eligible) FROM reports_adoptionchange WHERE compacted", True),
        ('SELECT COUNT(*) FROM "villages_village"', False),
    ],
)
def test_the_rule_tells_a_query_that_names_its_commune(sql, found):
    assert unnamed_commune(sql) is found


class CommuneReads:
    """An execute wrapper that keeps every statement, as sent with its values, that reads a
    resident-level table naming no commune (`unnamed_commune`). The values are written into
    the statement as the database's own query log would show them: the rule reads `"id" = 5`
    as a lookup by key, and a `%s` in its place says nothing."""

    def __init__(self):
        self.found: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not many and TOUCHES.search(sql):
            sent = context["connection"].ops.last_executed_query(context["cursor"].cursor, sql, params)
            if unnamed_commune(sent):
                self.found.append(sent)
        return result


@pytest.mark.parametrize(
    ("query", "found"),
    [
        (lambda world: Household.objects.count(), True),
        (lambda world: list(HomeVisit.objects.filter(visited_on__gte="2024-01-01")), True),
        (lambda world: Household.objects.filter(commune=world["commune"]).count(), False),
        (lambda world: Household.objects.filter(pk=world["household"].pk).first(), False),
        (lambda world: list(Resident.objects.filter(household__in=[world["household"]])), False),
        (lambda world: list(VisitHelp.objects.filter(visit__commune=world["commune"])), False),
    ],
    ids=["count", "by-date", "in-commune", "by-key", "by-parent-key", "through-parent"],
)
def test_the_watch_sees_a_statement_as_sent_with_its_values(db, query, found):
    commune = factories.commune("01558", "Xã Hạ Lang")
    household = factories.household(factories.village(commune, code="NK", name="Nà Khau"), code="NK-001")
    reads = CommuneReads()

    with connection.execute_wrapper(reads):
        query({"commune": commune, "household": household})

    assert bool(reads.found) is found, reads.found
