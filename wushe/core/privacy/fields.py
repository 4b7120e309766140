"""Model fields for protected personal data: an encrypted text field and its blind index.

Declare them side by side on a model that inherits ``ProtectedFieldsMixin``::

    class Resident(ProtectedFieldsMixin, models.Model):
        id_number = EncryptedTextField(_("ID number"), kind="id_number", blank=True, null=True)
        id_number_index = BlindIndexField(source="id_number", unique=True)
        id_number_tail = BlindIndexField(source="id_number", tail=True)

The encrypted column holds a token (``keys.encrypt``: AES-256-GCM in a ``v2:`` envelope; Fernet
tokens written before it still read); the index column holds an HMAC of the normalised value
and is filled from the source on every save (the mixin adds it to ``update_fields``).
Only ``isnull`` can be looked up on an encrypted field: search through the index column.
"""

from __future__ import annotations

import json
from typing import Any

from django.core import checks
from django.core.exceptions import FieldError
from django.db import models

from wushe.core.privacy.blind_index import blind_index, blind_tail
from wushe.core.privacy.keys import decrypt, encrypt


class EncryptedTextField(models.TextField):
    """Text encrypted at rest; reads decrypt (or raise DecryptionError), writes encrypt.

    ``kind`` names the masking rule (``id_number``, ``phone``, ``health_note`` …) that
    ``wushe.core.privacy.present`` applies. ``None`` is stored as NULL; every string, the
    empty one included, is stored encrypted.
    """

    def __init__(self, *args: Any, kind: str = "text", **kwargs: Any) -> None:
        self.privacy_kind = kind
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.privacy_kind != "text":
            kwargs["kind"] = self.privacy_kind
        return name, path, args, kwargs

    def _where(self) -> str:
        model = getattr(self, "model", None)
        return f"{model._meta.label}.{self.name}" if model else str(self.name)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None:
            return None
        return decrypt(value, where=self._where())

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(
                f"{self._where()} is encrypted: look it up through its BlindIndexField "
                f"(blind_index(kind, value)), not with '{lookup_name}'."
            )
        return super().get_lookup(lookup_name)


class JSONText:
    """A JSON document already serialized: an ``EncryptedJSONField`` given one stores its
    text as it is (an API answer as it was rendered, serialized once)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class EncryptedJSONField(EncryptedTextField):
    """A JSON value encrypted at rest as one token, for stored documents that may hold
    personal data (an API answer kept to replay it). Reads give back the parsed value;
    writes take a value to serialize or a ``JSONText``."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        text = super().from_db_value(value, expression, connection)
        return None if text is None else json.loads(text)

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, JSONText):
            return encrypt(value.text)
        return encrypt(json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str))


class BlindIndexField(models.CharField):
    """The keyed hash of another field's value (``tail=True``: of its last four characters).

    Computed in ``pre_save``; not editable. Put ``unique=True`` (or a UniqueConstraint) here,
    never on the encrypted field.
    """

    def __init__(
        self, *args: Any, source: str, kind: str | None = None, tail: bool = False, **kwargs: Any
    ) -> None:
        self.source = source
        self.kind = kind
        self.tail = tail
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        if not kwargs.get("unique"):
            kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection: Any) -> str:
        # A hex digest of fixed length. char(n), not varchar(n): on PostgreSQL Django adds a
        # varchar_pattern_ops twin to every indexed varchar column, for LIKE searches that a
        # keyed hash never gets; the twin only slows every insert (an import's COPY by ~20 %).
        return f"char({self.max_length})"

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.kind is not None:
            kwargs["kind"] = self.kind
        if self.tail:
            kwargs["tail"] = True
        for key, default in (("max_length", 64), ("null", True), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        kwargs.pop("editable", None)
        if "db_index" not in kwargs and not kwargs.get("unique"):
            # Indexed by default here (unlike Field): a field declared without its own index
            # (a composite index leads with it) must say so in its migrations.
            kwargs["db_index"] = False
        return name, path, args, kwargs

    @property
    def index_kind(self) -> str:
        if self.kind is not None:
            return self.kind
        source = self.model._meta.get_field(self.source)
        return getattr(source, "privacy_kind", "text")

    def compute(self, instance: models.Model) -> str | None:
        value = getattr(instance, self.source)
        hasher = blind_tail if self.tail else blind_index
        return hasher(self.index_kind, value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if not issubclass(self.model, ProtectedFieldsMixin):
            errors.append(
                checks.Error(
                    f"{self.model._meta.label} has a BlindIndexField but does not inherit "
                    "ProtectedFieldsMixin, so save(update_fields=...) could leave it stale.",
                    obj=self,
                    id="wushe_privacy.E001",
                )
            )
        try:
            self.model._meta.get_field(self.source)
        except Exception:  # noqa: BLE001 - any failure means a bad source name
            errors.append(
                checks.Error(
                    f"BlindIndexField source {self.source!r} is not a field of "
                    f"{self.model._meta.label}.",
                    obj=self,
                    id="wushe_privacy.E002",
                )
            )
        return errors


def blind_index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def encrypted_fields(model: type[models.Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


def protected_field_names(model: type[models.Model]) -> list[str]:
    """Encrypted and blind-index fields of ``model``: put them in a ModelAdmin's ``exclude``
    (the admin would otherwise show plaintext) and show masked values through ``present``."""
    return [f.name for f in (*encrypted_fields(model), *blind_index_fields(model))]


class ProtectedFieldsMixin(models.Model):
    """Keeps blind indexes in step with their sources, also under ``save(update_fields=...)``.

    ``QuerySet.update()`` and ``bulk_update()`` bypass it: after changing a source that way,
    call ``fill_blind_indexes(obj)`` and include the index fields.
    """

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            names = set(update_fields)
            extra = {f.name for f in blind_index_fields(type(self)) if f.source in names}
            kwargs["update_fields"] = sorted(names | extra)
        super().save(*args, **kwargs)


def fill_blind_indexes(instance: models.Model) -> list[str]:
    """Recompute every blind index of ``instance`` in memory; the names of the index fields."""
    fields = blind_index_fields(type(instance))
    for field in fields:
        setattr(instance, field.attname, field.compute(instance))
    return [f.name for f in fields]
