"""Protected personal data (PIPL): encrypted fields, blind indexes, masking by role, reveal
with an access log, key rotation. docs/privacy.md explains the whole; the public API:

- fields: ``EncryptedTextField``, ``EncryptedJSONField``, ``BlindIndexField``,
  ``ProtectedFieldsMixin``, ``fill_blind_indexes``, ``protected_field_names`` (for an
  admin's ``exclude``)
- lookups: ``blind_index(kind, value)``, ``blind_tail(kind, value)``, ``register_kind``
- output: ``present(actor, obj, field, ...)``, ``reveal(actor, obj, field, reason=...)``,
  ``PrivacyContext``, ``Purpose``; the DRF field is ``wushe.core.privacy.serializers.MaskedField``
- errors: ``DecryptionError``, and PermissionDeniedError from ``wushe.core.errors``
"""

from wushe.core.privacy.blind_index import blind_index, blind_tail, normalise, register_kind
from wushe.core.privacy.fields import (
    BlindIndexField,
    EncryptedJSONField,
    EncryptedTextField,
    ProtectedFieldsMixin,
    fill_blind_indexes,
    protected_field_names,
)
from wushe.core.privacy.keys import DecryptionError
from wushe.core.privacy.policy import Access, PrivacyContext, Purpose
from wushe.core.privacy.presenting import present
from wushe.core.privacy.services import reveal

__all__ = [
    "Access",
    "BlindIndexField",
    "DecryptionError",
    "EncryptedJSONField",
    "EncryptedTextField",
    "PrivacyContext",
    "ProtectedFieldsMixin",
    "Purpose",
    "blind_index",
    "blind_tail",
    "fill_blind_indexes",
    "normalise",
    "present",
    "protected_field_names",
    "register_kind",
    "reveal",
]
