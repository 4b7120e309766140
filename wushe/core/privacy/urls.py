"""Pages of the privacy module, under /privacy/."""

from django.urls import path

from wushe.core.privacy import views

app_name = "privacy"

urlpatterns = [path("access-log/", views.AccessLogView.as_view(), name="access_log")]
