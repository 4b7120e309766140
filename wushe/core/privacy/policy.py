"""The masking policy: for each kind of personal data and each role, what outputs show and
whether a full value may be revealed (with an access-log entry). docs/privacy.md has the table.

``FULL`` values are shown as they are, ``MASKED`` ones through ``maskers``, ``HIDDEN`` ones not
at all. ``may_reveal`` allows ``reveal()``: the full value, once, written to the access log.
Role names are the strings of ``wushe.accounts.roles.Role`` (core imports no domain app); an
unknown role, or a kind without a row, gets the strictest rule.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

STREET_COMMAND = "street_command"
COMMUNITY_WORKER = "community_worker"
SOCIAL_WORKER = "social_worker"
VOLUNTEER = "volunteer"
ORG_ADMIN = "org_admin"
DISTRICT_CIVIL_AFFAIRS = "district_civil_affairs"
SYSTEM_ADMIN = "system_admin"


class Access(enum.Enum):
    FULL = "full"
    MASKED = "masked"
    HIDDEN = "hidden"


class Purpose(enum.StrEnum):
    """Why a value is output. An export leaves the system, so it never carries FULL values."""

    DISPLAY = "display"
    EXPORT = "export"


@dataclass(frozen=True)
class Rule:
    show: Access
    may_reveal: bool = False


@dataclass(frozen=True)
class PrivacyContext:
    """What the caller knows about the actor's relation to the record.

    ``assigned_active``: the record belongs to a task assigned to the actor and still open
    (the needs app decides and passes it); a volunteer then sees the name and phone in full.
    """

    assigned_active: bool = False

    @classmethod
    def of(cls, value: Any) -> PrivacyContext:
        if value is None:
            return cls()
        if isinstance(value, cls):
            return value
        return cls(**dict(value))


F, M, H = Access.FULL, Access.MASKED, Access.HIDDEN
STRICTEST = Rule(H)

# kind -> role -> rule
POLICY: dict[str, dict[str, Rule]] = {
    "id_number": {
        STREET_COMMAND: Rule(M, may_reveal=True),
        COMMUNITY_WORKER: Rule(M, may_reveal=True),
        SOCIAL_WORKER: Rule(M, may_reveal=True),
        VOLUNTEER: Rule(H),
        ORG_ADMIN: Rule(H),
        DISTRICT_CIVIL_AFFAIRS: Rule(M),
        SYSTEM_ADMIN: Rule(M, may_reveal=True),
    },
    "phone": {
        STREET_COMMAND: Rule(F, may_reveal=True),
        COMMUNITY_WORKER: Rule(F, may_reveal=True),
        SOCIAL_WORKER: Rule(F, may_reveal=True),
        VOLUNTEER: Rule(M),
        ORG_ADMIN: Rule(M),
        DISTRICT_CIVIL_AFFAIRS: Rule(M),
        SYSTEM_ADMIN: Rule(M, may_reveal=True),
    },
    "health_note": {
        STREET_COMMAND: Rule(H, may_reveal=True),
        COMMUNITY_WORKER: Rule(H, may_reveal=True),
        SOCIAL_WORKER: Rule(H, may_reveal=True),
        VOLUNTEER: Rule(H),
        ORG_ADMIN: Rule(H),
        DISTRICT_CIVIL_AFFAIRS: Rule(H),
        SYSTEM_ADMIN: Rule(H),
    },
    "name": {
        STREET_COMMAND: Rule(F, may_reveal=True),
        COMMUNITY_WORKER: Rule(F, may_reveal=True),
        SOCIAL_WORKER: Rule(F, may_reveal=True),
        VOLUNTEER: Rule(M),
        ORG_ADMIN: Rule(M),
        DISTRICT_CIVIL_AFFAIRS: Rule(M),
        SYSTEM_ADMIN: Rule(F, may_reveal=True),
    },
}
# A street address of a person who asked for help (needs): staff see it, a volunteer only
# while the task is theirs and open (below).
POLICY["address"] = {
    STREET_COMMAND: Rule(F, may_reveal=True),
    COMMUNITY_WORKER: Rule(F, may_reveal=True),
    SOCIAL_WORKER: Rule(F, may_reveal=True),
    VOLUNTEER: Rule(H),
    ORG_ADMIN: Rule(H),
    DISTRICT_CIVIL_AFFAIRS: Rule(H),
    SYSTEM_ADMIN: Rule(M, may_reveal=True),
}
# Any other protected text (addresses in notes, guardians' details …): like a health note.
POLICY["text"] = POLICY["health_note"]

# While a volunteer's task for this person is theirs and open, they see what they need to
# deliver it: name and phone in full (and may reveal them), never the ID number or health.
ASSIGNED_ACTIVE: dict[str, dict[str, Rule]] = {
    VOLUNTEER: {
        "name": Rule(F, may_reveal=True),
        "phone": Rule(F, may_reveal=True),
        "address": Rule(F),
    },
}

# Who may read the access log (within their scope) is a role permission, granted to the
# supervisors in accounts.roles.
ACCESS_LOG_PERMISSION = "privacy.access_log"


def rule_for(
    kind: str, role: str | None, *, context: Any = None, purpose: str | None = None
) -> Rule:
    """The rule for ``role`` on a value of ``kind`` in ``context`` for ``purpose``."""
    ctx = PrivacyContext.of(context)
    rule = POLICY.get(kind, {}).get(role or "", STRICTEST)
    if ctx.assigned_active:
        rule = ASSIGNED_ACTIVE.get(role or "", {}).get(kind, rule)
    if purpose == Purpose.EXPORT and rule.show is Access.FULL:
        rule = Rule(Access.MASKED, rule.may_reveal)
    return rule


def role_of(actor: Any) -> str | None:
    """The actor's role, or ``None`` for anonymous and inactive users (the strictest rule)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if not getattr(actor, "is_active", False):
        return None
    return getattr(actor, "role", None)


def may_read_access_log(actor: Any) -> bool:
    return role_of(actor) is not None and bool(actor.has_role_permission(ACCESS_LOG_PERMISSION))
