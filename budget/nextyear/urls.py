from django.urls import path

from budget.nextyear import views

app_name = "nextyear"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("beregn/", views.overview_compute, name="overview_compute"),
    path("eksport/", views.export_csv, name="export"),
    path("botilbud/<int:pk>/", views.home, name="home"),
    path("botilbud/<int:pk>/beregn/", views.compute, name="compute"),
    path("botilbud/<int:pk>/laas/", views.lock, name="lock"),
    path("botilbud/<int:pk>/linje/<int:line_pk>/", views.adjust, name="adjust"),
]
