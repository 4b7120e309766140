from django.urls import path

from wushe.areas import views

app_name = "areas"

urlpatterns = [
    path("", views.AreaListView.as_view(), name="list"),
    path("import/", views.AreaImportView.as_view(), name="import"),
    path("<str:code>/", views.AreaDetailView.as_view(), name="detail"),
    path("<str:code>/move/", views.AreaMoveView.as_view(), name="move"),
    path("<str:code>/merge/", views.AreaMergeView.as_view(), name="merge"),
    path("<str:code>/outline/", views.AreaOutlineView.as_view(), name="outline"),
]
