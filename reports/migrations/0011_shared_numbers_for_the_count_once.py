"""The ID numbers living in two communes on some of the same days (reports.shared_numbers), kept
by triggers so that the province's count-once reads a few rows rather than every numbered
resident of the province. Installing writes the table from the register.
"""

import django.db.models.deletion
from django.db import migrations, models

from reports import shared_numbers


def install(apps, schema_editor):
    shared_numbers.install(schema_editor)


def uninstall(apps, schema_editor):
    shared_numbers.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0010_target_per_organisation"),
        ("villages", "0011_moves_between_communes_and_id_lookup"),
    ]

    operations = [
        migrations.CreateModel(
            name="SharedNumber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("national_id", models.CharField(max_length=12)),
                (
                    "commune",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="villages.commune",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["national_id"], name="shared_number_by_number")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("commune", "national_id"), name="shared_number_once_a_commune"
                    )
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
