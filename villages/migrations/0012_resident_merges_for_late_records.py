"""Where a merged-away record went (villages.merges.ResidentMerge), so that a visit or an
attendance kept on a phone and sent after a merge is applied to the record kept. A new table:
no register table is rebuilt on SQLite, so the ledger's triggers stay (reports.ledger).
"""
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('villages', '0011_moves_between_communes_and_id_lookup'),
    ]

    operations = [
        migrations.CreateModel(
            name='ResidentMerge',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('merged_id', models.BigIntegerField(unique=True, verbose_name='record merged away')),
                ('merged_at', models.DateTimeField(auto_now_add=True)),
                ('commune', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='villages.commune')),
                ('kept', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='merged_away', to='villages.resident', verbose_name='record kept')),
            ],
            options={
                'verbose_name': 'merged resident record',
                'verbose_name_plural': 'merged resident records',
            },
        ),
    ]
