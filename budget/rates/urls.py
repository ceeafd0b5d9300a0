from django.urls import path

from budget.rates import views, views_index

app_name = "rates"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("botilbud/<int:pk>/", views.home_rate, name="home_rate"),
    path("botilbud/<int:pk>/godkend/", views.approve, name="approve"),
    path("botilbud/<int:pk>/genaabn/", views.reopen, name="reopen"),
    path("pl/", views_index.price_index, name="price_index"),
    path("fremskriv/", views_index.index_step, name="index_step"),
    path("fremskriv/<int:pk>/fortryd/", views_index.index_undo, name="index_undo"),
    path("eksport/", views.export, name="export"),
    path("afregning/", views.settlement_overview, name="settlement"),
    path("afregning/<int:pk>/<int:code>/<str:month>/", views.statement_detail, name="statement"),
    path("afregning/<int:pk>/<int:code>/<str:month>/send/", views.statement_send, name="statement_send"),
]
