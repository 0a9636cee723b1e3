"""Provinces: a commune's province becomes a row of the official list (villages.official_list)
instead of free text, and a province role lets a province leader read its communes' figures.

A commune's province is found by its code in the official list, else by the name it had;
a name found nowhere leaves the commune without a province (set it again with add_commune).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from reports import ledger
from villages.official_list import official_commune, official_province


def suspend_ledger(apps, schema_editor):
    ledger.suspend(schema_editor)


def resume_ledger(apps, schema_editor):
    ledger.resume(schema_editor)


def provinces_from_names(apps, schema_editor):
    Commune = apps.get_model("villages", "Commune")
    Province = apps.get_model("villages", "Province")
    for commune in Commune.objects.all():
        listed = official_commune(commune.code)
        found = listed.province if listed else official_province(commune.province_name or "")
        if found is None:
            continue
        commune.province, _created = Province.objects.get_or_create(code=found.code, defaults={"name": found.name})
        commune.save(update_fields=["province"])


def names_from_provinces(apps, schema_editor):
    Commune = apps.get_model("villages", "Commune")
    for commune in Commune.objects.select_related("province"):
        commune.province_name = commune.province.name if commune.province else ""
        commune.save(update_fields=["province_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("villages", "0005_birth_year_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # SQLite rebuilds the commune table below, which drops the ledger's triggers.
        migrations.RunPython(suspend_ledger, resume_ledger),
        migrations.CreateModel(
            name="Province",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        max_length=2,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[0-9]{2}$", "A province code is two digits, for example 04."
                            )
                        ],
                        verbose_name="province code",
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
            ],
            options={
                "verbose_name": "province",
                "verbose_name_plural": "provinces",
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("code__regex", "^[0-9]{2}$")), name="province_code_two_digits"
                    )
                ],
            },
        ),
        migrations.RenameField(model_name="commune", old_name="province", new_name="province_name"),
        migrations.AddField(
            model_name="commune",
            name="province",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="communes",
                to="villages.province",
                verbose_name="province",
            ),
        ),
        migrations.RunPython(provinces_from_names, names_from_provinces),
        migrations.RemoveField(model_name="commune", name="province_name"),
        migrations.CreateModel(
            name="ProvinceRole",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "kind",
                    models.CharField(
                        choices=[("province_leader", "province leader")],
                        default="province_leader",
                        max_length=16,
                        verbose_name="role",
                    ),
                ),
                (
                    "province",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roles",
                        to="villages.province",
                        verbose_name="province",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="province_roles",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "province role",
                "verbose_name_plural": "province roles",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("user", "province"), name="province_role_one_per_user_and_province"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("kind__in", ["province_leader"])), name="province_role_kind_valid"
                    ),
                ],
            },
        ),
        migrations.RunPython(resume_ledger, suspend_ledger),
    ]
