"""Area pages: list, detail with history, import, move, merge and outline. Thin: selectors
and services."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from wushe.areas import errors, selectors, services
from wushe.areas.forms import AreaFilterForm, ImportForm, MergeForm, MoveForm
from wushe.areas.levels import OUTLINED, Level
from wushe.core.errors import ApplicationError
from wushe.core.models import Job
from wushe.core.permissions import RolePermissionRequiredMixin, user_may


class AreaListView(RolePermissionRequiredMixin, View):
    permission = "areas.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AreaFilterForm(request.GET or None)
        filters: dict[str, Any] = {}
        if form.is_valid():
            filters = {"level": form.cleaned_data["level"], "search": form.cleaned_data["q"]}
        areas = selectors.area_list(actor=request.user, **filters)
        page = Paginator(areas, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "areas/area_list.html",
            {"form": form, "page": page, "query": query.urlencode()},
        )


class AreaDetailView(RolePermissionRequiredMixin, View):
    permission = "areas.view"

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        area = _get(request, code)
        return render(request, "areas/area_detail.html", _detail_context(request, area))


def _get(request: HttpRequest, code: str) -> Any:
    try:
        return selectors.area_get_for(request.user, code)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc


def _detail_context(
    request: HttpRequest,
    area: Any,
    move_form: Any = None,
    merge_form: Any = None,
    outline_text: str | None = None,
    outline_error: str = "",
) -> dict[str, Any]:
    user = request.user
    manage = user_may(user, "areas.manage") and area.is_active and area.parent_id is not None
    context: dict[str, Any] = {
        "area": area,
        "ancestors": selectors.area_breadcrumbs(actor=user, area=area),
        "children": selectors.area_children(actor=user, area=area),
        "history": selectors.area_history(actor=user, area=area)[:20],
        "can_manage": manage,
    }
    if user_may(user, "areas.manage") and area.level in OUTLINED and area.is_active:
        context["can_outline"] = True
        context["outline_error"] = outline_error
        if outline_text is None:
            outline_text = json.dumps(area.geometry) if area.geometry else ""
        context["outline_text"] = outline_text
    if manage and area.level in (Level.GRID, Level.BUILDING):
        context["move_form"] = move_form or MoveForm(
            targets=selectors.area_move_targets(actor=user, area=area)
        )
    if manage and area.level == Level.GRID:
        context["merge_form"] = merge_form or MergeForm(
            targets=selectors.area_merge_targets(actor=user, area=area)
        )
    return context


class AreaMoveView(RolePermissionRequiredMixin, View):
    permission = "areas.manage"

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        area = _get(request, code)
        form = MoveForm(
            request.POST, targets=selectors.area_move_targets(actor=request.user, area=area)
        )
        if form.is_valid():
            try:
                services.area_move(
                    actor=request.user,
                    area=area,
                    new_parent=selectors.area_get_for(
                        request.user, form.cleaned_data["new_parent"]
                    ),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                form.add_error(_field(form, exc), str(exc.message))
            else:
                messages.success(request, _("Moved. Everything under it moved too."))
                return redirect("areas:detail", code=area.code)
        context = _detail_context(request, area, move_form=form)
        return render(request, "areas/area_detail.html", context, status=400)


class AreaMergeView(RolePermissionRequiredMixin, View):
    permission = "areas.manage"

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        area = _get(request, code)
        form = MergeForm(
            request.POST, targets=selectors.area_merge_targets(actor=request.user, area=area)
        )
        if form.is_valid():
            try:
                target = services.area_merge(
                    actor=request.user,
                    source=area,
                    target=selectors.area_get_for(request.user, form.cleaned_data["target"]),
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as exc:
                form.add_error(_field(form, exc), str(exc.message))
            else:
                messages.success(request, _("Merged. The buildings and records now belong here."))
                return redirect("areas:detail", code=target.code)
        context = _detail_context(request, area, merge_form=form)
        return render(request, "areas/area_detail.html", context, status=400)


class AreaOutlineView(RolePermissionRequiredMixin, View):
    """Paste an area's outline (GeoJSON from a map tool), or clear it; route maps draw it."""

    permission = "areas.manage"

    def post(self, request: HttpRequest, code: str) -> HttpResponse:
        area = _get(request, code)
        text = request.POST.get("geometry", "").strip()
        try:
            try:
                value = json.loads(text) if text else None
            except ValueError as exc:
                raise ApplicationError(errors.GEOMETRY_NOT_JSON, field="geometry") from exc
            except RecursionError as exc:  # "[[[[…" thousands deep: the parser gives up
                raise ApplicationError(errors.GEOMETRY_TOO_DEEP, field="geometry") from exc
            services.area_set_geometry(actor=request.user, area=area, geometry=value)
        except ApplicationError as exc:
            context = _detail_context(
                request, area, outline_text=text, outline_error=str(exc.message)
            )
            return render(request, "areas/area_detail.html", context, status=400)
        messages.success(request, _("Outline saved.") if text else _("Outline cleared."))
        return redirect("areas:detail", code=area.code)


def _field(form: Any, exc: ApplicationError) -> str | None:
    return exc.field if exc.field in form.fields else None


class AreaImportView(RolePermissionRequiredMixin, View):
    permission = "areas.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "areas/area_import.html", {"form": ImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "areas/area_import.html", {"form": form}, status=400)
        dry_run = form.cleaned_data["dry_run"]
        try:
            result = services.area_import_upload(
                actor=request.user, upload=form.cleaned_data["file"], dry_run=dry_run
            )
            if isinstance(result, Job):
                return redirect("jobs:detail", pk=result.pk)
        except ApplicationError as exc:
            form.add_error("file", str(exc.message))
            return render(request, "areas/area_import.html", {"form": form}, status=400)
        return render(
            request,
            "areas/area_import.html",
            {"form": ImportForm(initial={"dry_run": False}), "report": result.as_dict()},
        )
