"""Account pages: sign in and out, change password, and each role's home page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse_lazy
from django.views.generic import TemplateView

from wushe.accounts import errors, throttle
from wushe.core.audit import log_action
from wushe.core.client_ip import client_ip
from wushe.core.navigation import panels_for


class LoginView(auth_views.LoginView):
    """Sign-in, throttled (``throttle``): too many failures for a user name from one address, from
    one address, or for a user name from anywhere make that sign-in wait a while."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        address = client_ip(request)
        if throttle.is_locked(username=username, address=address):
            form = self.get_form()
            form.add_error(None, errors.TOO_MANY_ATTEMPTS.format(minutes=throttle.WINDOW_S // 60))
            log_action("accounts.login.throttled", actor=None, data={"username": username[:150]})
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        throttle.record_failure(
            username=self.request.POST.get("username", ""),
            address=client_ip(self.request),
        )
        return super().form_invalid(form)

    def form_valid(self, form: Any) -> HttpResponse:
        throttle.clear(username=form.get_user().get_username(), address=client_ip(self.request))
        return super().form_valid(form)


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class HomeView(LoginRequiredMixin, TemplateView):
    """One home page per role: the role's template, filled with the panels apps register."""

    def get_template_names(self) -> list[str]:
        return [f"accounts/home/{self.request.user.role}.html", "accounts/home/base.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["panels"] = panels_for(self.request.user)
        return context
