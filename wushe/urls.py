"""Top-level URL map: pages, the API under /api/v1/, its schema and docs, health."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from wushe.core.admin_site import admin_site
from wushe.core.views import healthz

api_v1 = [
    path("", include("wushe.needs.api_urls")),  # the busiest: requests and tasks
    path("", include("wushe.accounts.api_urls")),
    path("", include("wushe.areas.api_urls")),
    path("", include("wushe.residents.api_urls")),
    path("", include("wushe.dispatch.api_urls")),
    path("", include("wushe.volunteers.api_urls")),
    path("", include("wushe.core.api_urls")),
]

# Resolved in order: the API (every request of a client, the intake's above all) first, so
# that it is not matched against every page's pattern before its own.
urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("", include("wushe.accounts.urls")),
    path("areas/", include("wushe.areas.urls")),
    path("residents/", include("wushe.residents.urls")),
    path("needs/", include("wushe.needs.urls")),
    path("dispatch/", include("wushe.dispatch.urls")),
    path("volunteers/", include("wushe.volunteers.urls")),
    path("jobs/", include("wushe.core.urls")),
    path("privacy/", include("wushe.core.privacy.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]
