"""A person with protected fields, declared as the residents app will declare them."""

from django.db import models

from wushe.core.privacy import BlindIndexField, EncryptedTextField, ProtectedFieldsMixin


class Person(ProtectedFieldsMixin, models.Model):
    area = models.ForeignKey("areas.Area", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=50, blank=True)
    id_number = EncryptedTextField(kind="id_number", null=True, blank=True)
    id_number_index = BlindIndexField(source="id_number", unique=True)
    id_number_tail = BlindIndexField(source="id_number", tail=True)
    phone = EncryptedTextField(kind="phone", null=True, blank=True)
    phone_index = BlindIndexField(source="phone")
    phone_tail = BlindIndexField(source="phone", tail=True)
    health_note = EncryptedTextField(kind="health_note", blank=True, default="")

    scope_path_field = "area__path"
    privacy_kinds = {"name": "name"}

    def __str__(self) -> str:
        return self.name


class Note(ProtectedFieldsMixin, models.Model):
    """A second model, so that rotation and rebuild are seen to walk every model."""

    text = EncryptedTextField()

    def __str__(self) -> str:
        return f"note {self.pk}"
