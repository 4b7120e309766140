from rest_framework.routers import SimpleRouter

from wushe.areas.api import AreaViewSet

router = SimpleRouter()
router.register("areas", AreaViewSet, basename="area")
urlpatterns = router.urls
