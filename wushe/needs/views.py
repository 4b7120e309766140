"""Needs pages: the dispatcher's queue and request detail, a worker's proxy intake, the
resident's public form and tracking page, the volunteer's tasks and one-tap offer links.
Thin: selectors and services; contact details go through ``present`` with the volunteer's
``assigned_active`` context."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from wushe.areas.levels import Level
from wushe.areas.models import Area
from wushe.areas.selectors import area_list
from wushe.core.audit import log_action
from wushe.core.client_ip import client_ip
from wushe.core.errors import ApplicationError, NotFoundError
from wushe.core.permissions import RolePermissionRequiredMixin, user_may
from wushe.core.privacy import PrivacyContext, present
from wushe.core.privacy.presenting import HIDDEN
from wushe.needs import errors, offers, selectors, services, triage
from wushe.needs.forms import (
    CloseForm,
    DoneForm,
    IntakeForm,
    PublicNeedForm,
    QueueFilterForm,
    ReasonForm,
    TrackForm,
)
from wushe.needs.models import Channel, Need, TaskAssignment
from wushe.needs.public_status import (
    public_rate_allows,
    public_rate_count,
    resident_status_text,
)
from wushe.residents.phones import display_phone
from wushe.residents.selectors import resident_get_for, sees_tag_details
from wushe.volunteers.selectors import volunteer_list


def _need_or_404(actor: Any, pk: Any) -> Need:
    try:
        return selectors.need_get_for(actor, pk)
    except NotFoundError as exc:
        raise Http404(str(exc.message)) from exc


def _form_problems(form: Any) -> str:
    """A small action form's errors as one message, each after its field's label."""
    return " ".join(
        _("%(field)s: %(problems)s")
        % {"field": form.fields[name].label, "problems": " ".join(problems)}
        if name in form.fields
        else " ".join(problems)
        for name, problems in form.errors.items()
    )


def _phone(value: str) -> str:
    """A full number as people write it (138 1234 5678), not as stored (+8613812345678)."""
    return display_phone(value) if value.startswith("+") else value


def _row(
    actor: Any, need: Need, ctx: PrivacyContext | None = None, *, health: bool | None = None
) -> dict[str, Any]:
    """What a page shows of a request; ``health``: whether the explanation may name treatments
    and sensitive tags (by default: whether the actor may see a tag's details)."""
    return {
        "need": need,
        "explanation": triage.explain(
            need.priority_breakdown,
            overdue=need.escalated_at is not None,
            health=sees_tag_details(actor) if health is None else health,
        ),
        "life": bool(need.priority_breakdown.get("life_critical")),
        "name": present(actor, need, "contact_name", kind="name", context=ctx, hidden=""),
        "phone": _phone(
            present(actor, need, "contact_phone", kind="phone", context=ctx, hidden="")
        ),
        "address": present(actor, need, "contact_address", kind="address", context=ctx, hidden=""),
    }


def _volunteer_for(raw: Any) -> Any:
    """The volunteer a page posted; whether the actor may send them (active, in their area)
    is ``services.task_offer``'s to say."""
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        pk = None
    user = get_user_model().objects.filter(pk=pk, role="volunteer").first() if pk else None
    if user is None:
        raise ApplicationError(errors.VOLUNTEER_NOT_HERE, field="volunteer")
    return user


class QueueView(RolePermissionRequiredMixin, View):
    permission = "needs.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = QueueFilterForm(request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        only = data.get("only")
        needs = selectors.need_list(
            actor=request.user,
            status=data.get("status") or None,
            open_only=not data.get("status"),
            category=data.get("category") or None,
            escalated=True if only == "overdue" else None,
            callback=only == "callback",
        )
        page = Paginator(needs, 50).get_page(request.GET.get("page"))
        can_dispatch = user_may(request.user, "needs.dispatch")
        query = request.GET.copy()  # the pager keeps the filters
        query.pop("page", None)
        return render(
            request,
            "needs/queue.html",
            {
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "rows": [_row(request.user, n) for n in page],
                "can_dispatch": can_dispatch,
                "volunteers": volunteer_list(actor=request.user) if can_dispatch else [],
            },
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        """Bulk assign: offer the ticked requests to one volunteer."""
        if not user_may(request.user, "needs.dispatch"):
            return self.handle_no_permission()
        try:
            needs = [
                selectors.need_get_for(request.user, pk) for pk in request.POST.getlist("need")
            ]
            volunteer = _volunteer_for(request.POST.get("volunteer"))
            if not needs:
                raise ValueError("no request ticked")
            services.needs_bulk_assign(actor=request.user, needs=needs, volunteer=volunteer)
            messages.success(
                request,
                _("%(n)s request(s) offered to %(who)s.") % {"n": len(needs), "who": volunteer},
            )
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Choose requests and a volunteer.")))
        # The form posts to the filtered address: back to the same filters and page.
        query = request.GET.urlencode()
        return redirect(reverse("needs:queue") + (f"?{query}" if query else ""))


def _text(actor: Any, obj: Any, field: str, *, hidden: str = "") -> str:
    """A request's free text (an address or a phone is often in it) as ``actor`` may read
    it, ``hidden`` in its place when they may not."""
    if not getattr(obj, field):
        return ""
    value = selectors.request_text(actor, obj, field)
    return hidden if value is None else value


class NeedDetailView(RolePermissionRequiredMixin, View):
    permission = "needs.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        need = _need_or_404(request.user, pk)
        can_dispatch = user_may(request.user, "needs.dispatch")
        actor = request.user
        photos = selectors.sees_photos(actor, need)
        return render(
            request,
            "needs/detail.html",
            {
                "row": _row(actor, need),
                "need": need,
                "description": _text(actor, need, "description", hidden=str(HIDDEN)),
                "outcome_note": _text(actor, need, "outcome_note"),
                "history": [
                    {"e": e, "note": _text(actor, e, "note")} for e in selectors.need_history(need)
                ],
                "tasks": [
                    {
                        "task": t,
                        "note": _text(actor, t, "note"),
                        "reason": _text(actor, t, "reason"),
                    }
                    for t in need.tasks.all()
                ],
                "offers": [
                    (a, offer_url(request, a))
                    for a in TaskAssignment.objects.filter(
                        task__need=need, state=TaskAssignment.State.OFFERED
                    ).select_related("volunteer")
                ]
                if can_dispatch
                else [],
                "attachments": need.attachments.all() if photos else [],
                "photos": photos,
                "candidates": selectors.need_merge_candidates(need, request.user),
                "can_dispatch": can_dispatch,
                "can_intake": user_may(request.user, "needs.intake"),
                "close_form": CloseForm(),
                "volunteers": volunteer_list(actor=request.user) if can_dispatch else [],
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        need = _need_or_404(request.user, pk)
        what = request.POST.get("do")
        needed = "needs.intake" if what == "verify" else "needs.dispatch"
        if not user_may(request.user, needed):
            return self.handle_no_permission()
        try:
            self._do(request, need, what)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("needs:detail", pk=need.pk)

    def _do(self, request: HttpRequest, need: Need, what: str | None) -> None:
        actor = request.user
        post = request.POST
        if what == "verify":
            services.need_verify(actor=actor, need=need)
        elif what == "close":
            form = CloseForm(post)
            if not form.is_valid():
                raise ApplicationError(_form_problems(form))
            services.need_close(actor=actor, need=need, **form.cleaned_data)
        elif what == "reopen":
            services.need_reopen(actor=actor, need=need, reason=post.get("reason", ""))
        elif what == "merge":
            into = selectors.need_get_for(actor, post.get("into"))
            services.need_merge(actor=actor, need=need, into=into)
        elif what == "task":
            services.task_create(actor=actor, need=need, role=post.get("role", ""))
        elif what == "assign":
            volunteer = _volunteer_for(post.get("volunteer"))
            services.needs_bulk_assign(actor=actor, needs=[need], volunteer=volunteer)
        messages.success(request, _("Saved."))


def _intake_areas(actor: Any) -> Any:
    return area_list(actor=actor).filter(level__in=[Level.COMMUNITY, Level.GRID, Level.BUILDING])


class IntakeView(RolePermissionRequiredMixin, View):
    """A worker takes a request in for someone (most elderly will not type)."""

    permission = "needs.intake"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = IntakeForm(areas=_intake_areas(request.user))
        return render(request, "needs/intake.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = IntakeForm(request.POST, request.FILES, areas=_intake_areas(request.user))
        if form.is_valid():
            data = dict(form.cleaned_data)
            upload = data.pop("attachment")
            resident_id = data.pop("resident")
            try:
                resident = resident_get_for(request.user, resident_id) if resident_id else None
                need = services.need_create(
                    actor=request.user,
                    resident=resident,
                    files=[upload] if upload else [],
                    **{k: (v if v is not None else None) for k, v in data.items()},
                )
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Request taken in. Tracking code: %(code)s") % {"code": need.tracking_code},
                )
                return redirect("needs:detail", pk=need.pk)
        return render(request, "needs/intake.html", {"form": form})


def _communities() -> Any:
    return Area.objects.filter(level=Level.COMMUNITY, is_active=True).order_by("name")


class PublicRequestView(View):
    """The resident's own form: no sign-in, phone-sized, plain words, rate-limited per client
    address and per phone number."""

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PublicNeedForm(communities=_communities())
        return render(request, "needs/public_form.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PublicNeedForm(request.POST, communities=_communities())
        address = client_ip(request)
        if not public_rate_allows(address=address):
            form.add_error(None, str(errors.RATE_LIMITED))
            return render(request, "needs/public_form.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            if not public_rate_allows(address=address, phone=data["phone"]):
                form.add_error(None, str(errors.RATE_LIMITED))
                return render(request, "needs/public_form.html", {"form": form}, status=429)
            try:
                need = services.need_create(
                    actor=None,
                    area=data["community"],
                    channel=Channel.WEB_FORM,
                    caller_name=data["name"],
                    caller_phone=data["phone"],
                    address=data["address"],
                    category=data["category"],
                    description=data["description"],
                    medical_emergency=data["medical_emergency"],
                    days_medicine_left=data["days_medicine_left"],
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
            else:
                public_rate_count(address=address, phone=data["phone"])
                return render(request, "needs/public_done.html", {"need": need})
        return render(request, "needs/public_form.html", {"form": form})


class TrackView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        form = TrackForm(request.GET or None)
        need = None
        if form.is_valid():
            need = selectors.need_by_tracking_code(form.cleaned_data["code"])
            if need is None:
                form.add_error("code", _("No request has this tracking code."))
        return render(
            request,
            "needs/track.html",
            {
                "form": form,
                "need": need,
                "status_text": resident_status_text(need) if need else "",
            },
        )


def _assignment_row(actor: Any, a: TaskAssignment) -> dict[str, Any]:
    task = a.task
    ctx = PrivacyContext(
        assigned_active=task.assignee_id == actor.pk and task.is_active and task.need.is_open
    )
    return {"a": a, "task": task, **_row(actor, task.need, ctx)}


class MyTasksView(RolePermissionRequiredMixin, View):
    """The volunteer's phone view: offers to answer, tasks to do."""

    permission = "needs.task_work"

    def get(self, request: HttpRequest) -> HttpResponse:
        rows = [
            _assignment_row(request.user, a) for a in selectors.my_assignments(actor=request.user)
        ]
        pool = selectors.task_pool(actor=request.user)[:20]
        return render(
            request,
            "needs/my_tasks.html",
            {"rows": rows, "pool": pool, "reason_form": ReasonForm(), "done_form": DoneForm()},
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        actor = request.user
        what = request.POST.get("do")
        try:
            if what == "claim":
                task = selectors.task_get_for(actor, request.POST.get("task"), open_pool=True)
                services.task_claim(actor=actor, task=task)
            else:
                a = selectors.assignment_get_for(actor, request.POST.get("assignment"))
                reason = request.POST.get("reason", "")
                if what == "accept":
                    services.assignment_accept(actor=actor, assignment=a)
                elif what == "decline":
                    services.assignment_decline(actor=actor, assignment=a, reason=reason)
                elif what == "start":
                    services.task_start(actor=actor, task=a.task)
                elif what == "done":
                    form = DoneForm(request.POST, request.FILES)
                    if not form.is_valid():  # a note or photo is never dropped silently
                        raise ApplicationError(_form_problems(form))
                    services.task_complete(
                        actor=actor,
                        task=a.task,
                        note=form.cleaned_data["note"],
                        photo=form.cleaned_data["photo"],
                    )
                elif what == "fail":
                    services.task_fail(actor=actor, task=a.task, reason=reason)
            messages.success(request, _("Saved."))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("needs:my_tasks")


class OfferLinkView(View):
    """One tap from the offer message: the signed link names one assignment; no sign-in."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            a = offers.assignment_from_token(token)
        except ApplicationError as exc:
            return render(request, "needs/offer.html", {"error": exc.message}, status=400)
        # No sign-in, and the link is often forwarded: never a health detail here.
        row = _row(a.volunteer, a.task.need, health=False)
        return render(request, "needs/offer.html", {"a": a, "row": row})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            a = offers.assignment_from_token(token)
            if request.POST.get("do") == "accept":
                services.assignment_accept(actor=a.volunteer, assignment=a)
            else:
                services.assignment_decline(
                    actor=a.volunteer, assignment=a, reason=request.POST.get("reason", "")
                )
        except ApplicationError as exc:
            return render(request, "needs/offer.html", {"error": exc.message}, status=400)
        a.refresh_from_db()
        return render(request, "needs/offer.html", {"a": a, "answered": True})


def offer_url(request: HttpRequest, assignment: TaskAssignment) -> str:
    return request.build_absolute_uri(
        reverse("needs:offer", kwargs={"token": offers.offer_token(assignment)})
    )


def _private_file_response(stored: Any) -> HttpResponse:
    """A stored upload as a response: an image inline, anything else as a download, and never
    as a page the browser would run (an HTML file saved under a photo's name stays inert)."""
    with stored.open("rb") as handle:  # photos are small; no open file left behind
        content = handle.read()
    kind = mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    inline = kind.startswith("image/") and kind != "image/svg+xml"
    response = HttpResponse(content, content_type=kind if inline else "application/octet-stream")
    response["Content-Disposition"] = "inline" if inline else "attachment"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


def _photo_response(
    request: HttpRequest, pk: int, find: Callable[[Need], Any], field: str, action: str
) -> HttpResponse:
    """The photo in ``field`` of what ``find`` picks from the request, for those who see the
    request's address in full (``selectors.sees_photos``); the look is logged."""
    need = _need_or_404(request.user, pk)
    found = find(need) if selectors.sees_photos(request.user, need) else None
    if found is None:
        raise Http404
    log_action(action, actor=request.user, obj=found, area_path=need.area.path)
    return _private_file_response(getattr(found, field))


class AttachmentView(RolePermissionRequiredMixin, View):
    """A request's file (a prescription photo), streamed only to those who see the request's
    address in full; no URL serves MEDIA_ROOT/private/ directly."""

    permission = "needs.view"

    def get(self, request: HttpRequest, pk: int, attachment: int) -> HttpResponse:
        return _photo_response(
            request,
            pk,
            lambda need: need.attachments.filter(pk=attachment).first(),
            "file",
            "needs.attachment.viewed",
        )


class TaskPhotoView(RolePermissionRequiredMixin, View):
    """The photo a volunteer took when finishing a task (a delivery at the door), for those who
    see the request's address in full."""

    permission = "needs.view"

    def get(self, request: HttpRequest, pk: int, task: int) -> HttpResponse:
        return _photo_response(
            request,
            pk,
            lambda need: need.tasks.filter(pk=task).exclude(photo="").first(),
            "photo",
            "needs.task_photo.viewed",
        )
