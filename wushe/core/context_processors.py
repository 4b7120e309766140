"""Template context for the page shell: the navigation of the signed-in user."""

from typing import Any

from django.http import HttpRequest

from wushe.core.navigation import nav_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {"nav_items": []}
    return {"nav_items": nav_for(request)}
