"""The ledger's triggers and compaction again, now that they keep the year rows too.

A migration of its own, as 0003: the year table's unique index, which compaction's
upsert needs, only exists once the migration that creates the table has finished.
Installing rebuilds the ledger, which fills the year rows of every commune.
"""

from django.db import migrations

from reports import ledger


def install(apps, schema_editor):
    ledger.install(schema_editor, years=True)


def uninstall(apps, schema_editor):
    """Back to 0004: triggers that leave the year rows alone, so that its table can go."""
    ledger.install(schema_editor, years=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_adoption_years"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
