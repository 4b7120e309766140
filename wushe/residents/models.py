"""Residents, households and key-population tags (重点人群).

ID numbers, phones, health notes, free-text notes and a tag's treatment schedule and remark are
protected fields (encrypted at rest, looked up through blind indexes, masked on output): see
docs/privacy.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wushe.areas.models import Area
from wushe.core.models import TimeStampedModel
from wushe.core.privacy import BlindIndexField, EncryptedTextField, ProtectedFieldsMixin


class Tag(models.Model):
    """A key-population tag. Data, not code: a street can add synonyms or its own tags.

    ``derived`` tags (60+, 80+, under 14) follow from the birth date and are computed when
    read; the others are stored per resident (``ResidentTag``)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    synonyms = models.JSONField(_("synonyms"), default=list, blank=True)
    derived = models.BooleanField(_("derived from the birth date"), default=False)
    sensitive = models.BooleanField(_("sensitive (health, disability, minors)"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("key-population tag")
        verbose_name_plural = _("key-population tags")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Household(TimeStampedModel):
    """One dwelling: a building (an ``areas.Area`` of level building), unit and room."""

    building = models.ForeignKey(
        Area,
        verbose_name=_("building"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"level": "building"},
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)

    scope_path_field = "building__path"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building__path", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"], name="residents_household_unique_address"
            )
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        parts = [self.building.name]
        if self.unit:
            parts.append(f"{self.unit}单元")
        if self.room:
            parts.append(f"{self.room}室")
        return "".join(parts)


class LegalBasis(models.TextChoices):
    CONSENT = "consent", _("consent")
    PUBLIC_HEALTH_EMERGENCY = (
        "public_health_emergency",
        _("public-health emergency (PIPL Art. 13)"),
    )


class Gender(models.TextChoices):
    MALE = "male", _("male")
    FEMALE = "female", _("female")


class Resident(ProtectedFieldsMixin, TimeStampedModel):
    """A person in the registry. ``area`` is the building when known (through the household),
    else the community or grid the canvass sheet belonged to; scoping follows it."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="residents"
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, blank=True, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=50, blank=True, db_index=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)

    id_number = EncryptedTextField(_("ID number"), kind="id_number", null=True, blank=True)
    id_number_index = BlindIndexField(source="id_number", unique=True)
    id_number_tail = BlindIndexField(source="id_number", tail=True)
    phone = EncryptedTextField(_("phone"), kind="phone", null=True, blank=True)
    phone_index = BlindIndexField(source="phone")
    phone_tail = BlindIndexField(source="phone", tail=True)
    health_notes = EncryptedTextField(_("health notes"), kind="health_note", null=True, blank=True)
    notes = EncryptedTextField(_("notes"), kind="text", null=True, blank=True)

    emergency_contact = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_phone = EncryptedTextField(
        _("emergency contact's phone"), kind="phone", null=True, blank=True
    )
    guardian = models.CharField(_("guardian"), max_length=50, blank=True)
    guardian_phone = EncryptedTextField(_("guardian's phone"), kind="phone", null=True, blank=True)

    legal_basis = models.CharField(
        _("legal basis"),
        max_length=30,
        choices=LegalBasis.choices,
        default=LegalBasis.PUBLIC_HEALTH_EMERGENCY,
    )
    consent_purpose = models.CharField(_("consent purpose"), max_length=200, blank=True)
    consent_version = models.CharField(_("consent version"), max_length=20, blank=True)
    consent_guardian = models.CharField(
        _("guardian who consented (for a child)"), max_length=50, blank=True
    )

    # Keyed hash of the imported content: a re-import tells "unchanged" without decrypting.
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    tags: models.ManyToManyField[Tag, ResidentTag] = models.ManyToManyField(
        Tag, through="ResidentTag", related_name="residents"
    )

    scope_path_field = "area__path"
    privacy_kinds = {
        "name": "name",
        "emergency_contact": "name",
        "guardian": "name",
        "consent_guardian": "name",
    }

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["area__path", "name", "id"]
        indexes = [models.Index(fields=["area", "name"], name="residents_area_name")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(legal_basis="consent") | ~models.Q(consent_purpose=""),
                name="residents_consent_has_purpose",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    """A stored tag of a resident, with its details."""

    class Source(models.TextChoices):
        IMPORT = "import", _("canvass import")
        MANUAL = "manual", _("entered by hand")

    class DisabilityCategory(models.TextChoices):
        VISUAL = "visual", _("visual")
        HEARING = "hearing", _("hearing")
        SPEECH = "speech", _("speech")
        PHYSICAL = "physical", _("physical")
        INTELLECTUAL = "intellectual", _("intellectual")
        PSYCHIATRIC = "psychiatric", _("psychiatric")
        MULTIPLE = "multiple", _("multiple")

    class Treatment(models.TextChoices):
        DIALYSIS = "dialysis", _("dialysis")
        CHEMOTHERAPY = "chemotherapy", _("chemotherapy")
        RADIOTHERAPY = "radiotherapy", _("radiotherapy")

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="tag_links"
    )
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.PROTECT, related_name="links"
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.IMPORT
    )
    disability_category = models.CharField(
        _("disability category"), max_length=20, choices=DisabilityCategory.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True
    )
    treatment = models.CharField(
        _("treatment"), max_length=20, choices=Treatment.choices, blank=True
    )
    # Health notes, encrypted like Resident.health_notes; the forms, the API and the import
    # keep them to 200 characters. None when empty: most tags have no details, and an empty
    # string would still cost an encryption per tag on every import.
    schedule = EncryptedTextField(
        _("treatment schedule"), kind="health_note", blank=True, null=True
    )
    note = EncryptedTextField(_("note"), kind="health_note", blank=True, null=True)

    scope_path_field = "resident__area__path"

    class Meta:
        verbose_name = _("resident tag")
        verbose_name_plural = _("resident tags")
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="residents_tag_once"),
            models.CheckConstraint(
                condition=models.Q(disability_grade__isnull=True)
                | models.Q(disability_grade__gte=1, disability_grade__lte=4),
                name="residents_disability_grade_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.tag_id}"
