from django.urls import path

from wushe.volunteers.api import MyShiftView

urlpatterns = [
    path("volunteers/me/shift/", MyShiftView.as_view(), name="volunteers-my-shift"),
]
