from django.urls import path

from budget.rates import views

app_name = "rates"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("botilbud/<int:pk>/", views.home_rate, name="home_rate"),
    path("botilbud/<int:pk>/godkend/", views.approve, name="approve"),
    path("eksport/", views.export, name="export"),
]
