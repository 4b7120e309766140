"""Volunteers already on shift when shifts began to be recorded get an open shift from the
upgrade, so that ending it records hours (from the upgrade: their real start is unknown)."""

from django.db import migrations
from django.utils import timezone


def open_shifts(apps, schema_editor):
    Profile = apps.get_model("volunteers", "VolunteerProfile")
    Shift = apps.get_model("volunteers", "Shift")
    now = timezone.now()
    open_ones = Shift.objects.filter(ended_at__isnull=True).values("volunteer_id")
    missing = Profile.objects.filter(on_shift=True).exclude(pk__in=open_ones)
    Shift.objects.bulk_create(
        [Shift(volunteer_id=pk, started_at=now) for pk in missing.values_list("pk", flat=True)]
    )


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0003_shift")]

    operations = [migrations.RunPython(open_shifts, migrations.RunPython.noop)]
