"""The project's URLs plus the floor: a minimal Django view inserting one row of the same
table (same encrypted fields, no DRF, no triage, no history, no idempotency)."""

import json
import secrets

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from wushe.urls import urlpatterns as project_urls


@csrf_exempt
def floor(request: HttpRequest) -> JsonResponse:
    from wushe.areas.models import Area
    from wushe.needs.models import Need

    data = json.loads(request.body)
    area = Area.objects.only("id").get(code=data["area"])
    need = Need.objects.create(
        area=area,
        category=data["category"],
        channel="phone",
        caller_name=data.get("caller_name"),
        caller_phone=data.get("caller_phone"),
        address=data.get("address"),
        description=data.get("description", ""),
        tracking_code=secrets.token_hex(4).upper(),
    )
    return JsonResponse({"id": need.pk}, status=201)


urlpatterns = [*project_urls, path("bench/floor/", floor)]
