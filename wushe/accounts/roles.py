"""The roles of DESIGN.md and what each may do.

Permissions are plain dotted names checked by ``core.permissions``; a view declares the one it
needs. What a role may *see* is decided separately, by scope (see ``core.scoping``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STREET_COMMAND = "street_command", _("street command")
    COMMUNITY_WORKER = "community_worker", _("community worker")
    SOCIAL_WORKER = "social_worker", _("social worker")
    VOLUNTEER = "volunteer", _("volunteer")
    ORG_ADMIN = "org_admin", _("organisation admin")
    DISTRICT_CIVIL_AFFAIRS = "district_civil_affairs", _("district civil affairs")
    SYSTEM_ADMIN = "system_admin", _("system administrator")


AREAS_VIEW = "areas.view"
AREAS_IMPORT = "areas.import"
AREAS_MANAGE = "areas.manage"  # move and merge: boundary changes
USERS_VIEW = "users.view"
ADMIN_ACCESS = "admin.access"
API_DOCS = "api.docs"
RESIDENTS_VIEW = "residents.view"
RESIDENTS_IMPORT = "residents.import"
RESIDENTS_EDIT = "residents.edit"
RESIDENTS_EXPORT = "residents.export"
PRIVACY_ACCESS_LOG = "privacy.access_log"  # read who revealed what (supervisors)
_RESIDENTS_ALL = {RESIDENTS_VIEW, RESIDENTS_IMPORT, RESIDENTS_EDIT, RESIDENTS_EXPORT}
NEEDS_VIEW = "needs.view"  # the queue and request details in scope
NEEDS_INTAKE = "needs.intake"  # take a request in (proxy intake), verify, update facts
NEEDS_DISPATCH = "needs.dispatch"  # tasks, assign, close, reopen, merge
NEEDS_IMPORT = "needs.import"  # hotline work-order import
NEEDS_TASK_WORK = "needs.task_work"  # a volunteer's own tasks: take, accept, decline, finish
VOLUNTEERS_VIEW = "volunteers.view"
DISPATCH_VIEW = "dispatch.view"  # dispatch rounds in scope, with their explanations
DISPATCH_RUN = "dispatch.run"  # start, approve and discard dispatch rounds
_DISPATCH_ALL = {DISPATCH_VIEW, DISPATCH_RUN}
_NEEDS_ALL = {NEEDS_VIEW, NEEDS_INTAKE, NEEDS_DISPATCH, NEEDS_IMPORT, VOLUNTEERS_VIEW}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.STREET_COMMAND: frozenset(
        {
            AREAS_VIEW,
            AREAS_IMPORT,
            AREAS_MANAGE,
            USERS_VIEW,
            API_DOCS,
            PRIVACY_ACCESS_LOG,
            *_RESIDENTS_ALL,
            *_NEEDS_ALL,
            *_DISPATCH_ALL,
        }
    ),
    Role.COMMUNITY_WORKER: frozenset(
        {AREAS_VIEW, AREAS_IMPORT, *_RESIDENTS_ALL, *_NEEDS_ALL, *_DISPATCH_ALL}
    ),
    Role.SOCIAL_WORKER: frozenset(
        {AREAS_VIEW, RESIDENTS_VIEW, PRIVACY_ACCESS_LOG, NEEDS_VIEW, NEEDS_INTAKE, NEEDS_DISPATCH}
    ),
    Role.VOLUNTEER: frozenset({NEEDS_TASK_WORK}),
    Role.ORG_ADMIN: frozenset({AREAS_VIEW}),
    Role.DISTRICT_CIVIL_AFFAIRS: frozenset(
        {AREAS_VIEW, USERS_VIEW, API_DOCS, RESIDENTS_VIEW, RESIDENTS_EXPORT, NEEDS_VIEW}
    ),
    Role.SYSTEM_ADMIN: frozenset(
        {
            AREAS_VIEW,
            AREAS_IMPORT,
            AREAS_MANAGE,
            USERS_VIEW,
            ADMIN_ACCESS,
            API_DOCS,
            PRIVACY_ACCESS_LOG,
            *_RESIDENTS_ALL,
            *_NEEDS_ALL,
            *_DISPATCH_ALL,
        }
    ),
}
