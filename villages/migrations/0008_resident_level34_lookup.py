"""A covering index on residents for the reports' reach queries (reports.selectors.helped):
who a worker group or a mobilization model helped, and whether their first level 3/4 date
came within 30 days. Those queries look up tens of thousands of residents by id for their
level 3/4 date and commune; with the two in the index PostgreSQL answers from the index
alone (a province's models compared: 250 -> 190 ms at 3 million residents, bench/province.py).
A resident's level 3/4 date is set once in their life, so the index costs writes little (an
entry for each resident added; 116 MB at 3 million residents).

PostgreSQL only: SQLite has no covering indexes, and an index on the id alone would only
repeat the primary key.
"""

from django.db import migrations

INDEX = "resident_id_commune_level34"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON villages_resident (id) INCLUDE (commune_id, level34_on)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("villages", "0007_residence_history")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
