"""The ledger's triggers again, now that they count residents' earlier stays (villages.PastStay).

A resident who moved within the commune counts in each village for the months they lived
there (docs/domain.md, Indicators). Installing rebuilds the ledger.
"""

from django.db import migrations

from reports import ledger


def install(apps, schema_editor):
    ledger.install(schema_editor, stays=True)


def uninstall(apps, schema_editor):
    """Back to 0005: triggers that leave the stays alone, so that their table can go."""
    ledger.install(schema_editor, stays=False)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0007_official_figures"),
        ("villages", "0007_residence_history"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
