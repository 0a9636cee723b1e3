"""Moves between the communes of a province (villages.between_communes): the record of each
move, and an index on the ID number alone, so that an arrival's number is found among a
province's residents (3 million) by one index probe rather than a scan of every commune's
rows (the unique constraint's index leads with the commune). Partial: most residents of a
register have no number yet. A new table and a CREATE INDEX: no table is rebuilt on SQLite,
so the ledger's triggers stay (reports.ledger). The commune is the index's second column, so
that the province's count finds the numbers held by two communes from the index alone
(reports.selectors.province.counted_twice).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0010_household_codes_unique_whatever_their_case"),
    ]

    operations = [
        migrations.CreateModel(
            name="CommuneMove",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("on", models.DateField(verbose_name="moved on")),
            ],
            options={
                "verbose_name": "move between communes",
                "verbose_name_plural": "moves between communes",
                "ordering": ["-on", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(
                condition=models.Q(("national_id", ""), _negated=True),
                fields=["national_id", "commune"],
                name="resident_national_id_lookup",
            ),
        ),
        migrations.AddField(
            model_name="communemove",
            name="arrival",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="moves_in",
                to="villages.resident",
                verbose_name="record in the destination",
            ),
        ),
        migrations.AddField(
            model_name="communemove",
            name="from_commune",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="moves_out",
                to="villages.commune",
                verbose_name="commune left",
            ),
        ),
        migrations.AddField(
            model_name="communemove",
            name="resident",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="moves_out",
                to="villages.resident",
                verbose_name="resident",
            ),
        ),
        migrations.AddField(
            model_name="communemove",
            name="to_commune",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="moves_in",
                to="villages.commune",
                verbose_name="destination commune",
            ),
        ),
        migrations.AddConstraint(
            model_name="communemove",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_commune", models.F("to_commune")), _negated=True),
                name="commune_move_to_another_commune",
            ),
        ),
    ]
