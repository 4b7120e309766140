"""Forms for area pages: import upload, move, merge."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.areas.levels import Level
from wushe.core.uploads import max_size


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        validators=[max_size("sheet")],
        help_text=_(
            "Columns: code, name, level, parent code, longitude, latitude "
            "(代码、名称、层级、上级代码、经度、纬度). Title rows above the header are fine."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Preview only: check every row, change nothing"), required=False, initial=True
    )


class AreaFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or code"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )


class MoveForm(forms.Form):
    new_parent = forms.ChoiceField(label=_("Move under"))
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args: Any, targets: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].choices = [(a.code, f"{a.name} ({a.code})") for a in targets]


class MergeForm(forms.Form):
    target = forms.ChoiceField(label=_("Merge into grid"))
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args: Any, targets: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(a.code, f"{a.name} ({a.code})") for a in targets]
