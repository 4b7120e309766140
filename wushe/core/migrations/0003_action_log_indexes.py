"""The action log keeps one index per column as the queries use it, where it had two (each
change of every app writes a row, and each row wrote both): action a plain one (equality and
order: the admin's filter), area_path a varchar_pattern_ops one (scoping and the re-path of a
move or merge only search it by prefix).

Not atomic: on PostgreSQL the new indexes are built, and the old ones dropped, CONCURRENTLY
(writes go on; wushe.core.migration_ops), the new ones first (docs/operations.md, Upgrades).
"""

from django.db import migrations, models

import wushe.core.migration_ops


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('core', '0002_access_log'),
    ]

    operations = [
        wushe.core.migration_ops.AddIndexOnline(
            model_name='actionlog',
            index=models.Index(fields=['action'], name='core_actionlog_action'),
        ),
        wushe.core.migration_ops.AddIndexOnline(
            model_name='actionlog',
            index=models.Index(fields=['area_path'], name='core_actionlog_area_path_like', opclasses=['varchar_pattern_ops']),
        ),
        wushe.core.migration_ops.DropFieldIndex(
            model_name='actionlog',
            name='action',
            field=models.CharField(max_length=100, verbose_name='action'),
        ),
        wushe.core.migration_ops.DropFieldIndex(
            model_name='actionlog',
            name='area_path',
            field=models.CharField(blank=True, max_length=255, verbose_name='area path'),
        ),
    ]
