"""Registries that let each app add to the shared page shell without core knowing the app:
navigation items and home-page panels. Apps register in their ``AppConfig.ready``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from wushe.core.permissions import user_may


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any  # a lazy translation
    permission: str | None
    order: int = 100


@dataclass(frozen=True)
class HomePanel:
    """A section of the home page: a template and the function that fills it for a user.

    The template sees what the function returns as ``panel`` (``panel.counts`` …)."""

    template: str
    context: Callable[[Any], dict[str, Any]]
    roles: frozenset[str]
    order: int = 100


_nav: list[NavItem] = []
_panels: list[HomePanel] = []


def register_nav(item: NavItem) -> None:
    if item not in _nav:
        _nav.append(item)


def register_home_panel(panel: HomePanel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def nav_for(request: HttpRequest) -> list[dict[str, Any]]:
    user = request.user
    items = []
    for item in sorted(_nav, key=lambda i: i.order):
        if not user_may(user, item.permission):
            continue
        url = reverse(item.url_name)
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"url": url, "label": item.label, "current": current})
    return items


def panels_for(user: Any) -> list[dict[str, Any]]:
    return [
        {"template": p.template, **p.context(user)}
        for p in sorted(_panels, key=lambda p: p.order)
        if getattr(user, "role", None) in p.roles
    ]
