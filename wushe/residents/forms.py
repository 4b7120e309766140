"""Forms for resident pages: search, import upload, edit, key-population tags, reveal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wushe.core.uploads import max_size
from wushe.residents.models import LegalBasis, ResidentTag


class ResidentFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Name, pinyin or initials (zs), last 4 digits of a phone or ID number"),
    )
    tag = forms.ChoiceField(label=_("Key population"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False)

    def __init__(self, *args: Any, tags: Any = (), areas: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["tag"].choices = [("", _("All")), *[(t.code, t.name) for t in tags]]
        self.fields["area"].choices = [("", _("All")), *[(a.code, a.name) for a in areas]]


class ResidentImportForm(forms.Form):
    file = forms.FileField(
        label=_("Canvass sheet (.xlsx or .csv)"),
        validators=[max_size("sheet")],
        help_text=_(
            "Columns such as 姓名、身份证号、联系电话、楼号、单元、门牌号、人员类别、紧急联系人、"
            "监护人、备注. Title rows above the header are fine. Format the ID number column as Text."
        ),
    )
    area = forms.ChoiceField(label=_("Import into"))
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"),
        choices=LegalBasis.choices,
        initial=LegalBasis.PUBLIC_HEALTH_EMERGENCY,
        help_text=_(
            "The public-health emergency basis (PIPL Art. 13) needs no consent but is flagged "
            "and audited; consent needs its purpose and version."
        ),
    )
    consent_purpose = forms.CharField(label=_("Consent purpose"), required=False, max_length=200)
    consent_version = forms.CharField(label=_("Consent version"), required=False, max_length=20)

    def __init__(self, *args: Any, areas: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [(a.code, f"{a.name} ({a.code})") for a in areas]


class ResidentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    emergency_contact = forms.CharField(label=_("Emergency contact"), required=False, max_length=50)
    emergency_phone = forms.CharField(
        label=_("Emergency contact's phone"), required=False, max_length=40
    )
    guardian = forms.CharField(label=_("Guardian"), required=False, max_length=50)
    guardian_phone = forms.CharField(label=_("Guardian's phone"), required=False, max_length=40)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    consent_purpose = forms.CharField(label=_("Consent purpose"), required=False, max_length=200)
    consent_version = forms.CharField(label=_("Consent version"), required=False, max_length=20)
    consent_guardian = forms.CharField(
        label=_("Guardian who consented (for a child)"), required=False, max_length=50
    )


class ResidentTagsForm(forms.Form):
    """One checkbox per key-population tag that is not derived from the birth date, and the
    details that apply to the disability and time-critical treatment tags."""

    disability_category = forms.ChoiceField(
        label=_("Disability category"),
        required=False,
        choices=[("", "—"), *ResidentTag.DisabilityCategory.choices],
    )
    disability_grade = forms.TypedChoiceField(
        label=_("Disability grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(g, str(g)) for g in range(1, 5)]],
    )
    treatment = forms.ChoiceField(
        label=_("Treatment"), required=False, choices=[("", "—"), *ResidentTag.Treatment.choices]
    )
    schedule = forms.CharField(
        label=_("Treatment schedule"),
        required=False,
        max_length=200,
        help_text=_("For example: dialysis Tue, Thu, Sat 14:00 at the district hospital"),
    )

    def __init__(self, *args: Any, tags: Any = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.tag_codes = [t.code for t in tags if not t.derived]
        for tag in tags:
            if not tag.derived:
                self.fields[f"tag_{tag.code}"] = forms.BooleanField(label=tag.name, required=False)

    def tag_fields(self) -> list[Any]:
        return [self[f"tag_{code}"] for code in self.tag_codes]

    def detail_fields(self) -> list[Any]:
        return [
            self[n] for n in ("disability_category", "disability_grade", "treatment", "schedule")
        ]

    def chosen(self) -> dict[str, dict[str, Any]]:
        details = {k: self.cleaned_data[k] for k in ("disability_category", "disability_grade")}
        details |= {k: self.cleaned_data[k] for k in ("treatment", "schedule")}
        return {
            code: dict(details) for code in self.tag_codes if self.cleaned_data.get(f"tag_{code}")
        }


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[
            ("id_number", _("ID number")),
            ("phone", _("Phone")),
            ("health_notes", _("Health notes")),
            ("notes", _("Notes")),
        ]
    )
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=200)
