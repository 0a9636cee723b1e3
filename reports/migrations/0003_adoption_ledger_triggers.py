"""The triggers that keep the adoption ledger in step with the register (reports.ledger).

A migration of its own: the ledger's unique index, which the rebuild's upsert needs, only
exists once the migration that creates the table has finished.
"""

from django.db import migrations

from reports import ledger


def install(apps, schema_editor):
    ledger.install(schema_editor)


def uninstall(apps, schema_editor):
    ledger.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_adoption_ledger"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
