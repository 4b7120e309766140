"""Dispatch page forms: starting a round. Each error names its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wushe.dispatch import errors


class RoundStartForm(forms.Form):
    area = forms.CharField(
        label=_("Area"), max_length=64, error_messages={"required": _("Choose an area.")}
    )
    time_limit_s = forms.IntegerField(
        label=_("Time limit (seconds)"),
        required=False,
        min_value=1,
        max_value=300,
        error_messages={
            "invalid": errors.TIME_LIMIT,
            "min_value": errors.TIME_LIMIT,
            "max_value": errors.TIME_LIMIT,
        },
    )
    auto_approve = forms.BooleanField(required=False)

    def problems(self) -> str:
        """The errors as one message, each after its field's label."""
        return " ".join(
            gettext("%(field)s: %(problems)s")
            % {"field": self.fields[name].label, "problems": " ".join(found)}
            for name, found in self.errors.items()
        )
