from django.urls import path

from wushe.residents import views

app_name = "residents"

urlpatterns = [
    path("", views.ResidentListView.as_view(), name="list"),
    path("key-populations/", views.KeyPopulationView.as_view(), name="key-populations"),
    path("export.xlsx", views.ResidentExportView.as_view(), name="export"),
    path("import/", views.ResidentImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ResidentImportResultView.as_view(), name="import-result"),
    path(
        "import/<int:pk>/confirm/",
        views.ResidentImportConfirmView.as_view(),
        name="import-confirm",
    ),
    path(
        "import/<int:pk>/rejected.xlsx",
        views.ResidentImportErrorsView.as_view(),
        name="import-errors",
    ),
    path("households/<int:pk>/", views.HouseholdView.as_view(), name="household"),
    path("<int:pk>/", views.ResidentDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.ResidentEditView.as_view(), name="edit"),
    path("<int:pk>/tags/", views.ResidentTagsView.as_view(), name="tags"),
]
