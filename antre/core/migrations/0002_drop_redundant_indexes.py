"""The single-column index of an answer record's ``user``, which every
request with an Idempotency-Key wrote and no query needs: the unique
(user, key) index leads with the same column. Dropped in place rather than by
AlterField, which on SQLite copies the whole table to drop an index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "core_idempotencyrecord_user_id_a82d8527"',
                    'CREATE INDEX IF NOT EXISTS "core_idempotencyrecord_user_id_a82d8527" '
                    'ON "core_idempotencyrecord" ("user_id")',
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="idempotencyrecord",
                    name="user",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
    ]
