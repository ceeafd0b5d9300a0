from django.urls import path

from budget.rates import views

app_name = "rates"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("botilbud/<int:pk>/", views.home_rate, name="home_rate"),
    path("botilbud/<int:pk>/godkend/", views.approve, name="approve"),
    path("eksport/", views.export, name="export"),
    path("afregning/", views.settlement_overview, name="settlement"),
    path("afregning/<int:pk>/<int:code>/<str:month>/", views.statement_detail, name="statement"),
    path("afregning/<int:pk>/<int:code>/<str:month>/send/", views.statement_send, name="statement_send"),
]
