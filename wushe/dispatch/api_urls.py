from rest_framework.routers import SimpleRouter

from wushe.dispatch.api import DispatchRoundViewSet

router = SimpleRouter()
router.register("dispatch/rounds", DispatchRoundViewSet, basename="dispatch-round")
urlpatterns = router.urls
