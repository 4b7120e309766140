"""Resident pages: list with search and filters, detail with reveal, edit, household, import
(preview → confirm, error workbook), export. Thin: selectors and services; every protected value
goes through ``present``/``reveal``."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from wushe.areas.models import Area
from wushe.areas.selectors import area_list
from wushe.core.audit import log_action
from wushe.core.errors import ApplicationError, NotFoundError
from wushe.core.jobs import job_create, job_preview_apply, job_run
from wushe.core.models import Job
from wushe.core.permissions import RolePermissionRequiredMixin, user_may
from wushe.core.privacy import Purpose, present, reveal
from wushe.core.privacy.policy import Access
from wushe.core.privacy.presenting import access_for
from wushe.core.selectors import job_get_for
from wushe.core.tables import text_row
from wushe.core.views import job_page_context
from wushe.residents import selectors, services
from wushe.residents.forms import (
    ResidentFilterForm,
    ResidentForm,
    ResidentImportForm,
    ResidentTagsForm,
    RevealForm,
)
from wushe.residents.models import Resident
from wushe.residents.phones import display_phone
from wushe.residents.tasks import JOB_KIND, import_residents_job, import_work

PROTECTED = ("id_number", "phone", "health_notes", "notes", "emergency_phone", "guardian_phone")


def shown(actor: Any, resident: Resident, field: str, *, purpose: str | None = None) -> str:
    """A protected (or masked plain) value as ``actor`` may see it, phones written nationally."""
    value = present(actor, resident, field, purpose=purpose)
    if value and field.endswith("phone") and value.startswith("+"):
        return display_phone(value)
    return value


def _areas(actor: Any) -> QuerySet[Area]:
    return area_list(actor=actor).filter(level__in=services.IMPORT_AREA_LEVELS[:3])


class ResidentListView(RolePermissionRequiredMixin, View):
    permission = "residents.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        form = ResidentFilterForm(
            request.GET or None, tags=selectors.tag_list(), areas=_areas(user)
        )
        filters: dict[str, Any] = {}
        if form.is_valid():
            filters = {
                "search": form.cleaned_data["q"] or None,
                "tag": form.cleaned_data["tag"] or None,
                "area_code": form.cleaned_data["area"] or None,
            }
        try:
            residents = services.resident_search(actor=user, **filters)
        except ApplicationError as exc:  # too many searches by a whole number
            form.add_error("q", str(exc.message))
            residents = Resident.objects.none()
        page = Paginator(residents, 50).get_page(request.GET.get("page"))
        names = selectors.tag_names()
        details = selectors.sees_tag_details(user)
        rows = [
            {
                "resident": r,
                "name": shown(user, r, "name"),
                "phone": shown(user, r, "phone"),
                "tags": selectors.resident_tags(r, names=names, details=details),
            }
            for r in page
        ]
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "residents/resident_list.html",
            {
                "form": form,
                "page": page,
                "rows": rows,
                "query": query.urlencode(),
                "can_import": user_may(user, "residents.import"),
                "can_export": user_may(user, "residents.export"),
            },
        )


def _get(request: HttpRequest, pk: int) -> Resident:
    try:
        return selectors.resident_get_for(request.user, pk)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc


def _detail_context(request: HttpRequest, resident: Resident, **extra: Any) -> dict[str, Any]:
    user = request.user
    fields = []
    for name, label in (
        ("id_number", _("ID number")),
        ("phone", _("Phone")),
        ("emergency_phone", _("Emergency contact's phone")),
        ("guardian_phone", _("Guardian's phone")),
        ("health_notes", _("Health notes")),
        ("notes", _("Notes")),
    ):
        access = access_for(user, resident, name)
        fields.append(
            {
                "name": name,
                "label": label,
                "value": shown(user, resident, name),
                "hidden": access is Access.HIDDEN and getattr(resident, name) not in (None, ""),
            }
        )
    sees_details = selectors.sees_tag_details(user)
    return {
        "resident": resident,
        "name": shown(user, resident, "name"),
        "emergency_contact": shown(user, resident, "emergency_contact"),
        "guardian": shown(user, resident, "guardian"),
        "consent_guardian": shown(user, resident, "consent_guardian"),
        "fields": fields,
        "tags": selectors.resident_tags(resident, details=sees_details),
        "can_edit": user_may(user, "residents.edit"),
        "can_edit_tags": sees_details,
        "reveal_form": extra.pop("reveal_form", None) or RevealForm(),
        **extra,
    }


class ResidentDetailView(RolePermissionRequiredMixin, View):
    permission = "residents.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = _get(request, pk)
        return render(request, "residents/resident_detail.html", _detail_context(request, resident))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Reveal one protected value, with a reason; written to the access log."""
        resident = _get(request, pk)
        form = RevealForm(request.POST)
        revealed = None
        status = 400
        if form.is_valid():
            field = form.cleaned_data["field"]
            try:
                value = reveal(request.user, resident, field, reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                form.add_error(None, str(exc.message))
                status = exc.status_code
            else:
                if field.endswith("phone") and value.startswith("+"):
                    value = display_phone(value)
                revealed = {"field": dict(form.fields["field"].choices)[field], "value": value}
                status = 200
        context = _detail_context(request, resident, reveal_form=form, revealed=revealed)
        return render(request, "residents/resident_detail.html", context, status=status)


class ResidentEditView(RolePermissionRequiredMixin, View):
    permission = "residents.edit"

    def _initial(self, request: HttpRequest, resident: Resident) -> dict[str, Any]:
        user = request.user
        initial: dict[str, Any] = {
            "name": resident.name,
            "emergency_contact": resident.emergency_contact,
            "guardian": resident.guardian,
            "legal_basis": resident.legal_basis,
            "consent_purpose": resident.consent_purpose,
            "consent_version": resident.consent_version,
            "consent_guardian": resident.consent_guardian,
        }
        # Protected values are filled in only where the role sees them in full.
        for name in ("phone", "emergency_phone", "guardian_phone", "notes"):
            if access_for(user, resident, name) is Access.FULL:
                initial[name] = shown(user, resident, name)
        return initial

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = _get(request, pk)
        form = ResidentForm(initial=self._initial(request, resident))
        return render(request, "residents/resident_edit.html", {"resident": resident, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = _get(request, pk)
        form = ResidentForm(request.POST, initial=self._initial(request, resident))
        if form.is_valid():
            changes = {k: form.cleaned_data[k] for k in form.changed_data}
            # An empty protected field the user could not see means "keep it".
            for name in ("phone", "emergency_phone", "guardian_phone", "notes"):
                if name in changes and not changes[name] and name not in form.initial:
                    changes.pop(name)
            try:
                services.resident_update(actor=request.user, resident=resident, **changes)
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Saved."))
                return redirect("residents:detail", pk=resident.pk)
        return render(
            request,
            "residents/resident_edit.html",
            {"resident": resident, "form": form},
            status=400,
        )


class ResidentTagsView(RolePermissionRequiredMixin, View):
    """Tick the key-population tags a worker found out about (the age tags follow the birth
    date). Saving re-ranks the resident's open requests."""

    permission = "residents.edit"

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # The form shows and saves the tags' details (health notes): a role that may edit
        # residents but not see those (a system administrator) has no use of it.
        if request.user.is_authenticated and not selectors.sees_tag_details(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _form(self, resident: Resident, data: Any = None) -> ResidentTagsForm:
        initial: dict[str, Any] = {}
        for link in resident.tag_links.select_related("tag"):
            initial[f"tag_{link.tag.code}"] = True
            for name in ("disability_category", "disability_grade", "treatment", "schedule"):
                if getattr(link, name):
                    initial[name] = getattr(link, name)
        return ResidentTagsForm(data, initial=initial, tags=selectors.tag_list())

    def _render(self, request: HttpRequest, resident: Resident, form: Any, status: int = 200):
        context = {
            "resident": resident,
            "form": form,
            "name": shown(request.user, resident, "name"),
        }
        return render(request, "residents/resident_tags.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = _get(request, pk)
        return self._render(request, resident, self._form(resident))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        resident = _get(request, pk)
        form = self._form(resident, request.POST)
        if form.is_valid():
            chosen = form.chosen()
            # The page has no field for a tag's note (the canvass sheet's remark): keep it.
            for link in resident.tag_links.select_related("tag"):
                if link.tag.code in chosen:
                    chosen[link.tag.code]["note"] = link.note
            try:
                services.resident_set_tags(actor=request.user, resident=resident, tags=chosen)
            except ApplicationError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            else:
                messages.success(request, _("Saved."))
                return redirect("residents:detail", pk=resident.pk)
        return self._render(request, resident, form, status=400)


class HouseholdView(RolePermissionRequiredMixin, View):
    permission = "residents.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            household = selectors.household_get_for(request.user, pk)
        except ApplicationError as exc:
            raise Http404(str(exc.message)) from exc
        details = selectors.sees_tag_details(request.user)
        members = [
            {
                "resident": r,
                "name": shown(request.user, r, "name"),
                "tags": selectors.resident_tags(r, details=details),
            }
            for r in selectors.household_members(actor=request.user, household=household)
        ]
        return render(
            request, "residents/household.html", {"household": household, "members": members}
        )


class KeyPopulationView(RolePermissionRequiredMixin, View):
    permission = "residents.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        counts = selectors.key_population_counts(actor=request.user)
        return render(request, "residents/key_populations.html", {"counts": counts})


# --- import -----------------------------------------------------------------------------------


class ResidentImportView(RolePermissionRequiredMixin, View):
    permission = "residents.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = ResidentImportForm(areas=_areas(request.user))
        return render(request, "residents/resident_import.html", {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        areas = _areas(request.user)
        form = ResidentImportForm(request.POST, request.FILES, areas=areas)
        if not form.is_valid():
            return render(request, "residents/resident_import.html", {"form": form}, status=400)
        data = form.cleaned_data
        area = areas.get(code=data["area"])
        basis = services.Basis(
            legal_basis=data["legal_basis"],
            consent_purpose=data["consent_purpose"],
            consent_version=data["consent_version"],
        )
        try:
            basis.check()
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
            return render(request, "residents/resident_import.html", {"form": form}, status=400)
        upload = data["file"]
        job = job_create(
            actor=request.user,
            kind=JOB_KIND,
            upload=upload,
            params={
                "dry_run": True,
                "area": area.code,
                "legal_basis": basis.legal_basis,
                "consent_purpose": basis.consent_purpose,
                "consent_version": basis.consent_version,
            },
            area_path=area.path,
        )
        _start(job, upload.size)
        return redirect("residents:import-result", pk=job.pk)


def _start(job: Job, size: int) -> None:
    if size > settings.WUSHE_IMPORT_SYNC_MAX_BYTES:
        import_residents_job.delay(job.pk)
    else:
        job_run(job.pk, import_work)


def _import_job(request: HttpRequest, pk: int) -> Job:
    try:
        job = job_get_for(request.user, pk)
    except ApplicationError as exc:
        raise Http404(str(exc.message)) from exc
    if job.kind != JOB_KIND:
        raise Http404
    return job


class ResidentImportResultView(RolePermissionRequiredMixin, View):
    permission = "residents.import"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _import_job(request, pk)
        preview = bool(job.params.get("dry_run"))
        report = dict(job.result) if job.status == Job.Status.DONE else None
        if report and report.get("preview"):
            names = selectors.tag_names()  # the report keeps tag codes; people read names
            report["preview"] = [
                {**p, "tags": [names.get(code, code) for code in p.get("tags", [])]}
                for p in report["preview"]
            ]
        return render(
            request,
            "residents/import_result.html",
            {
                "job": job,
                **job_page_context(job),
                "report": report,
                "can_confirm": preview and job.status == Job.Status.DONE and bool(job.upload),
                "has_errors": preview and bool(job.upload) and bool(job.result.get("rejected")),
            },
        )


class ResidentImportConfirmView(RolePermissionRequiredMixin, View):
    permission = "residents.import"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        preview = _import_job(request, pk)
        try:
            job = job_preview_apply(
                actor=request.user, preview=preview, task=import_residents_job, work=import_work
            )
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return redirect("residents:import-result", pk=preview.pk)
        return redirect("residents:import-result", pk=job.pk)


class ResidentImportErrorsView(RolePermissionRequiredMixin, View):
    permission = "residents.import"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _import_job(request, pk)
        # The rejected rows go back as they were uploaded (whole ID numbers, phones): only to
        # the person who uploaded them, not to everyone whose area covers the import.
        if not job.upload or job.status != Job.Status.DONE or job.created_by_id != request.user.pk:
            raise Http404
        with job.upload.open("rb") as handle:
            content = services.resident_error_workbook(
                source=io.BytesIO(handle.read()), filename=job.original_name, report=job.result
            )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="rejected-rows-{job.pk}.xlsx"'
        return response


# --- export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    ("name", "姓名"),
    ("id_number", "身份证号"),
    ("phone", "联系电话"),
    ("address", "地址"),
    ("tags", "人员类别"),
    ("emergency_contact", "紧急联系人"),
    ("emergency_phone", "紧急联系人电话"),
    ("guardian", "监护人"),
)


def _logged_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The export's filters for the action log, which is stored unencrypted: whether a search
    was made, not its words (they may be a whole phone or ID number)."""
    logged = {k: v for k, v in filters.items() if v}
    if "search" in logged:
        logged["search"] = True
    return logged


class ResidentExportView(RolePermissionRequiredMixin, View):
    """The list as .xlsx; protected values masked (an export never carries a full value)."""

    permission = "residents.export"

    def get(self, request: HttpRequest) -> HttpResponse:
        from openpyxl import Workbook

        user = request.user
        form = ResidentFilterForm(
            request.GET or None, tags=selectors.tag_list(), areas=_areas(user)
        )
        filters: dict[str, Any] = {}
        if form.is_valid():
            filters = {
                "search": form.cleaned_data["q"] or None,
                "tag": form.cleaned_data["tag"] or None,
                "area_code": form.cleaned_data["area"] or None,
            }
        try:
            found = services.resident_search(actor=user, **filters)
        except ApplicationError as exc:  # too many searches by a whole number
            messages.error(request, str(exc.message))
            return redirect("residents:list")
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("residents")
        sheet.append(text_row(sheet, [title for _key, title in EXPORT_COLUMNS]))
        count = 0
        names = selectors.tag_names()
        for r in found.iterator(chunk_size=2000):
            row = []
            for key, _title in EXPORT_COLUMNS:
                if key == "address":
                    row.append(r.household.address if r.household else r.area.name)
                elif key == "tags":
                    tags = selectors.resident_tags(r, names=names)
                    row.append("、".join(t["name"] for t in tags))
                else:
                    row.append(shown(user, r, key, purpose=Purpose.EXPORT))
            sheet.append(text_row(sheet, row))
            count += 1
        log_action(
            "residents.export.downloaded",
            actor=user,
            area_path=getattr(user, "scope_path", None) or "",
            data={"rows": count, "filters": _logged_filters(filters)},
        )
        buffer = io.BytesIO()
        workbook.save(buffer)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="residents-{stamp}.xlsx"'
        return response
