from django.urls import path

from wushe.volunteers.api import MyShiftView, VolunteerShiftView

urlpatterns = [
    path("volunteers/me/shift/", MyShiftView.as_view(), name="volunteers-my-shift"),
    path("volunteers/<int:pk>/shift/", VolunteerShiftView.as_view(), name="volunteers-shift"),
]
