"""Volunteer pages: the volunteers in scope with their shifts and hours this week (a
dispatcher sets one on or off shift), and the volunteer's own one-tap shift toggle. Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from wushe.core.errors import ApplicationError, NotFoundError
from wushe.core.permissions import RolePermissionRequiredMixin, user_may
from wushe.volunteers import errors, selectors, services


def _wanted(request: HttpRequest) -> bool:
    raw = request.POST.get("on_shift", "")
    if raw not in ("1", "0"):
        raise ApplicationError(errors.SHIFT_CHOICE, field="on_shift")
    return raw == "1"


def _said(on_shift: bool) -> str:
    if on_shift:
        return _("Shift started: new tasks can be sent to you.")
    return _("Shift ended: no new tasks will be sent. Tasks you accepted stay yours.")


class VolunteerListView(RolePermissionRequiredMixin, View):
    permission = "volunteers.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        profiles = list(selectors.volunteer_list(actor=request.user))
        hours = selectors.hours_since(profiles, selectors.week_start())
        opened = selectors.open_shifts(profiles)
        rows = [
            {
                "profile": p,
                "hours_week": hours[p.pk],
                "since": opened[p.pk].started_at if p.on_shift and p.pk in opened else None,
            }
            for p in profiles
        ]
        return render(
            request,
            "volunteers/volunteer_list.html",
            {"rows": rows, "can_set": user_may(request.user, "dispatch.run")},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        if not user_may(request.user, "dispatch.run"):
            return self.handle_no_permission()
        try:
            profile = selectors.volunteer_profile_get_for(
                request.user, request.POST.get("volunteer")
            )
        except NotFoundError as exc:  # not there, or another community's volunteer
            raise Http404(str(exc.message)) from exc
        try:
            on_shift = _wanted(request)
            services.volunteer_set_shift(actor=request.user, profile=profile, on_shift=on_shift)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                (_("%(who)s is on shift.") if on_shift else _("%(who)s is off shift."))
                % {"who": profile.user},
            )
        return redirect(f"{reverse('volunteers:list')}#volunteer-{profile.pk}")


class MyShiftView(RolePermissionRequiredMixin, View):
    """The toggle on My tasks and My route posts here, then goes back to that page."""

    permission = "needs.task_work"

    def post(self, request: HttpRequest) -> HttpResponse:
        profile = selectors.volunteer_profile_of(request.user)
        if profile is None:
            raise Http404()
        try:
            on_shift = _wanted(request)
            services.volunteer_set_shift(actor=request.user, profile=profile, on_shift=on_shift)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _said(on_shift))
        return redirect(_back(request))


def _back(request: HttpRequest) -> Any:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("needs:my_tasks")
