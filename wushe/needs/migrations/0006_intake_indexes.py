"""Indexes that fit the intake: the merge candidates every intake lists find the caller's (or
the resident's) requests of that category through one index on both columns, and the
indexes no query uses are dropped (each insert wrote them):

- needs_need: (caller_phone_index, category) and (resident_id, category) replace the indexes
  of caller_phone_index and resident_id alone (the second also serves the foreign key);
  status loses its own index and LIKE twin (needs_need_queue (status, priority DESC) serves
  every filter on it); tracking_code's unique constraint becomes a named UniqueConstraint
  without the LIKE twin (the code is only ever looked up whole).
- needs_idempotencykey: user_id loses its own index (needs_idempotency_key_once (user_id, key)
  leads with it).

Not atomic: on PostgreSQL the new indexes are built, and the old ones dropped, CONCURRENTLY
(writes go on; wushe.core.migration_ops), the unique constraint is renamed rather than built
again; the new indexes come first, so the queries always have one (docs/operations.md,
Upgrades).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import wushe.core.migration_ops
import wushe.core.privacy.fields


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('needs', '0005_encrypt_idempotency_answers'),
        ('residents', '0004_encrypt_tag_details'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        wushe.core.migration_ops.AddIndexOnline(
            model_name='need',
            index=models.Index(fields=['caller_phone_index', 'category', 'id'], name='needs_need_phone_category'),
        ),
        wushe.core.migration_ops.AddIndexOnline(
            model_name='need',
            index=models.Index(fields=['resident', 'category', 'id'], name='needs_need_resident_category'),
        ),
        wushe.core.migration_ops.DropFieldIndex(
            model_name='need',
            name='caller_phone_index',
            field=wushe.core.privacy.fields.BlindIndexField(db_index=False, source='caller_phone'),
        ),
        wushe.core.migration_ops.DropFieldIndex(
            model_name='need',
            name='resident',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='needs', to='residents.resident', verbose_name='resident'),
        ),
        wushe.core.migration_ops.DropFieldIndex(
            model_name='need',
            name='status',
            field=models.CharField(choices=[('new', 'new'), ('triaged', 'triaged'), ('assigned', 'assigned'), ('accepted', 'accepted'), ('in_progress', 'in progress'), ('done', 'done'), ('failed', 'failed'), ('cancelled', 'cancelled')], default='new', max_length=20, verbose_name='status'),
        ),
        wushe.core.migration_ops.UniqueFieldToConstraint(
            model_name='need',
            name='tracking_code',
            field=models.CharField(max_length=12, verbose_name='tracking code'),
            constraint=models.UniqueConstraint(fields=('tracking_code',), name='needs_need_tracking_code_once'),
        ),
        wushe.core.migration_ops.DropFieldIndex(
            model_name='idempotencykey',
            name='user',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
    ]
