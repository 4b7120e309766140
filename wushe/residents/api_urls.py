from rest_framework.routers import SimpleRouter

from wushe.residents.api import ResidentViewSet

router = SimpleRouter()
router.register("residents", ResidentViewSet, basename="resident")
urlpatterns = router.urls
