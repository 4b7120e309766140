from django.urls import path

from wushe.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.RoundListView.as_view(), name="rounds"),
    path("<int:pk>/", views.RoundDetailView.as_view(), name="round"),
    path("my-route/", views.MyRouteView.as_view(), name="my_route"),
    path("travel/", views.TravelSettingsView.as_view(), name="travel"),
]
