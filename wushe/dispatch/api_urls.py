from django.urls import path
from rest_framework.routers import SimpleRouter

from wushe.dispatch.api import DispatchRoundViewSet, MyTravelView, StreetTravelView

router = SimpleRouter()
router.register("dispatch/rounds", DispatchRoundViewSet, basename="dispatch-round")
urlpatterns = [
    path("dispatch/travel/", StreetTravelView.as_view(), name="dispatch-travel"),
    path("dispatch/my-travel/", MyTravelView.as_view(), name="dispatch-my-travel"),
    *router.urls,
]
