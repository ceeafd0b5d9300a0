from django.urls import path

from budget.absence import views

app_name = "absence"

urlpatterns = [
    path("", views.import_page, name="import"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/godkend/", views.batch_confirm, name="confirm"),
    path("<int:pk>/annuller/", views.batch_discard, name="discard"),
    path("profiler/", views.profile_list, name="profiles"),
    path("profiler/ny/", views.profile_edit, name="profile_new"),
    path("profiler/<int:pk>/", views.profile_edit, name="profile"),
    path("profiler/forhaandsvisning/", views.profile_preview, name="profile_preview"),
    path("botilbud/<int:home_pk>/", views.home_absence, name="home"),
]
