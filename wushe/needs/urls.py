from django.urls import path

from wushe.needs import views

app_name = "needs"
urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("<int:pk>/", views.NeedDetailView.as_view(), name="detail"),
    path("<int:pk>/files/<int:attachment>/", views.AttachmentView.as_view(), name="attachment"),
    path("<int:pk>/tasks/<int:task>/photo/", views.TaskPhotoView.as_view(), name="task_photo"),
    path("intake/", views.IntakeView.as_view(), name="intake"),
    path("help/", views.PublicRequestView.as_view(), name="public"),
    path("track/", views.TrackView.as_view(), name="track"),
    path("my-tasks/", views.MyTasksView.as_view(), name="my_tasks"),
    path("offer/<str:token>/", views.OfferLinkView.as_view(), name="offer"),
]
