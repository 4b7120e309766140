"""Forms of the needs pages: the resident's public form, a worker's proxy intake, the queue's
filters and bulk assign, and the small action forms."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.core.errors import ApplicationError
from wushe.core.uploads import max_size
from wushe.needs.models import Category, Channel, Outcome, Status
from wushe.residents.phones import parse_phone


def _phone(value: str) -> str:
    """A number someone can be called back on (E.164), or the reason it is not one."""
    if not value.strip():
        return ""
    try:
        return parse_phone(value)
    except ApplicationError as exc:
        raise forms.ValidationError(str(exc.message)) from exc


class PublicNeedForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=50)
    phone = forms.CharField(label=_("Your phone number"), max_length=20)
    community = forms.ModelChoiceField(label=_("Your community"), queryset=None)
    address = forms.CharField(
        label=_("Your address"), max_length=200, help_text=_("Building, unit and room")
    )
    category = forms.ChoiceField(label=_("What do you need?"), choices=Category.choices)
    description = forms.CharField(
        label=_("Tell us more"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    medical_emergency = forms.BooleanField(
        label=_("Someone is seriously ill right now"), required=False
    )
    days_medicine_left = forms.IntegerField(
        label=_("Days of medicine left"), min_value=0, max_value=365, required=False
    )

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def __init__(self, *args: Any, communities: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda area: area.name
        self.fields["community"].empty_label = _("Choose your community")


class IntakeForm(forms.Form):
    area = forms.ModelChoiceField(label=_("Building or community"), queryset=None)
    resident = forms.IntegerField(
        label=_("Resident number (if registered)"), required=False, min_value=1
    )
    caller_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[c for c in Channel.choices if c[0] != Channel.WEB_FORM],
        initial=Channel.PHONE,
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    medical_emergency = forms.BooleanField(label=_("Medical emergency"), required=False)
    critical_condition = forms.BooleanField(
        label=_("Medicine for a critical condition"), required=False
    )
    days_medicine_left = forms.IntegerField(
        label=_("Days of medicine left"), min_value=0, required=False
    )
    days_food_left = forms.IntegerField(label=_("Days of food left"), min_value=0, required=False)
    treatment_at = forms.DateTimeField(
        label=_("Treatment appointment"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    attachment = forms.ImageField(
        label=_("Photo of a prescription"), required=False, validators=[max_size("photo")]
    )

    def __init__(self, *args: Any, areas: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas

    def clean_caller_phone(self) -> str:
        return _phone(self.cleaned_data["caller_phone"])


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Open"))] + list(Status.choices), required=False
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All"))] + list(Category.choices), required=False
    )
    only = forms.ChoiceField(
        label=_("Show"),
        choices=[("", _("All")), ("overdue", _("Overdue")), ("callback", _("To call back"))],
        required=False,
    )


class CloseForm(forms.Form):
    # No outcome chosen in advance: one stray tap on "Close" must not close a request as done.
    outcome = forms.ChoiceField(
        label=_("Why is it closed?"), choices=[("", _("Choose why"))] + list(Outcome.choices)
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class DoneForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    photo = forms.ImageField(label=_("Photo"), required=False, validators=[max_size("photo")])


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20)

    def clean_code(self) -> str:
        # A Chinese input method in full-width mode types "ＡＢ２３": the same code.
        return unicodedata.normalize("NFKC", self.cleaned_data["code"])
