"""The speed-ups of the intake path lean on Django's and DRF's internals (query compiler,
related populators, insert compiler, serializer field binding, lazy messages). Their tests
compare each with the public behaviour, but an upgrade must be a decision: this fails first
and says what to re-read."""

import django
import rest_framework

CHECKED = {"django": (5, 2), "djangorestframework": (3, 16)}
RE_READ = "wushe.core.precompiled, wushe.core.serializers.FieldsOnce, wushe.needs.api.NeedOutput"


def test_the_versions_the_internals_were_read_against():
    found = {
        "django": django.VERSION[:2],
        "djangorestframework": tuple(int(p) for p in rest_framework.VERSION.split(".")[:2]),
    }
    assert found == CHECKED, f"framework upgraded: re-read {RE_READ} against it, then update"
