"""Dispatch pages: rounds in scope with a "new round" form, a round's proposal with its
explanations (approve / discard), and the volunteer's route in order. Thin."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views import View

from wushe.areas.levels import Level
from wushe.areas.selectors import area_get_for, area_list
from wushe.core.errors import ApplicationError, NotFoundError
from wushe.core.permissions import RolePermissionRequiredMixin, user_may
from wushe.core.privacy import PrivacyContext, present
from wushe.dispatch import errors, selectors, services
from wushe.dispatch.explain import explain_routes
from wushe.dispatch.forms import RoundStartForm
from wushe.dispatch.instance import task_pk, unproject, volunteer_pk
from wushe.dispatch.models import DispatchRound
from wushe.needs.models import Task
from wushe.volunteers.models import Skill, TravelMode, VolunteerProfile
from wushe.volunteers.services import volunteer_set_travel_mode


def _round_or_404(actor: Any, pk: Any) -> DispatchRound:
    try:
        return selectors.round_get_for(actor, pk)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc


def _whole(request: HttpRequest, name: str, *, required: bool = False) -> int | None:
    """A whole number from the round page's form (a task, volunteer or position), or an
    error that says which one was missing or wrong."""
    labels = {"task": _("request"), "volunteer": _("volunteer"), "position": _("position")}
    raw = request.POST.get(name, "").strip()
    if not raw:
        if required:
            raise ApplicationError(errors.FORM_MISSING % {"field": labels[name]}, field=name)
        return None
    try:
        return int(raw)
    except ValueError as exc:
        message = errors.FORM_NOT_WHOLE % {"field": labels[name], "value": raw[:20]}
        raise ApplicationError(message, field=name) from exc


def _skills(codes: list[str]) -> str:
    return "、".join(str(Skill(c).label) if c in Skill.values else c for c in codes)


class RoundListView(RolePermissionRequiredMixin, View):
    permission = "dispatch.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        can_run = user_may(request.user, "dispatch.run")
        areas = (
            list(area_list(actor=request.user, level=Level.STREET))
            + list(area_list(actor=request.user, level=Level.COMMUNITY))
            if can_run
            else []
        )
        if can_run and not areas and request.user.scope_area is not None:
            areas = [request.user.scope_area]
        return render(
            request,
            "dispatch/round_list.html",
            {
                "rounds": selectors.round_list(actor=request.user)[:50],
                "can_run": can_run,
                "areas": areas,
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not user_may(request.user, "dispatch.run"):
            return self.handle_no_permission()
        form = RoundStartForm(request.POST)
        if not form.is_valid():
            messages.error(request, form.problems())
            return redirect("dispatch:rounds")
        try:
            area = area_get_for(request.user, form.cleaned_data["area"])
        except NotFoundError:  # none, or not the user's to see
            messages.error(request, _("Choose an area."))
            return redirect("dispatch:rounds")
        try:
            rnd = services.dispatch_round_start(
                actor=request.user,
                area=area,
                time_limit_s=form.cleaned_data["time_limit_s"] or 5,
                auto_approve=form.cleaned_data["auto_approve"],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("dispatch:rounds")
        return redirect("dispatch:round", pk=rnd.pk)


class RoundDetailView(RolePermissionRequiredMixin, View):
    permission = "dispatch.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        rnd = _round_or_404(request.user, pk)
        routes = explain_routes(rnd.instance, rnd.solution)
        tasks = Task.objects.select_related("need__area").in_bulk(
            [task_pk(s["task"]) for r in routes for s in r["stops"]]
            + [task_pk(t) for t in (rnd.solution or {}).get("unassigned", [])]
            + [c["task"] for c in rnd.changes or []]
        )
        users = get_user_model().objects.in_bulk([volunteer_pk(r["volunteer"]) for r in routes])
        for route in routes:
            route["user"] = users.get(volunteer_pk(route["volunteer"]))
            route["user_pk"] = volunteer_pk(route["volunteer"])
            for stop in route["stops"]:
                stop["obj"] = tasks.get(task_pk(stop["task"]))
                stop["skills_text"] = _skills(stop["skills_needed"])
        unassigned = [tasks.get(task_pk(t)) for t in (rnd.solution or {}).get("unassigned", [])]
        everyone = get_user_model().objects.in_bulk(
            [volunteer_pk(v["id"]) for v in rnd.instance.get("volunteers", [])]
        )
        changes = [
            {
                **c,
                "when": parse_datetime(c["at"]),
                "task_obj": tasks.get(c["task"]),
                "who": everyone.get(c.get("volunteer")),
            }
            for c in rnd.changes or []
        ]
        return render(
            request,
            "dispatch/round_detail.html",
            {
                "round": rnd,
                "routes": routes,
                "unassigned": [t for t in unassigned if t is not None],
                "volunteers": sorted(everyone.values(), key=str),
                "urgent": selectors.urgent_waiting(round=rnd)
                if user_may(request.user, "dispatch.run")
                and rnd.status == DispatchRound.Status.APPROVED
                else [],
                "returned": [
                    {**r, "task_obj": tasks.get(r["task"])}
                    for r in (rnd.approval or {}).get("returned", [])
                ],
                "changes": changes,
                "can_run": user_may(request.user, "dispatch.run")
                and rnd.status == DispatchRound.Status.PROPOSED,
                "solving": rnd.status == DispatchRound.Status.SOLVING,
                "n_tasks": len(rnd.instance.get("tasks", [])),
                "n_volunteers": len(rnd.instance.get("volunteers", [])),
                "travel_min": round((rnd.score_travel_s or 0) / 60),
                "travel_mode": dict(TravelMode.choices).get(rnd.report.get("travel_mode", "")),
                "mixed_modes": len(rnd.report.get("travel_modes") or {}) > 1,
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not user_may(request.user, "dispatch.run"):
            return self.handle_no_permission()
        rnd = _round_or_404(request.user, pk)
        try:
            do = request.POST.get("do")
            if do == "discard":
                services.dispatch_round_discard(actor=request.user, round=rnd)
                messages.success(request, _("The round was discarded."))
            elif do in ("move", "remove"):
                services.dispatch_round_edit(
                    actor=request.user,
                    round=rnd,
                    action=do,
                    task=_whole(request, "task", required=True),
                    volunteer=_whole(request, "volunteer"),
                    position=_whole(request, "position"),
                )
                messages.success(request, _("Route changed."))
            elif do == "insert":
                task = selectors.task_for_round(
                    round=rnd, pk=_whole(request, "task", required=True)
                )
                rnd = services.dispatch_round_insert(actor=request.user, round=rnd, task=task)
                messages.success(
                    request,
                    _("Inserted into the route of %(who)s as stop %(n)s; the offer was sent.")
                    % {
                        "who": get_user_model().objects.get(pk=rnd.changes[-1]["volunteer"]),
                        "n": rnd.changes[-1]["position"],
                    },
                )
            else:
                only = _whole(request, "volunteer")
                rnd = services.dispatch_round_approve(
                    actor=request.user, round=rnd, volunteer_ids=[only] if only else None
                )
                messages.success(
                    request,
                    _("Approved: %(offered)s offer(s) sent, %(skipped)s skipped.")
                    % {
                        "offered": len(rnd.approval["offered"]),
                        "skipped": len(rnd.approval["skipped"]),
                    },
                )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("dispatch:round", pk=pk)


class TravelSettingsView(RolePermissionRequiredMixin, View):
    """Each street's travel defaults: how volunteers get around, the detour factor."""

    permission = "dispatch.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "dispatch/travel.html",
            {
                "streets": selectors.street_travel_list(actor=request.user),
                "modes": TravelMode.choices,
                "can_run": user_may(request.user, "dispatch.run"),
                "osrm": bool(settings.WUSHE_OSRM_URL),
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not user_may(request.user, "dispatch.run"):
            return self.handle_no_permission()
        try:
            services.street_travel_set(
                actor=request.user,
                area=area_get_for(request.user, request.POST.get("area", "")),
                travel_mode=request.POST.get("travel_mode", ""),
                detour=request.POST.get("detour", ""),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Travel settings saved."))
        return redirect("dispatch:travel")


class MyRouteView(RolePermissionRequiredMixin, View):
    permission = "needs.task_work"

    def post(self, request: HttpRequest) -> HttpResponse:
        profile = VolunteerProfile.objects.filter(user=request.user).first()
        if profile is None:
            raise Http404()
        try:
            volunteer_set_travel_mode(
                actor=request.user,
                profile=profile,
                travel_mode=request.POST.get("travel_mode", ""),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved: the next dispatch round plans with it."))
        return redirect("dispatch:my_route")

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = selectors.my_route(actor=request.user)
        for row in rows:
            task = row["task"]
            ctx = PrivacyContext(
                assigned_active=task.assignee_id == request.user.pk
                and task.is_active
                and task.need.is_open
            )
            row["address"] = present(
                request.user, task.need, "contact_address", kind="address", context=ctx, hidden=""
            )
        points = (
            _map_points(request.user, rows) if finders.find("vendor/leaflet/leaflet.js") else []
        )
        routed = next((r["round"] for r in rows if r["round"] is not None), None)
        return render(
            request,
            "dispatch/my_route.html",
            {
                "rows": rows,
                "map_points": points,
                "outline": selectors.round_outline(round=routed) if points and routed else None,
                "profile": VolunteerProfile.objects.filter(user=request.user).first(),
                "modes": TravelMode.choices,
                "tile_url": settings.WUSHE_MAP_TILE_URL,
                "tile_attribution": settings.WUSHE_MAP_TILE_ATTRIBUTION,
            },
        )


def _map_points(actor: Any, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start and stops of the routed rows, in order, as lon/lat for the map."""
    routed = [r for r in rows if r["stop"] is not None and r["task"].need.area.lon is not None]
    if not routed:
        return []
    points: list[dict[str, Any]] = []
    rnd = routed[0]["round"]
    vol = next((v for v in rnd.instance["volunteers"] if v["id"] == f"v{actor.pk}"), None)
    centre = rnd.report.get("centre")
    if vol is not None and centre:
        x, y = rnd.instance["locations"][vol["start"]]
        lon, lat = unproject(x, y, (centre[0], centre[1]))
        points.append({"lon": lon, "lat": lat, "label": _("Start point"), "start": True})
    for n, row in enumerate(routed, start=1):
        area = row["task"].need.area
        points.append({"lon": float(area.lon), "lat": float(area.lat), "label": str(n)})
    # Stops at the same place (one building) share one marker: "1 · 2".
    merged: list[dict[str, Any]] = []
    for p in points:
        last = merged[-1] if merged else None
        if last and abs(last["lon"] - p["lon"]) < 1e-6 and abs(last["lat"] - p["lat"]) < 1e-6:
            last["label"] = f"{last['label']} · {p['label']}"
        else:
            merged.append(dict(p))
    return merged
