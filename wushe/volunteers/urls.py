from django.urls import path

from wushe.volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.VolunteerListView.as_view(), name="list"),
    path("me/shift/", views.MyShiftView.as_view(), name="my_shift"),
]
