import django.db.models.deletion
from django.db import migrations, models

from kehu.sales import board_totals


def install(apps, schema_editor):
    board_totals.install(schema_editor.connection)
    board_totals.recount(schema_editor.connection)


def uninstall(apps, schema_editor):
    board_totals.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0004_lean_indexes'),
        ('tenancy', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='BoardTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('owner_id', models.BigIntegerField()),
                ('count', models.BigIntegerField(default=0)),
                ('amount_cents', models.BigIntegerField(default=0)),
                ('weighted_cents', models.BigIntegerField(default=0)),
                ('organization', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tenancy.organization', verbose_name='organization')),
                ('pipeline', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sales.pipeline')),
                ('stage', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sales.stage')),
            ],
            options={
                'indexes': [models.Index(fields=['organization', 'pipeline', 'stage'], name='boardtotal_board')],
                'constraints': [models.UniqueConstraint(fields=('stage', 'owner_id'), name='boardtotal_stage_owner')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
