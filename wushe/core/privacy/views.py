"""The access-log page: supervisors read who revealed what in their area."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import View

from wushe.core.errors import PermissionDeniedError
from wushe.core.privacy.selectors import access_log_list


class AccessLogView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            entries = access_log_list(
                actor=request.user,
                object_type=request.GET.get("type", "").strip(),
                object_id=request.GET.get("id", "").strip(),
            )
        except PermissionDeniedError as exc:
            raise PermissionDenied(str(exc.message)) from exc
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(request, "core/access_log.html", {"page": page, "query": query.urlencode()})
