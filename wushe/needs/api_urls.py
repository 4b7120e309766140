from rest_framework.routers import SimpleRouter

from wushe.needs.api import AssignmentViewSet, NeedViewSet, PublicNeedViewSet, TaskViewSet

router = SimpleRouter()
router.register("needs", NeedViewSet, basename="need")
router.register("public/needs", PublicNeedViewSet, basename="public-need")
router.register("tasks", TaskViewSet, basename="task")
router.register("assignments", AssignmentViewSet, basename="assignment")
urlpatterns = router.urls
