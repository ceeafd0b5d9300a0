from django.urls import path

from budget.followup import views, views_reminders

app_name = "followup"

urlpatterns = [
    path("", views.round_list, name="round_list"),
    path("praecision/", views.accuracy, name="accuracy"),
    path("forsinkede/", views_reminders.overdue_list, name="overdue"),
    path("paamindelser/", views_reminders.reminder_settings, name="reminder_settings"),
    path("<int:pk>/", views.round_detail, name="round_detail"),
    path("<int:round_pk>/forvaltning/", views.department_rollup, name="department_rollup"),
    path("<int:round_pk>/forvaltning/godkend/", views.department_approve, name="department_approve"),
    path("<int:round_pk>/forvaltning/excel/", views.department_export, name="department_export"),
    path("<int:round_pk>/omraade/<int:area_pk>/", views.area_rollup, name="area_rollup"),
    path("<int:round_pk>/omraade/<int:area_pk>/godkend/", views.area_approve, name="area_approve"),
    path("<int:round_pk>/botilbud/<int:home_pk>/", views.home_followup, name="home_followup"),
    path("<int:round_pk>/botilbud/<int:home_pk>/forbered/", views.prepare, name="prepare"),
    path("<int:round_pk>/botilbud/<int:home_pk>/forklaring/<str:group>/", views.explain, name="explain"),
    path("<int:round_pk>/botilbud/<int:home_pk>/handling/", views.action_add, name="action_add"),
    path(
        "<int:round_pk>/botilbud/<int:home_pk>/handling/<int:action_pk>/slet/",
        views.action_delete,
        name="action_delete",
    ),
    path("<int:round_pk>/botilbud/<int:home_pk>/bekraeft/", views.confirm, name="confirm"),
    path("<int:round_pk>/botilbud/<int:home_pk>/send-tilbage/", views.send_back, name="send_back"),
    path("<int:round_pk>/botilbud/<int:home_pk>/godkend/", views.approve, name="approve"),
    path("<int:round_pk>/botilbud/<int:home_pk>/excel/", views.home_export, name="home_export"),
]
