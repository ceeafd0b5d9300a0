from django.urls import path

from disponering import views

app_name = "disponering"

urlpatterns = [
    path("botilbud/<int:home_pk>/", views.ledger, name="ledger"),
    path("botilbud/<int:home_pk>/ny/", views.entry_create, name="entry_create"),
    path("botilbud/<int:home_pk>/fravaer/", views.leave_create, name="leave_create"),
    path("botilbud/<int:home_pk>/fravaer/beregn/", views.leave_preview, name="leave_preview"),
    path("botilbud/<int:home_pk>/konsekvens/", views.consequence_preview, name="consequence"),
    path("botilbud/<int:home_pk>/excel/", views.export, name="export"),
    path("post/<int:pk>/", views.entry_row, name="entry_row"),
    path("post/<int:pk>/ret/", views.entry_edit, name="entry_edit"),
    path("post/<int:pk>/bekraeft/", views.entry_confirm, name="entry_confirm"),
    path("post/<int:pk>/annuller/", views.entry_cancel, name="entry_cancel"),
]
