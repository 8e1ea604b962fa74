"""Three indexes of the bookings table that every new booking wrote and no
query needs: the single-column indexes of ``citizen`` and ``slot`` (the
(citizen, status) and (slot, status) indexes lead with the same column and
serve every lookup by either) and, on PostgreSQL, the ``varchar_pattern_ops``
index Django adds beside a unique CharField's for ``LIKE 'x%'`` (booking codes
are looked up whole; the back office's search is ``icontains``, which no
B-tree serves). Dropped in place rather than by AlterField, which on SQLite
copies the whole table to drop an index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def drop_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('DROP INDEX IF EXISTS "booking_booking_code_4b3bbca3_like"')


def restore_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'CREATE INDEX IF NOT EXISTS "booking_booking_code_4b3bbca3_like" '
            'ON "booking_booking" ("code" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0004_booking_confirmed_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "booking_booking_citizen_id_533e0da2"',
                    'CREATE INDEX IF NOT EXISTS "booking_booking_citizen_id_533e0da2" '
                    'ON "booking_booking" ("citizen_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "booking_booking_slot_id_bb8af042"',
                    'CREATE INDEX IF NOT EXISTS "booking_booking_slot_id_bb8af042" '
                    'ON "booking_booking" ("slot_id")',
                ),
                migrations.RunPython(drop_like_index, restore_like_index),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="booking",
                    name="citizen",
                    field=models.ForeignKey(
                        db_index=False,
                        help_text=(
                            "Kosong bila akun warga telah dihapus (pemesanan disimpan anonim)."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="bookings",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="warga",
                    ),
                ),
                migrations.AlterField(
                    model_name="booking",
                    name="slot",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="bookings",
                        to="booking.slot",
                        verbose_name="slot",
                    ),
                ),
            ],
        ),
    ]
