"""Mark the standing offers that approved rounds made (TaskAssignment.from_round), so that
offers made before the mark existed still lapse and are re-dispatched."""

from django.db import migrations


def mark(apps, schema_editor):
    DispatchRound = apps.get_model("dispatch", "DispatchRound")
    TaskAssignment = apps.get_model("needs", "TaskAssignment")
    rounds = DispatchRound.objects.filter(status="approved").order_by("approved_at", "id")
    for pk, approval in rounds.values_list("pk", "approval").iterator():
        for row in (approval or {}).get("offered", []):
            TaskAssignment.objects.filter(
                task_id=row.get("task"), volunteer_id=row.get("volunteer"), state="offered"
            ).update(from_round=pk)  # later rounds win


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0004_street_travel"),
        ("needs", "0004_offer_from_round"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
